import { tf, useBackend, setup, updateInPlace, Adam, WeightDecay, ClipGrad, OptimiserChain, Nesterov, AdaBelief } from "fluxion";
import { setFusedKernels } from "../../packages/backend/dist/internal.js";
import { interleave } from "./dist/timing.js";
const backend = process.argv[2];
await useBackend(backend);
const RULES = { "WD+Adam": () => new OptimiserChain(new WeightDecay(), new Adam()), "Clip+Adam": () => new OptimiserChain(new ClipGrad(1), new Adam()), Nesterov: () => new Nesterov(), AdaBelief: () => new AdaBelief(), Adam: () => new Adam() };
for (const rule of Object.keys(RULES)) {
  const mk = () => Array.from({ length: 10 }, (_, i) => tf.tidy(() => tf.variable(tf.randomNormal([1e5], 0, 1, "float32", i))));
  const a = mk(), b = mk();
  const grads = Array.from({ length: 10 }, (_, i) => tf.randomNormal([1e5], 0, 0.1, "float32", 500 + i));
  let sa = setup(RULES[rule](), a), sb = setup(RULES[rule](), b);
  const t = await interleave([
    { name: "fused", run: () => { setFusedKernels(true); sa = updateInPlace(sa, a, grads)[0]; } },
    { name: "opbyop", run: () => { setFusedKernels(false); sb = updateInPlace(sb, b, grads)[0]; setFusedKernels(true); } },
  ], { warmup: 2, reps: 20, minReps: 5, budgetMs: 1500 });
  console.log(backend, rule, "1e6/10", "fused", t.fused.toFixed(2), "opbyop", t.opbyop.toFixed(2));
  tf.dispose([...a, ...b, ...grads, sa, sb]);
}
