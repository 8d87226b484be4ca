import { tf, useBackend, setup, updateInPlace, Adam, AdamW, Descent, Lion, Momentum, RMSProp } from "fluxion";
import { setFusedKernels } from "../../packages/backend/dist/internal.js";
import { interleave } from "./dist/timing.js";
import { BASELINES, WEIGHT_DECAY } from "./dist/tfjs-rules.js";
const RULES = { Descent: () => new Descent(0.1), Momentum: () => new Momentum(0.01, 0.9), Adam: () => new Adam(0.001),
  AdamW: () => new AdamW({ eta: 0.001, lambda: WEIGHT_DECAY }), RMSProp: () => new RMSProp(0.001), Lion: () => new Lion(0.001) };
const backend = process.argv[2];
await useBackend(backend);
const plan = { warmup: 2, reps: 40, minReps: 5, budgetMs: 1500 };
let id = 0;
for (const [params, tensors] of [[1e4, 10], [1e6, 10], [1e6, 100]]) for (const rule of Object.keys(RULES)) {
  const size = params / tensors; id++;
  const mk = () => Array.from({ length: tensors }, (_, i) => tf.tidy(() => tf.variable(tf.randomNormal([size], 0, 1, "float32", 1000 * id + i), true, `v${id}_${i}_${Math.random()}`)));
  const a = mk(), b = mk(), c = mk();
  const grads = Array.from({ length: tensors }, (_, i) => tf.randomNormal([size], 0, 0.1, "float32", 1000 * id + 500 + i));
  let sa = setup(RULES[rule](), a), sb = setup(RULES[rule](), b);
  const base = BASELINES[rule].make();
  const t = await interleave([
    { name: "fused", run: () => { setFusedKernels(true); sa = updateInPlace(sa, a, grads)[0]; } },
    { name: "opbyop", run: () => { setFusedKernels(false); sb = updateInPlace(sb, b, grads)[0]; setFusedKernels(true); } },
    { name: "tfjs", run: () => base.step(c, grads) },
  ], plan);
  console.log(`${backend}\t${rule}\t${params.toExponential(0)}/${tensors}\tfused ${t.fused.toFixed(3)}\topbyop ${t.opbyop.toFixed(3)}\ttfjs ${t.tfjs.toFixed(3)}\tvs tfjs ${(t.tfjs / t.fused).toFixed(1)}x\tvs opbyop ${(t.opbyop / t.fused).toFixed(1)}x\tns/param ${(t.fused * 1e6 / params).toFixed(2)}`);
  tf.dispose([...a, ...b, ...c, ...grads, sa, sb]); base.dispose();
}
