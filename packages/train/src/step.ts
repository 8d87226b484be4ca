// One training step (Flux's `trainstep!` and `trainstep_withgradient!`): gradient, guard, update.
import { tf } from "@fluxion/backend";
import { updateInPlace, type StateTree } from "@fluxion/optimisers";
import { withGradient, type GradTree } from "@fluxion/nn";
import { gradientError, readLossAndGradients } from "./finite-guard.js";

/** What a loss may return: a scalar tensor, or `[loss, ...aux]`, or an object whose first entry is the loss. */
export type LossValue = tf.Tensor | readonly [tf.Tensor, ...unknown[]] | { readonly [key: string]: unknown };

/** A loss: the model first, then the batch's parts. */
export type Loss<M, V extends LossValue = LossValue> = (model: M, ...batch: any[]) => V;

/** What `trainStep` returns for a loss returning `V`: the loss as a number, aux passed through. */
export type StepValue<V> = V extends tf.Tensor
  ? number
  : V extends readonly [tf.Tensor, ...infer A]
    ? [number, ...A]
    : V extends readonly unknown[]
      ? [number, ...unknown[]]
      : V extends { loss: tf.Tensor }
        ? Omit<V, "loss"> & { loss: number }
        : { [K in keyof V]: V[K] extends tf.Tensor ? V[K] | number : V[K] };

/** Options of `trainStep` and `trainStepWithGradient`. */
export interface StepOptions {
  /** The data item's number, for error messages (`train` passes its 0-based count). */
  index?: number;
  /** Check that every gradient tensor is finite before the update (default true). */
  checkGradients?: boolean;
}

/** A step's outcome: the value with the loss as a number, the loss, and the model's gradient. */
export interface Taken<V> {
  val: StepValue<V>;
  loss: number;
  grad: GradTree;
}

/**
 * Flux's `trainstep!`: the gradient of `loss(model, ...batch)` (or `loss(model, batch)` when the
 * batch is not an array), then `updateInPlace`. Returns the loss measured before the update, as a
 * number; when the loss returns `[loss, ...aux]` or `{ loss, ...rest }`, the same with the loss as a
 * number (aux tensors are the caller's to dispose). A NaN or infinite loss skips the update and is
 * returned (`train` throws on it); a non-finite gradient with a finite loss throws a DomainError
 * naming the parameter, and nothing is updated.
 */
export function trainStep<M, V extends LossValue>(loss: Loss<M, V>, model: M, batch: unknown, optState: StateTree, options: StepOptions | number = {}): StepValue<V> {
  const taken = takeStep(loss, model, batch, optState, options);
  tf.dispose(taken.grad as tf.TensorContainer);
  return taken.val;
}

/**
 * Flux's `trainstep_withgradient!`: `trainStep` that also returns the model's gradient (the first
 * element of `withGradient`'s `grad`), as `{ val, grad }` like `withGradient`. The gradient's
 * tensors are the caller's to dispose; it is returned even when a non-finite loss skipped the update.
 */
export function trainStepWithGradient<M, V extends LossValue>(
  loss: Loss<M, V>,
  model: M,
  batch: unknown,
  optState: StateTree,
  options: StepOptions | number = {},
): { val: StepValue<V>; grad: GradTree } {
  const { val, grad } = takeStep(loss, model, batch, optState, options);
  return { val, grad };
}

/** The shared step. On any error every tensor it made is disposed and the parameters are untouched. */
export function takeStep<M, V extends LossValue>(loss: Loss<M, V>, model: M, batch: unknown, optState: StateTree, options: StepOptions | number): Taken<V> {
  const { index = 0, checkGradients = true } = typeof options === "number" ? { index: options } : options;
  const parts = Array.isArray(batch) ? batch : [batch];
  const { val, grad } = withGradient((m: M) => loss(m, ...parts), model);
  // Only the model is differentiated, so its gradient is the first (and only) element.
  const g = grad[0]!;
  const lossTensor = lossOf(val);
  try {
    const { value, bad } = readLossAndGradients(lossTensor, g, checkGradients);
    const finite = Number.isFinite(value);
    if (finite && bad !== null) throw gradientError(g, bad, value, index);
    if (finite) updateInPlace(optState, model, g);
    lossTensor.dispose();
    return { val: withLoss(val, value) as StepValue<V>, loss: value, grad: g };
  } catch (error) {
    tf.dispose([val, g] as tf.TensorContainer);
    throw error;
  }
}

// The loss tensor in what the loss function returned (withGradient has checked it is one).
function lossOf(val: LossValue): tf.Tensor {
  if (val instanceof tf.Tensor) return val;
  return (Array.isArray(val) ? val[0] : Object.values(val)[0]) as tf.Tensor;
}

// The returned value with the loss tensor replaced by its number.
function withLoss(val: LossValue, value: number): unknown {
  if (val instanceof tf.Tensor) return value;
  if (Array.isArray(val)) return [value, ...val.slice(1)];
  return { ...val, [Object.keys(val)[0]!]: value };
}
