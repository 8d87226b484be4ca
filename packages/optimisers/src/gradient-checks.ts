// What `update` requires of a gradient tree: the model's keys only, and at each parameter a live
// float32 tensor of the parameter's shape. Optimisers.jl throws for these mismatches too.
import { tf } from "@fluxion/backend";
import { describe, functor, isPlainObject, type KeyPath } from "@fluxion/functors";

/**
 * The gradient `dx` of a model node `x` that the walk enters: of the same kind (array, Map or
 * object) and with no key `x` lacks. A missing key, like null, means "no gradient".
 */
export function checkGradientNode(fn: string, kp: KeyPath, x: unknown, dx: object): void {
  const at = (): string => `${fn}: the gradient at ${kp.toString()}`; // built only for a message
  if (dx instanceof tf.Tensor) throw new Error(`${at()} is a tensor but the model has ${describe(x)} there`);
  // Plain arrays and objects are their own children: no registry lookup on this per-step path.
  const children = Array.isArray(x) || isPlainObject(x) ? x : functor(x)[0];
  if (Array.isArray(children)) {
    if (!Array.isArray(dx)) throw new Error(`${at()} must be an array like the model's, got ${describe(dx)}`);
    if (dx.length > children.length) throw new Error(`${at()} has ${dx.length} entries but the model has ${children.length} there`);
  } else if (children instanceof Map) {
    if (!(dx instanceof Map)) throw new Error(`${at()} must be a Map like the model's, got ${describe(dx)}`);
    for (const k of dx.keys()) if (!children.has(k)) throw new Error(`${at()} has a key ${String(k)} that the model's Map lacks`);
  } else {
    if (Array.isArray(dx) || dx instanceof Map) {
      throw new Error(
        `${at()} is ${describe(dx)} but the model has ${describe(x)} there` +
          (kp.isEmpty() ? "; gradient(f, model) returns one gradient per argument: pass its first element" : ""),
      );
    }
    if (!isPlainObject(dx) && dx.constructor !== (x as object).constructor) throw new Error(`${at()} must be a plain object of the model's fields, got ${describe(dx)}`);
    for (const k of Object.keys(dx)) {
      if (!Object.hasOwn(children, k)) {
        throw new Error(`${fn}: the gradient at ${kp.push(k).toString()} has no place in the model: ${describe(x)} has only ${Object.keys(children).join(", ") || "no fields"}`);
      }
    }
  }
}

/** The gradient `dx` of parameter `x`: a live float32 tensor of `x`'s shape (`x` live too). */
export function checkGradientTensor(fn: string, kp: KeyPath, x: tf.Tensor, dx: unknown): asserts dx is tf.Tensor {
  const at = (): string => `${fn}: the gradient at ${kp.toString()}`;
  if (!(dx instanceof tf.Tensor)) throw new Error(`${at()} must be a tensor (or null), got ${describe(dx)}`);
  if (x.isDisposed) throw new Error(`${fn}: the parameter at ${kp.toString()} is a disposed tensor`);
  if (dx.isDisposed) throw new Error(`${at()} is a disposed tensor`);
  if (dx.dtype !== "float32") throw new Error(`${at()} is a ${dx.dtype} tensor; gradients must be float32`);
  if (!tf.util.arraysEqual(dx.shape, x.shape)) {
    throw new Error(`${at()} has shape [${dx.shape}] but the parameter has shape [${x.shape}]`);
  }
}
