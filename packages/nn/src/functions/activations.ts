// NNlib's activation functions as named tensor functions (applied to the whole tensor; softmax
// and logsoftmax act on the last, feature axis). Written from ops whose second derivatives tfjs
// gets right, and branch-free where a `where` would send NaN gradients from the unused side.
import { tf } from "@fluxion/backend";
import { defaultRng, type Rng } from "./rng.js";

/** An activation: a function from a tensor to a tensor of the same shape. */
export type Activation = (x: tf.Tensor) => tf.Tensor;

const displayNames = new WeakMap<Function, string>();

/** The name Flux prints for `f`: `σ` for sigmoid, else the function's own name. */
export function activationName(f: Function): string {
  return displayNames.get(f) ?? (f.name || "#anonymous");
}

/** Sets the name printed for `f` in layer summaries. */
export function setActivationName(f: Function, name: string): void {
  displayNames.set(f, name);
}

const SELU_LAMBDA = 1.0507009873554804934193349852946;
const SELU_ALPHA = 1.6732632423543772848170429916717;

/** x, unchanged (returns the input tensor itself). */
export function identity(x: tf.Tensor): tf.Tensor {
  return x;
}
/** max(x, 0). */
export function relu(x: tf.Tensor): tf.Tensor {
  return tf.relu(x);
}
/** Logistic sigmoid 1 / (1 + e^-x); prints as `σ`. */
export function sigmoid(x: tf.Tensor): tf.Tensor {
  return tf.sigmoid(x);
}
/** tanh(x). */
export function tanh(x: tf.Tensor): tf.Tensor {
  return tf.tanh(x);
}
/** x for x > 0, else a·x (a = 0.01). */
export function leakyrelu(x: tf.Tensor, a: number | tf.Tensor = 0.01): tf.Tensor {
  return tf.tidy(() => tf.add(tf.relu(x), tf.mul(a, tf.neg(tf.relu(tf.neg(x))))));
}
/** x for x > 0, else α(eˣ − 1) (α = 1). */
export function elu(x: tf.Tensor, alpha = 1): tf.Tensor {
  return tf.tidy(() => tf.add(tf.relu(x), tf.mul(alpha, tf.sub(tf.exp(tf.minimum(x, 0)), 1))));
}
/** λx for x > 0, else λα(eˣ − 1), with NNlib's λ and α. */
export function selu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(SELU_LAMBDA, elu(x, SELU_ALPHA)));
}
/** x for x ≥ 0, else α(e^(x/α) − 1) (α = 1). */
export function celu(x: tf.Tensor, alpha = 1): tf.Tensor {
  return tf.tidy(() => tf.add(tf.relu(x), tf.mul(alpha, tf.sub(tf.exp(tf.div(tf.minimum(x, 0), alpha)), 1))));
}
/** log(1 + eˣ), computed as log1p(e^-|x|) + max(x, 0) so it never overflows. */
export function softplus(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.add(tf.log1p(tf.exp(tf.neg(tf.abs(x)))), tf.relu(x)));
}
/** log σ(x) = −softplus(−x). */
export function logsigmoid(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.neg(softplus(tf.neg(x))));
}
/** x / (1 + |x|). */
export function softsign(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.div(x, tf.add(1, tf.abs(x))));
}
/** x·σ(x). */
export function swish(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
}
/** NNlib's gelu (the tanh approximation): 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))). */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
    return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
  });
}
/** NNlib's gelu_tanh: the same function as `gelu`. */
export const geluTanh = gelu;
/** The exact gelu, NNlib's gelu_erf: x·Φ(x) = 0.5x(1 + erf(x / √2)). */
export function geluErf(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(0.5, x), tf.add(1, tf.erf(tf.mul(Math.SQRT1_2, x)))));
}
/** x·tanh(softplus(x)). */
export function mish(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.tanh(softplus(x))));
}
/** min(max(x, 0), 6). */
export function relu6(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.minimum(tf.relu(x), 6));
}
/** max(0, min(1, (x + 3) / 6)); prints as `hardσ`. */
export function hardsigmoid(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.clipByValue(tf.div(tf.add(x, 3), 6), 0, 1));
}
/** max(−1, min(1, x)). */
export function hardtanh(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.clipByValue(x, -1, 1));
}
/** x·hardσ(x). */
export function hardswish(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, hardsigmoid(x)));
}
/** x·tanh(x). */
export function lisht(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.tanh(x)));
}
/** x − tanh(x). */
export function tanhshrink(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sub(x, tf.tanh(x)));
}
/** log(cosh(x)), as NNlib: x + softplus(−2x) − log 2, which never overflows. */
export function logcosh(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sub(tf.add(x, softplus(tf.mul(-2, x))), Math.LN2));
}
/** x − λ for x ≥ λ, x + λ for x ≤ −λ, else 0 (λ = 0.5), with NNlib's branches (so also for λ < 0). */
export function softshrink(x: tf.Tensor, lambda = 0.5): tf.Tensor {
  return tf.tidy(() => {
    const lo = tf.sub(x, lambda);
    const hi = tf.add(x, lambda);
    return tf.where(tf.greater(hi, 0), tf.where(tf.less(lo, 0), tf.zerosLike(lo), lo), hi);
  });
}
/** Threshold relu: x for x > θ, else 0 (θ = 1). */
export function trelu(x: tf.Tensor, theta = 1): tf.Tensor {
  return tf.tidy(() => tf.where(tf.lessEqual(x, theta), tf.zerosLike(x), x));
}
/** NNlib's alias of `trelu`. */
export const thresholdrelu = trelu;
/**
 * Randomised leaky relu: x for x > 0, else a·x with a slope a ~ U(lo, hi) drawn for every element
 * on every call, as NNlib's `rrelu.(x)`. The slopes come from `rng` (default: `defaultRng()`), so
 * a seeded generator gives the same numbers on every backend.
 */
