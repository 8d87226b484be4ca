// Shared pieces of the loss functions: input conversion, Flux's size check, aggregation, class
// axes, and xlogx / xlogy written so that their zero cases give neither NaN values nor NaN
// gradients.
import { tf } from "@fluxion/backend";

/** Machine epsilon of float32 (Julia's `eps(Float32)`), the default regulariser of the losses. */
export const EPS32 = 1.1920928955078125e-7;

type NestedNumbers = readonly (number | boolean | NestedNumbers)[];

/** What a loss accepts for ŷ and y: a tensor, a number (broadcast), or a (nested) array of numbers. */
export type LossInput = tf.Tensor | number | boolean | NestedNumbers | Float32Array | Int32Array | Uint8Array;

/**
 * How a loss reduces its per-element (or per-sample) values, Flux's `agg`: "mean" (the default),
 * "sum", "none" (no reduction), or any function from a tensor to a tensor, e.g. `tf.sum` or
 * `(t) => tf.mean(tf.mul(t, weights))`.
 */
export type Aggregation = "mean" | "sum" | "none" | ((t: tf.Tensor) => tf.Tensor);

/**
 * The axis (or axes) holding the classes. Flux's `dims = 1` is the class axis in its
 * features-first layout; ours is batch first, so the class axis is the LAST one: default -1.
 * Negative values count from the end.
 */
export type Dims = number | readonly number[];

/** A float32 tensor for a loss argument (the caller's float32 tensors are used as they are). */
export function toFloat(name: string, v: LossInput): tf.Tensor {
  if (v instanceof tf.Tensor) {
    if (v.dtype === "float32") return v;
    if (v.dtype === "string" || v.dtype === "complex64") throw new Error(`${name}: expected a numeric tensor, got dtype ${v.dtype}`);
    return tf.cast(v, "float32");
  }
  if (typeof v === "number" || typeof v === "boolean") return tf.scalar(Number(v), "float32");
  if (Array.isArray(v) || ArrayBuffer.isView(v)) {
    if (!isNumeric(v)) throw new Error(`${name}: expected numbers, booleans or tensors, got ${describeInput(v)}`);
    return tf.tensor(v as number[], undefined, "float32");
  }
  throw new Error(`${name}: expected a tensor, a number or an array of numbers, got ${describeInput(v)}`);
}

function isNumeric(v: unknown): boolean {
  if (ArrayBuffer.isView(v)) return true;
  if (Array.isArray(v)) return v.every(isNumeric);
  return typeof v === "number" || typeof v === "boolean";
}

function describeInput(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array with non-numeric entries";
  return typeof v === "object" ? `a ${(v as object).constructor?.name ?? "object"}` : `a ${typeof v}`;
}

/**
 * Flux's `_check_sizes`: ŷ and y must have the same size; a number (rank 0) passes. As in Julia,
 * where a missing dimension counts as 1, the shorter shape is padded with 1s (here in front:
 * Julia's trailing dimensions are our leading ones).
 */
export function checkSizes(yhat: tf.Tensor, y: tf.Tensor): void {
  if (yhat.rank === 0 || y.rank === 0) return;
  const n = Math.max(yhat.rank, y.rank);
  const pad = (s: number[]) => [...Array<number>(n - s.length).fill(1), ...s];
  const a = pad(yhat.shape);
  const b = pad(y.shape);
  if (a.some((d, i) => d !== b[i])) {
    throw new Error(`loss function expects size(ŷ) = [${yhat.shape.join(", ")}] to match size(y) = [${y.shape.join(", ")}]`);
  }
}

/** Converts ŷ and y, checks their sizes, and runs `f` in a tidy scope. */
export function withInputs(name: string, yhat: LossInput, y: LossInput, f: (yhat: tf.Tensor, y: tf.Tensor) => tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const a = toFloat(`${name}: ŷ`, yhat);
    const b = toFloat(`${name}: y`, y);
    checkSizes(a, b);
    return f(a, b);
  });
}

/** Applies an aggregation. */
export function aggregate(t: tf.Tensor, agg: Aggregation = "mean"): tf.Tensor {
  if (agg === "mean") return tf.mean(t);
  if (agg === "sum") return tf.sum(t);
  if (agg === "none") return t;
  if (typeof agg !== "function") throw new Error(`agg must be "mean", "sum", "none" or a function, got ${JSON.stringify(agg)}`);
  const out = agg(t);
  if (!(out instanceof tf.Tensor)) throw new Error(`agg must return a tensor, got ${out === null ? "null" : typeof out}`);
  return out;
}

/** The class axes as non-negative integers (default: the last axis). */
export function classAxes(name: string, x: tf.Tensor, dims: Dims = -1): number[] {
  const list = typeof dims === "number" ? [dims] : [...dims];
  return list.map((d) => {
    if (!Number.isInteger(d) || d < -x.rank || d >= x.rank) {
      throw new Error(`${name}: dims = ${d} is not an axis of a tensor of rank ${x.rank} (shape [${x.shape.join(", ")}])`);
    }
    return d < 0 ? d + x.rank : d;
  });
}

/** The checked regulariser ϵ. */
export function checkEps(name: string, eps: number): number {
  if (typeof eps !== "number" || !Number.isFinite(eps)) throw new Error(`${name}: eps must be a finite number, got ${String(eps)}`);
  return eps;
}

/**
 * x·log(x), with xlogx(0) = 0. The log sees 1 where x is 0, so neither the value nor the gradient
 * (0 there) is NaN.
 */
export function xlogx(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const zero = tf.equal(x, 0);
    return tf.mul(x, tf.log(tf.where(zero, tf.onesLike(x), x)));
  });
}

/**
 * x·log(y), with xlogy(0, y) = 0 (also for y = 0), broadcasting x and y. Where x = 0 and y ≤ 0
 * the log sees 1 instead of y, so no -Inf·0 = NaN appears in the value or the gradient; elsewhere
 * ∂/∂x = log(y) and ∂/∂y = x / y as in Flux's rule (so ∓Inf, not NaN, at x ≠ 0, y = 0).
 */
export function xlogy(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const shape = tf.backend_util.assertAndGetBroadcastShape(x.shape, y.shape);
    const yb = tf.broadcastTo(y, shape);
    // x = 0 and y ≤ 0, counted in floats: logicalAnd has no gradient entry on tfjs's tape, and
    // wasm's Select writes float32s into a bool output (a where of bools corrupts its heap).
    const both = tf.add(tf.cast(tf.equal(tf.broadcastTo(x, shape), 0), "float32"), tf.cast(tf.lessEqual(yb, 0), "float32"));
    // The masked branch is a constant, so where's gradient never sends Inf·0 = NaN back into y.
    const arg = tf.where(tf.equal(both, 2), tf.ones(shape), yb);
    // GLSL leaves log(0) undefined and webgl's Log kernel passes 0 to it: SwiftShader can give
    // −88.03 (log 2⁻¹²⁷), making x·log(0) finite. Adding −Inf where the log sees 0 (x ≠ 0, y = 0)
    // pins it on every backend; elsewhere 0 is added, and log's gradient x / y is kept.
    const atZero = tf.where(tf.equal(arg, 0), tf.fill(shape, -Infinity), tf.zeros(shape));
    return tf.mul(x, tf.add(tf.log(arg), atZero));
  });
}
