// The step's one readback: the loss and, when asked, whether each gradient tensor is finite.
import { tf } from "@fluxion/backend";
import { firstNonFinite } from "@fluxion/backend/internal";
import { fleaves, fmapStructureWithPath } from "@fluxion/functors";
import { DomainError } from "./errors.js";

export interface Readback {
  /** The loss as a number. */
  value: number;
  /** The first gradient tensor holding a NaN or ±Infinity, with that value; null if there is none. */
  bad: { tensor: tf.Tensor; value: number } | null;
}

/**
 * Reads the loss and, with `check`, finds the first gradient tensor holding a NaN or ±Infinity.
 * On cpu and wasm the gradients' values are scanned where they lie (@fluxion/backend's
 * firstNonFinite); elsewhere (webgl) the loss and every gradient tensor's sum come back in one
 * `dataSync`: a NaN or ±Infinity anywhere makes its tensor's sum non-finite, so that path is exact
 * for finite gradients, and a non-finite sum (which finite values may also give, by overflow) is
 * confirmed by scanning that tensor's values.
 */
export function readLossAndGradients(loss: tf.Tensor, grad: unknown, check: boolean): Readback {
  const grads = check ? (fleaves(grad).filter((g) => g instanceof tf.Tensor) as tf.Tensor[]) : [];
  if (grads.length === 0) return { value: loss.dataSync()[0]!, bad: null };
  const found = firstNonFinite(grads);
  if (found !== null) return { value: loss.dataSync()[0]!, bad: found < 0 ? null : badValue(grads[found]!) };
  const packed = tf.tidy(() => tf.concat([tf.reshape(loss, [1]), ...grads.map((g) => tf.reshape(tf.sum(g), [1]))]));
  const sums = packed.dataSync();
  packed.dispose();
  for (let i = 0; i < grads.length; i++) {
    if (Number.isFinite(sums[i + 1]!)) continue;
    const bad = badValue(grads[i]!);
    if (bad !== null) return { value: sums[0]!, bad };
  }
  return { value: sums[0]!, bad: null };
}

/** The tensor with its first non-finite value, or null when it has none. */
function badValue(tensor: tf.Tensor): Readback["bad"] {
  const value = tensor.dataSync().find((v) => !Number.isFinite(v));
  return value === undefined ? null : { tensor, value };
}

/** The DomainError for a non-finite gradient, naming the parameter by its path in the model. */
export function gradientError(grad: unknown, bad: { tensor: tf.Tensor; value: number }, loss: number, index: number): DomainError {
  let where = "";
  fmapStructureWithPath((kp, x) => {
    if (x === bad.tensor && where === "") where = kp.toString({ compact: true }) || "the model itself";
    return null;
  }, grad);
  return new DomainError(
    bad.value,
    `The gradient of ${where} contains ${bad.value} on data item ${index} (0-based), although the loss is finite (${loss}); stopping training, the parameters are as they were before this item`,
  );
}
