import { tf } from "@fluxion/backend";

/** `true` (zeros), `false` (no bias: not a parameter), or a tensor of the right shape. */
export type BiasOption = boolean | tf.Tensor;

/** Flux's `create_bias`: a zero Variable, `false`, or the given tensor checked for size. */
export function createBias(weight: tf.Tensor, bias: BiasOption, ...dims: number[]): tf.Variable | false {
  if (bias === false) return false;
  if (bias === true) return tf.tidy(() => tf.variable(tf.zeros(dims, weight.dtype)));
  if (!(bias instanceof tf.Tensor)) throw new Error(`bias must be true, false or a tensor, got ${typeof bias}`);
  if (!tf.util.arraysEqual(bias.shape, dims)) {
    throw new Error(`expected bias of size [${dims.join(", ")}], got size [${bias.shape.join(", ")}]`);
  }
  return tf.tidy(() => tf.variable(tf.cast(bias, weight.dtype)));
}

/** A Variable holding a copy of `t` (or of `init(shape)`), made without leaking the temporary. */
export function param(t: tf.Tensor | (() => tf.Tensor), trainable = true): tf.Variable {
  return tf.tidy(() => tf.variable(typeof t === "function" ? t() : tf.cast(t, "float32"), trainable));
}
