// The two problem builders a problem module calls: classification (fitness from validation
// accuracy) and regression (fitness from the validation MAE), both train-then-validate.
import { tf } from "@fluxion/backend";
import { describe, isPlainObject } from "@fluxion/functors";
import { Rng, crossentropy, logitCrossentropy, mae, mse, onehotbatch } from "@fluxion/nn";
import type { CompGraph } from "../../graph/comp-graph.js";
import type { Problem } from "../interfaces.js";
import { checkLabels, examplesTensor, splitIndices, targetsTensor, type Examples } from "./data.js";
import { accuracyFitness, accuracyLossFitness, maeFitness } from "./score.js";
import { singleOutput, trainThenValidate, type TrainValidateSpec } from "./train-validate.js";

/** What both builders take besides the data. */
export interface TrainingOptions {
  /** Examples per training batch. */
  batchSize: number;
  /** Training batches per candidate and generation (give this or `epochs`). */
  steps?: number;
  /** Passes over the training split per generation, as steps: epochs × ⌊n / batchSize⌋. */
  epochs?: number;
  /** Stop a candidate's training after this many seconds, then validate. Default Infinity. A budget that stops training makes results depend on the machine's speed. */
  budgetSeconds?: number;
  /** Seed of the shuffle that holds out `validation` when it is a fraction. Default 0. */
  splitSeed?: number;
}

/** Options of `classificationProblem`. */
export interface ClassificationOptions extends TrainingOptions {
  x: Examples;
  /** Class of each example: whole numbers in [0, classes). */
  labels: readonly number[];
  /** Number of classes; default the largest label + 1. */
  classes?: number;
  /** The validation split: its own examples, or the fraction of `x` to hold out. The test set never goes here. */
  validation: { x: Examples; labels: readonly number[] } | number;
  /** The model's output: "logits" (default, logitCrossentropy) or "probabilities" (crossentropy). */
  output?: "logits" | "probabilities";
  /**
   * What decides between candidates of equal rounded accuracy: "size" (default, fewer parameters:
   * NaiveGAflux's AccuracyVsSize) or "loss" (lower validation loss, then size: `accuracyLossFitness`).
   */
  tieBreak?: "size" | "loss";
}

/** Options of `regressionProblem`. */
export interface RegressionOptions extends TrainingOptions {
  x: Examples;
  /** Targets: one number per example, or rows. */
  y: readonly number[] | Examples;
  /** The validation split: its own examples, or the fraction of `x` to hold out. */
  validation: { x: Examples; y: readonly number[] | Examples } | number;
  /** The training loss: "mse" (default) or "mae". Fitness always uses the validation MAE. */
  loss?: "mse" | "mae";
}

const TRAINING_KEYS = ["batchSize", "steps", "epochs", "budgetSeconds", "splitSeed"];

function checkOptions(fn: string, o: unknown, keys: string[]): void {
  if (!isPlainObject(o)) throw new Error(`${fn}: expected an options object, got ${describe(o)}`);
  const bad = Object.keys(o).find((k) => !keys.includes(k));
  if (bad !== undefined) throw new Error(`${fn}: unknown option '${bad}'; the options are ${keys.join(", ")}`);
}

function stepsOf(fn: string, o: TrainingOptions, n: number): { batchSize: number; steps: number; budgetSeconds: number } {
  if (!Number.isSafeInteger(o.batchSize) || o.batchSize < 1) throw new Error(`${fn}: batchSize must be a whole number >= 1, got ${describe(o.batchSize)}`);
  if ((o.steps === undefined) === (o.epochs === undefined)) throw new Error(`${fn}: give exactly one of steps and epochs`);
  const count = o.steps ?? o.epochs;
  if (!Number.isSafeInteger(count) || count! < 1) throw new Error(`${fn}: ${o.steps !== undefined ? "steps" : "epochs"} must be a whole number >= 1, got ${describe(count)}`);
  const budgetSeconds = o.budgetSeconds ?? Infinity;
  if (typeof budgetSeconds !== "number" || !(budgetSeconds > 0)) throw new Error(`${fn}: budgetSeconds must be a number > 0, got ${describe(budgetSeconds)}`);
  const steps = o.steps ?? o.epochs! * Math.max(1, Math.floor(n / Math.min(o.batchSize, n)));
  return { batchSize: o.batchSize, steps, budgetSeconds };
}

