// Optimiser-step rows: fluxion's updateInPlace against tfjs on identical variables and gradients.
import { Adam, AdamW, Descent, Lion, Momentum, RMSProp, setup, tf, updateInPlace, type Rule } from "fluxion";
import { interleave, type TimingPlan } from "./timing.js";
import { makeRow, type Row } from "./row.js";
import { BASELINES, WEIGHT_DECAY } from "./tfjs-rules.js";

const RULES: Record<string, () => Rule> = {
  Descent: () => new Descent(0.1),
  Momentum: () => new Momentum(0.01, 0.9),
  Adam: () => new Adam(0.001),
  AdamW: () => new AdamW({ eta: 0.001, lambda: WEIGHT_DECAY }),
  RMSProp: () => new RMSProp(0.001),
  Lion: () => new Lion(0.001),
};
export const RULE_NAMES = Object.keys(RULES);

export interface OptimiserCase {
  rule: string;
  params: number;
  tensors: number;
}

let serial = 0;

/** Largest |a − b| over paired tensors. */
export function maxDiff(a: readonly tf.Tensor[], b: readonly tf.Tensor[]): number {
  let worst = 0;
  a.forEach((t, i) => {
    const [x, y] = [t.dataSync(), b[i]!.dataSync()];
    for (let j = 0; j < x.length; j++) worst = Math.max(worst, Math.abs(x[j]! - y[j]!));
  });
  return worst;
}

export async function optimiserRow(c: OptimiserCase, backend: string, plan: TimingPlan): Promise<Row> {
  const before = tf.memory().numTensors;
  const size = c.params / c.tensors;
  const id = serial++;
  const inits = Array.from({ length: c.tensors }, (_, i) => tf.randomNormal([size], 0, 1, "float32", 1000 * id + i));
  const grads = Array.from({ length: c.tensors }, (_, i) => tf.randomNormal([size], 0, 0.1, "float32", 1000 * id + 500 + i));
  const ours = inits.map((t) => tf.variable(t));
  const theirs = inits.map((t, i) => tf.variable(t, true, `bench_${id}_${i}`));
  tf.dispose(inits);
  let state = setup(RULES[c.rule]!(), ours);
  const baseline = BASELINES[c.rule]!;
  const tfjs = baseline.make();
  // webgl queues its work: a turn ends when the GPU has done it (one value read back, on both sides).
  const settled = (f: () => unknown, read: tf.Tensor) => {
    if (backend !== "webgl") return f;
    return async () => {
      f();
      const one = tf.slice(read, 0, 1);
      await one.data();
      one.dispose();
    };
  };
  const times = await interleave(
    [
      { name: "fluxion", run: settled(() => (state = updateInPlace(state, ours, grads)[0]), ours.at(-1)!) },
      { name: "baseline", run: settled(() => tfjs.step(theirs, grads), theirs.at(-1)!) },
    ],
    plan,
  );
  const diff = maxDiff(ours, theirs);
  const stepGrowth = growth(() => (state = updateInPlace(state, ours, grads)[0]));
  tf.dispose([...ours, ...theirs, ...grads, state as tf.TensorContainer]);
  tfjs.dispose();
  return makeRow({
    name: `${c.rule} ${c.params.toExponential(0).replace("+", "")} params / ${c.tensors} tensors`,
    backend,
    fluxion_ms: times.fluxion!,
    baseline_ms: times.baseline!,
    baseline: baseline.label,
    tensors_before: before,
    tensors_after: tf.memory().numTensors,
    check: `max |Δx| ${diff.toExponential(1)}; step growth ${stepGrowth}; fluxion ${((times.fluxion! * 1e6) / c.params).toFixed(2)} ns/param`,
  });
}

/** Tensors a call leaves behind (0 for a leak-free step). */
export function growth(f: () => unknown): number {
  const n = tf.memory().numTensors;
  f();
  return tf.memory().numTensors - n;
}
