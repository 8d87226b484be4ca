import { tf } from "@fluxion/backend";
import type { Initialiser } from "../functions/init.js";
import { dispose } from "./dispose.js";

/** `true` (zeros), `false` (no bias: not a parameter), or a tensor of the right shape. */
export type BiasOption = boolean | tf.Tensor;

/** Throws unless `bias` is a `BiasOption` for a bias of shape `dims`; layers call it before making any weight. */
export function checkBias(owner: string | null, bias: unknown, dims: readonly number[]): asserts bias is BiasOption {
  const fail = (msg: string): never => {
    throw new Error(owner === null ? msg : `${owner}: ${msg}`);
  };
  if (typeof bias === "boolean") return;
  if (!(bias instanceof tf.Tensor)) return fail(`bias must be true, false or a tensor, got ${typeof bias}`);
  if (bias.isDisposed) fail("the bias tensor given is disposed");
  if (!tf.util.arraysEqual(bias.shape, [...dims])) fail(`expected bias of size [${dims.join(", ")}], got size [${bias.shape.join(", ")}]`);
}

/** Flux's `create_bias`: a zero Variable, `false`, or the given tensor checked for size. */
export function createBias(weight: tf.Tensor, bias: BiasOption, ...dims: number[]): tf.Variable | false {
  checkBias(null, bias, dims);
  if (bias === false) return false;
  if (bias === true) return tf.tidy(() => tf.variable(tf.zeros(dims, weight.dtype)));
  return tf.tidy(() => tf.variable(tf.cast(bias, weight.dtype)));
}

/** A Variable holding a copy of `t` (or of `init(shape)`), made without leaking the temporary. */
export function param(t: tf.Tensor | (() => tf.Tensor), trainable = true): tf.Variable {
  if (t instanceof tf.Tensor && t.isDisposed) throw new Error(`param: the given tensor is disposed`);
  return tf.tidy(() => tf.variable(typeof t === "function" ? t() : tf.cast(t, "float32"), trainable));
}

/**
 * A Variable made by a layer's `init` (user code), which must return a tensor of `shape`: a wrong
 * result is an error naming the layer, and no tensor is left behind.
 */
export function initParam(layerName: string, init: Initialiser, shape: readonly number[], trainable = true): tf.Variable {
  return param(() => {
    const w: unknown = init([...shape]);
    if (!(w instanceof tf.Tensor)) throw new Error(`${layerName}: init must return a tensor, got ${w === null ? "null" : typeof w}`);
    if (!tf.util.arraysEqual(w.shape, [...shape])) throw new Error(`${layerName}: init returned shape [${w.shape.join(", ")}], expected [${shape.join(", ")}]`);
    return tf.cast(w, "float32");
  }, trainable);
}

/**
 * Runs a constructor's allocation steps in order and returns their results; when one throws (a
 * user's `init` or factory can), the tensors the earlier steps made are disposed first, so a
 * failed constructor leaves nothing behind.
 */
export function allocate<T extends unknown[]>(...steps: { [K in keyof T]: () => T[K] }): T {
  const made: unknown[] = [];
  try {
    for (const step of steps) made.push(step());
  } catch (err) {
    dispose(made);
    throw err;
  }
  return made as T;
}
