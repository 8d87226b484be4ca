// Flux's `ctc_loss`: connectionist temporal classification (Graves et al. 2006), the forward
// (α) recursion for the loss and the forward-backward (α·β) products for its gradient, as in
// Flux's CPU implementation. The recursions run in float64 on the host; the gradient is attached
// with tf.customGrad (Flux's own adjoint), so `gradient` sees it but `hessian` does not.
import { tf } from "@fluxion/backend";
import { aggregate, toFloat, type LossInput } from "./loss-utils.js";
import type { AggOptions } from "./losses.js";

/** One sequence's labels (0-based classes, the blank excluded), or one list per sequence of a batch. */
export type CtcLabels = readonly number[] | readonly (readonly number[])[];

/** log(eᵃ + eᵇ) without overflow; −Inf is log 0. */
function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const [hi, lo] = a > b ? [a, b] : [b, a];
  return hi + Math.log1p(Math.exp(lo - hi));
}

/** logsoftmax over each row of x [T, C]. */
function logSoftmaxRows(x: ArrayLike<number>, T: number, C: number): Float64Array {
  const out = new Float64Array(T * C);
  for (let t = 0; t < T; t++) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, x[t * C + c]!);
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(x[t * C + c]! - m);
    const lse = m + Math.log(s);
    for (let c = 0; c < C; c++) out[t * C + c] = x[t * C + c]! - lse;
  }
  return out;
}

/** The loss −log p(labels | x) of one sequence x [T, C] (blank = C − 1) and its gradient ∂/∂x. */
function ctcSequence(x: ArrayLike<number>, T: number, C: number, labels: readonly number[]): { loss: number; grad: Float64Array } {
  const blank = C - 1;
  const logp = logSoftmaxRows(x, T, C);
  // z′: the labels with a blank before, between and after them.
  const S = 2 * labels.length + 1;
  const z = new Int32Array(S).fill(blank);
  labels.forEach((l, i) => (z[2 * i + 1] = l));
  // A label may skip the blank before it unless it repeats the label two places back.
  const canSkip = (s: number) => s > 1 && z[s] !== blank && z[s - 2] !== z[s];

  const alpha = new Float64Array(T * S).fill(-Infinity);
  alpha[0] = logp[blank]!;
  if (S > 1) alpha[1] = logp[z[1]!]!;
  for (let t = 1; t < T; t++) {
    for (let s = 0; s < S; s++) {
      const prev = (t - 1) * S;
      let a = alpha[prev + s]!;
      if (s > 0) a = logAddExp(a, alpha[prev + s - 1]!);
      if (canSkip(s)) a = logAddExp(a, alpha[prev + s - 2]!);
      alpha[t * S + s] = a + logp[t * C + z[s]!]!;
    }
  }
  const last = (T - 1) * S;
  const loss = -(S > 1 ? logAddExp(alpha[last + S - 1]!, alpha[last + S - 2]!) : alpha[last]!);

  // β(t, s): log-probability of the rest of the labels after step t, from state s.
  const beta = new Float64Array(T * S).fill(-Infinity);
  beta[last + S - 1] = 0;
  if (S > 1) beta[last + S - 2] = 0;
  for (let t = T - 2; t >= 0; t--) {
    const next = (t + 1) * S;
    const emit = (s: number) => beta[next + s]! + logp[(t + 1) * C + z[s]!]!;
    for (let s = 0; s < S; s++) {
      let b = emit(s);
      if (s + 1 < S) b = logAddExp(b, emit(s + 1));
      if (s + 2 < S && canSkip(s + 2)) b = logAddExp(b, emit(s + 2));
      beta[t * S + s] = b;
    }
  }

  // ∂loss/∂x = softmax(x) − Σ over the states of each class of α·β / p (in log space).
  const accum = new Float64Array(T * C).fill(-Infinity);
  for (let t = 0; t < T; t++) {
    for (let s = 0; s < S; s++) accum[t * C + z[s]!] = logAddExp(accum[t * C + z[s]!]!, alpha[t * S + s]! + beta[t * S + s]!);
  }
  const grad = new Float64Array(T * C);
  for (let i = 0; i < T * C; i++) grad[i] = Math.exp(logp[i]!) - Math.exp(accum[i]! + loss);
  return { loss, grad };
}

function checkLabels(y: unknown, batch: number | null, C: number): number[][] {
  const isList = (v: unknown): v is unknown[] => Array.isArray(v) || v instanceof Int32Array;
  const lists = batch === null ? [y] : y;
  if (!isList(lists) || (batch !== null && (lists.length !== batch || !lists.every(isList)))) {
    const want = batch === null ? "an array of 0-based labels" : `an array of ${batch} label arrays (one per sequence)`;
    throw new Error(`ctcLoss: y must be ${want}, got ${y === null ? "null" : Array.isArray(y) ? `an array of length ${y.length}` : typeof y}`);
  }
  return (lists as unknown[][]).map((l) => {
    const bad = Array.from(l).find((v) => !(Number.isInteger(v) && (v as number) >= 0 && (v as number) < C - 1));
    if (bad !== undefined) throw new Error(`ctcLoss: labels must be integers in [0, ${C - 2}] (0-based; the last class, ${C - 1}, is the blank), got ${String(bad)}`);
    return Array.from(l) as number[];
  });
}

/**
 * Flux's `ctc_loss(ŷ, y)`: the connectionist temporal classification loss −log p(y | ŷ), summed
 * over all alignments of the labels y to the time steps of ŷ. Batch first: ŷ is [time, classes]
 * (Flux's classes × time, transposed) of raw scores (logsoftmax is applied inside), and y the
 * 0-based labels without blanks; the blank is the LAST class (Flux's `size(ŷ, 1)`). A batch
 * ŷ [batch, time, classes] takes one label array per sequence and reduces the per-sequence losses
 * with `agg` (default "mean"). Labels that cannot fit in the time steps give Inf, as in Flux.
 */
export function ctcLoss(yhat: LossInput, y: CtcLabels, { agg = "mean" }: AggOptions = {}): tf.Tensor {
  return tf.tidy(() => {
    const x = toFloat("ctcLoss: ŷ", yhat);
    if ((x.rank !== 2 && x.rank !== 3) || x.shape.some((d) => d < 1)) {
      throw new Error(`ctcLoss: ŷ must be [time, classes] or [batch, time, classes] with no empty axis, got shape [${x.shape.join(", ")}]`);
    }
    const batched = x.rank === 3;
    const [B, T, C] = (batched ? x.shape : [1, ...x.shape]) as [number, number, number];
    const labels = checkLabels(y, batched ? B : null, C);
    const perSequence = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const data = (args[0] as tf.Tensor).dataSync();
      const grad = new Float32Array(B * T * C);
      const losses = labels.map((l, b) => {
        const r = ctcSequence(data.subarray(b * T * C, (b + 1) * T * C), T, C, l);
        grad.set(r.grad, b * T * C);
        return r.loss;
      });
      return {
        value: tf.tensor1d(losses, "float32"),
        gradFunc: (dy: tf.Tensor | tf.Tensor[]) => [tf.mul(tf.reshape(dy as tf.Tensor, batched ? [B, 1, 1] : [1, 1]), tf.tensor(grad, x.shape, "float32"))],
      };
    });
    const losses = perSequence(x);
    return batched ? aggregate(losses, agg) : tf.reshape(losses, []);
  });
}
