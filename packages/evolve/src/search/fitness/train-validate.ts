// Train-then-validate (NaiveGAflux's TrainThenFitness): train the candidate on the generation's
// batches with its own rule and state, then measure it on the validation split. Failures (a
// non-finite loss, gradient or weight, an exception) give the worst fitness and the reason.
import { tf } from "@fluxion/backend";
import { trainables } from "@fluxion/optimisers";
import { trainStep } from "@fluxion/train";
import type { CompGraph } from "../../graph/comp-graph.js";
import type { Candidate, Evaluation, ProblemContext } from "../interfaces.js";
import { generationBatches } from "./batches.js";
import { syncRule } from "./rule-sync.js";
import { WORST_FITNESS } from "./score.js";

/** What `trainThenValidate` needs from a problem. */
export interface TrainValidateSpec {
  /** Training inputs, examples along the first axis. */
  readonly x: tf.Tensor;
  /** Training targets (one-hot rows or regression targets), one row per example. */
  readonly targets: tf.Tensor;
  readonly batchSize: number;
  readonly steps: number;
  /** Stop training after this many seconds (still validate). Infinity: no limit. */
  readonly budgetSeconds: number;
  /** The training loss of the model's output against the batch's targets. */
  loss(output: tf.Tensor, targets: tf.Tensor): tf.Tensor;
  /** The validation quality in [0, 1] and the metrics, or an error (non-finite outputs). */
  validate(graph: CompGraph): { quality: number; metrics: Record<string, number> } | { error: string };
  /** Fitness from the quality, the parameter count and the validation metrics. */
  fitness(quality: number, params: number, metrics: Record<string, number>): number;
}

/** The number of trainable scalars of `graph`. */
export function parameterCount(graph: CompGraph): number {
  return trainables(graph).reduce((n, t) => n + t.size, 0);
}

/** The graph's single output on `x`; an error when it has several. */
export function singleOutput(graph: CompGraph, x: tf.Tensor): tf.Tensor {
  const y = graph.apply(x);
  if (!(y instanceof tf.Tensor)) throw new Error("fitness: the graph must have one output");
  return y;
}

function allFinite(ts: tf.Tensor[]): boolean {
  if (ts.length === 0) return true;
  const ok = tf.tidy(() => tf.all(tf.stack(ts.map((t) => tf.all(tf.isFinite(t))))));
  const v = ok.dataSync()[0];
  ok.dispose();
  return v === 1;
}

/** The time now in seconds (performance.now where there is one). */
const now = (): number => (globalThis.performance?.now() ?? Date.now()) / 1000;

/**
 * Trains `c` in place for `spec.steps` batches drawn from `seeds(generation, "data", "batches")`
 * (the same batches for every candidate of the generation), stopping early when the time budget is
 * spent, then validates. Frees every tensor it makes.
 */
export function trainThenValidate(c: Candidate, ctx: ProblemContext, spec: TrainValidateSpec): Evaluation {
  const params = parameterCount(c.graph);
  const started = now();
  const batches = generationBatches(ctx.seeds(ctx.generation, "data", "batches"), spec.x.shape[0]!, spec.batchSize, spec.steps);
  const failed = (error: string, steps: number): Evaluation => ({ fitness: WORST_FITNESS, metrics: { params, steps, seconds: now() - started }, error });
  let steps = 0;
  let lastLoss = NaN;
  try {
    syncRule(c);
    const loss = (m: CompGraph, x: tf.Tensor, t: tf.Tensor): tf.Tensor => tf.tidy(() => spec.loss(singleOutput(m, x), t));
    for (const batch of batches) {
      if (now() - started >= spec.budgetSeconds) break;
      const idx = tf.tensor1d(batch, "int32");
      const xb = tf.gather(spec.x, idx);
      const tb = tf.gather(spec.targets, idx);
      try {
        lastLoss = trainStep(loss, c.graph, [xb, tb], c.state, { index: steps }) as number;
      } finally {
        tf.dispose([idx, xb, tb]);
      }
      steps += 1;
      if (!Number.isFinite(lastLoss)) return failed(`the training loss became ${lastLoss} at step ${steps}`, steps);
    }
    if (!allFinite(trainables(c.graph))) return failed("a weight is not finite after training", steps);
    const v = spec.validate(c.graph);
    if ("error" in v) return failed(v.error, steps);
    return { fitness: spec.fitness(v.quality, params, v.metrics), metrics: { ...v.metrics, params, steps, loss: lastLoss, seconds: now() - started } };
  } catch (err) {
    return failed(String((err as Error)?.message ?? err), steps);
  }
}