/** Train and validation tensors: given apart, or split from one set by a seeded shuffle. `make` builds a split's pair. */
function splits<T>(fn: string, o: TrainingOptions & { validation: unknown }, x: tf.Tensor, make: (x: tf.Tensor, rows: number[] | null, which: string) => T): [T, T] {
  if (typeof o.validation !== "number") return [make(x, null, "train"), make(x, null, "validation")];
  const n = x.shape[0]!;
  const [tr, va] = splitIndices(fn, n, o.validation, new Rng(o.splitSeed ?? 0).permutation(n));
  return [make(x, tr, "train"), make(x, va, "validation")];
}

function rowsOf(x: tf.Tensor, rows: number[]): tf.Tensor {
  return tf.tidy(() => tf.gather(x, tf.tensor1d(rows, "int32")));
}

/** Frees `t` and drops it from `own` (the full set, once split). */
function release(own: tf.Tensor[], t: tf.Tensor): void {
  own.splice(own.indexOf(t), 1);
  t.dispose();
}

/** The train-then-validate spec of a problem, with its fitness and validation. */
function trainingSpec(
  fn: string, o: TrainingOptions, x: tf.Tensor, targets: tf.Tensor, loss: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  { fitness, validate }: Pick<TrainValidateSpec, "fitness" | "validate">,
): TrainValidateSpec {
  return { x, targets, ...stepsOf(fn, o, x.shape[0]!), loss: (out, t) => loss(out, t), fitness, validate };
}

/** A problem over the given tensors; `dispose` frees them. */
function problemOf(spec: TrainValidateSpec, owned: tf.Tensor[]): Problem {
  return {
    evaluate: (candidate, ctx) => trainThenValidate(candidate, ctx, spec),
    dispose: () => tf.dispose(owned),
  };
}

/** Rows per forward pass when validating: one slice's activations at a time (a convolution over a thousand images would hold hundreds of MB at once). */
const VALIDATION_ROWS = 256;

/** The graph's single output on `x`, over slices of at most VALIDATION_ROWS rows (the graph, a layer, applies with fluxion's fast kernels). */
function outputOf(graph: CompGraph, x: tf.Tensor): tf.Tensor {
  const n = x.shape[0]!;
  if (n <= VALIDATION_ROWS) return singleOutput(graph, x);
  return tf.tidy(() => {
    const parts: tf.Tensor[] = [];
    for (let start = 0; start < n; start += VALIDATION_ROWS) parts.push(tf.tidy(() => singleOutput(graph, tf.slice(x, start, Math.min(VALIDATION_ROWS, n - start)))));
    return tf.concat(parts);
  });
}

/**
 * Classification by train-then-validate: each candidate trains on the generation's batches, then
 * its fitness is the validation accuracy rounded to 2 decimals plus min(1e-3, 1/params)
 * (NaiveGAflux's AccuracyVsSize), or with `tieBreak: "loss"` the validation loss before size
 * (`accuracyLossFitness`). Metrics: accuracy, validationLoss, params, steps, loss, seconds.
 */
export function classificationProblem(options: ClassificationOptions): Problem {
  const fn = "classificationProblem";
  checkOptions(fn, options, ["x", "labels", "classes", "validation", "output", "tieBreak", ...TRAINING_KEYS]);
  const o = options;
  const own: tf.Tensor[] = [];
  try {
    const x = examplesTensor(fn, "x", o.x);
    own.push(x);
    const all = Array.isArray(o.labels) ? (o.labels as number[]) : [];
    const separate = typeof o.validation === "number" ? null : o.validation;
    if (separate !== null && !isPlainObject(separate)) throw new Error(`${fn}: validation must be { x, labels } or a fraction, got ${describe(separate)}`);
    const classes = o.classes ?? Math.max(0, ...all, ...(separate?.labels ?? [])) + 1;
    if (!Number.isSafeInteger(classes) || classes < 2) throw new Error(`${fn}: classes must be a whole number >= 2, got ${describe(classes)}`);
    const labels = checkLabels(fn, "labels", o.labels, x.shape[0]!, classes);
    if (o.tieBreak !== undefined && o.tieBreak !== "size" && o.tieBreak !== "loss") throw new Error(`${fn}: tieBreak must be "size" or "loss", got ${describe(o.tieBreak)}`);
    if (o.output !== undefined && o.output !== "logits" && o.output !== "probabilities") throw new Error(`${fn}: output must be "logits" or "probabilities", got ${describe(o.output)}`);
    const [train, val] = splits(fn, o, x, (t, rows, which) => {
      if (which === "validation" && separate !== null) {
        const vx = examplesTensor(fn, "validation.x", separate.x);
        own.push(vx);
        return { x: vx, labels: checkLabels(fn, "validation.labels", separate.labels, vx.shape[0]!, classes) };
      }
      if (rows === null) return { x: t, labels };
      const sub = rowsOf(t, rows);
      own.push(sub);
      return { x: sub, labels: rows.map((r) => labels[r]!) };
    });
    if (train.x !== x) release(own, x);
    const classList = Array.from({ length: classes }, (_, i) => i);
    const targets = tf.tidy(() => onehotbatch(train.labels, classList));
    own.push(targets);
    const loss = o.output === "probabilities" ? crossentropy : logitCrossentropy;
    const valTargets = tf.tidy(() => onehotbatch(val.labels, classList));
    own.push(valTargets);
    const spec = trainingSpec(fn, o, train.x, targets, loss, {
      fitness: o.tieBreak === "loss" ? (accuracy, params, m) => accuracyLossFitness(accuracy, m.validationLoss!, params) : accuracyFitness,
      validate(graph) {
        // One forward pass: the predicted classes, whether every output is finite, and the loss.
        const predicted = tf.tidy(() => {
          const out = outputOf(graph, val.x);
          const n = out.shape[0]!;
          return tf.stack([tf.cast(tf.argMax(out, -1), "float32"), tf.broadcastTo(tf.cast(tf.all(tf.isFinite(out)), "float32"), [n]), tf.broadcastTo(loss(out, valTargets), [n])]);
        });
        const rows = predicted.arraySync() as number[][];
        predicted.dispose();
        if (rows[1]!.some((f) => f !== 1)) return { error: "the validation output is not finite" };
        const right = rows[0]!.filter((p, i) => p === val.labels[i]).length;
        const accuracy = right / val.labels.length;
        return { quality: accuracy, metrics: { accuracy, validationLoss: rows[2]![0]! } };
      },
    });
    return problemOf(spec, own);
  } catch (err) {
    tf.dispose(own);
    throw err;
  }
}

