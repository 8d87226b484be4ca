// NNlib's activation functions as named tensor functions (applied to the whole tensor; softmax
// and logsoftmax act on the last, feature axis). Written from ops whose second derivatives tfjs
// gets right, and branch-free where a `where` would send NaN gradients from the unused side.
import { tf } from "@fluxion/backend";

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

export function identity(x: tf.Tensor): tf.Tensor {
  return x;
}
export function relu(x: tf.Tensor): tf.Tensor {
  return tf.relu(x);
}
/** Logistic sigmoid 1 / (1 + e^-x); prints as `σ`. */
export function sigmoid(x: tf.Tensor): tf.Tensor {
  return tf.sigmoid(x);
}
export function tanh(x: tf.Tensor): tf.Tensor {
  return tf.tanh(x);
}
/** x for x > 0, else a·x (a = 0.01). */
export function leakyrelu(x: tf.Tensor, a = 0.01): tf.Tensor {
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
/** x·tanh(x). */
export function lisht(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.tanh(x)));
}
/** x − tanh(x). */
export function tanhshrink(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sub(x, tf.tanh(x)));
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
