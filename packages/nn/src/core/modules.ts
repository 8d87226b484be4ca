import { tf } from "@fluxion/backend";
import { fcollect, isLeaf } from "@fluxion/functors";
import { isNumeric } from "@fluxion/optimisers";
import { withinGradient } from "../autodiff/gradient.js";

/** A leaf, or an array of numbers or of numeric tensors (Flux's `isleaflike`). */
export function isLeafLike(x: unknown): boolean {
  return isLeaf(x) || (Array.isArray(x) && (x.every((v) => typeof v === "number") || x.every(isNumeric)));
}

/**
 * Every non-leaf node of `m` in depth-first pre-order, shared ones once (Flux's `modules`): the
 * model, its containers (such as a Chain's `layers` array) and every layer inside.
 */
export function modules(m: unknown): unknown[] {
  return fcollect(m).filter((x) => !isLeafLike(x));
}

/** A layer with a train/test switch: `active` is true, false, or null for automatic. */
export interface HasMode {
  active: boolean | null;
}

const hasMode = (x: unknown): x is HasMode =>
  x !== null && typeof x === "object" && !(x instanceof tf.Tensor) && Object.prototype.hasOwnProperty.call(x, "active");

/**
 * Puts every Dropout / norm layer in `m` in test mode (`mode = true`), train mode (`false`) or
 * automatic mode (`null` or "auto": active only while a gradient is taken). Returns `m`.
 */
export function testMode<M>(m: M, mode: boolean | null | "auto" = true): M {
  if (mode !== true && mode !== false && mode !== null && mode !== "auto") {
    throw new Error(`testMode accepts only true, false, null or "auto", got ${JSON.stringify(mode)}`);
  }
  const active = mode === null || mode === "auto" ? null : !mode;
  for (const node of fcollect(m)) if (hasMode(node)) node.active = active;
  return m;
}

/** Puts every Dropout / norm layer in `m` in train mode (`true`), or test mode (`false`), or automatic. */
export function trainMode<M>(m: M, mode: boolean | null | "auto" = true): M {
  return testMode(m, mode === true ? false : mode === false ? true : mode);
}

/** Whether a layer with a mode acts as in training now (its `active`, else: inside a gradient). */
export function isActive(layer: HasMode): boolean {
  return layer.active ?? withinGradient();
}