/**
 * Regression by train-then-validate: each candidate trains on the generation's batches (loss mse
 * or mae), then its fitness is 1 / (1 + validation MAE) rounded to 3 decimals plus
 * min(1e-4, 1/params). Metrics: mae, params, steps, loss, seconds.
 */
export function regressionProblem(options: RegressionOptions): Problem {
  const fn = "regressionProblem";
  checkOptions(fn, options, ["x", "y", "validation", "loss", ...TRAINING_KEYS]);
  const o = options;
  const own: tf.Tensor[] = [];
  try {
    if (o.loss !== undefined && o.loss !== "mse" && o.loss !== "mae") throw new Error(`${fn}: loss must be "mse" or "mae", got ${describe(o.loss)}`);
    const x = examplesTensor(fn, "x", o.x);
    own.push(x);
    const y = targetsTensor(fn, "y", o.y, x.shape[0]!);
    own.push(y);
    const separate = typeof o.validation === "number" ? null : o.validation;
    if (separate !== null && !isPlainObject(separate)) throw new Error(`${fn}: validation must be { x, y } or a fraction, got ${describe(separate)}`);
    const [train, val] = splits(fn, o, x, (t, rows, which) => {
      if (which === "validation" && separate !== null) {
        const vx = examplesTensor(fn, "validation.x", separate.x);
        own.push(vx);
        const vy = targetsTensor(fn, "validation.y", separate.y, vx.shape[0]!);
        own.push(vy);
        return { x: vx, y: vy };
      }
      if (rows === null) return { x: t, y };
      const pair = { x: rowsOf(t, rows), y: rowsOf(y, rows) };
      own.push(pair.x, pair.y);
      return pair;
    });
    if (train.x !== x) {
      release(own, x);
      release(own, y);
    }
    if (val.y.shape[1] !== train.y.shape[1]) throw new Error(`${fn}: validation.y has ${val.y.shape[1]} columns, y has ${train.y.shape[1]}`);
    const loss = o.loss === "mae" ? mae : mse;
    const spec = trainingSpec(fn, o, train.x, train.y, loss, {
      fitness: (_quality, params, m) => maeFitness(m.mae!, params),
      validate(graph) {
        const m = tf.tidy(() => {
          const out = outputOf(graph, val.x);
          if (out.shape.length !== 2 || out.shape[1] !== val.y.shape[1]) throw new Error(`the graph's output has shape [${out.shape.join(", ")}], the targets [${val.y.shape.join(", ")}]`);
          return tf.mean(tf.abs(tf.sub(out, val.y)));
        });
        const error = m.dataSync()[0]!;
        m.dispose();
        if (!Number.isFinite(error)) return { error: `the validation MAE is ${error}` };
        return { quality: 1 / (1 + error), metrics: { mae: error } };
      },
    });
    return problemOf(spec, own);
  } catch (err) {
    tf.dispose(own);
    throw err;
  }
}