export function rrelu(x: tf.Tensor, lo = 1 / 8, hi = 1 / 3, rng: Rng = defaultRng()): tf.Tensor {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) throw new Error(`rrelu: expected finite bounds lo ≤ hi, got lo = ${lo}, hi = ${hi}`);
  const u = rng.floats(x.size);
  for (let i = 0; i < u.length; i++) u[i] = (hi - lo) * u[i]! + lo;
  return tf.tidy(() => leakyrelu(x, tf.tensor(u, x.shape, "float32")));
}
/**
 * NNlib's tanh_fast for Float32: its rational (Remez) approximation x·n(x²)/d(x²) for x² < 66,
 * else sign(x); within a few eps of tanh.
 */
export function tanhFast(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const x2 = tf.square(x);
    // The polynomials see x² ≤ 66, so the unused side of the where stays finite (no NaN gradient).
    const x2c = tf.minimum(x2, 66);
    const poly = (c: readonly number[]) => c.reduceRight<tf.Tensor>((acc, ci) => tf.add(tf.mul(acc, x2c), ci), tf.zerosLike(x2));
    const n = poly([1, 0.1346604, 0.0035974074, 2.2332108e-5, 1.587199e-8]);
    const d = poly([1, 0.4679937, 0.026262015, 0.0003453992, 8.7767893e-7]);
    return tf.where(tf.less(x2, 66), tf.mul(x, tf.div(n, d)), tf.sign(x));
  });
}
/** NNlib's sigmoid_fast: σ(x), with 1 above x = 40 and 0 below x = −80. */
export function sigmoidFast(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const y = tf.where(tf.greater(x, 40), tf.onesLike(x), tf.sigmoid(x));
    return tf.where(tf.less(x, -80), tf.zerosLike(x), y);
  });
}
/** exp(x) / sum(exp(x)) along the last (feature) axis. */
export function softmax(x: tf.Tensor): tf.Tensor {
  return tf.softmax(x, -1);
}
/** x − logsumexp(x) along the last axis (not tf.logSoftmax, whose second derivative is wrong). */
export function logsoftmax(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sub(x, tf.logSumExp(x, -1, true)));
}

setActivationName(sigmoid, "σ");
setActivationName(hardsigmoid, "hardσ");
setActivationName(logsigmoid, "logσ");
setActivationName(tanhFast, "tanh_fast");
setActivationName(sigmoidFast, "sigmoid_fast");
setActivationName(geluErf, "gelu_erf");
