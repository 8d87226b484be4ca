import { tf } from "@fluxion/backend";
import { fleaves, fmap, isLeaf } from "@fluxion/functors";
import { Leaf } from "./leaf.js";

// A disposed tensor is kept as it is, for `update` to report with its path.
const cloneTensor = (x: unknown): unknown => (x instanceof tf.Tensor && !x.isDisposed ? tf.clone(x) : x);

/** Where walks over a state tree stop to act on a whole Leaf (rule, state, frozen and step). */
export const atLeaf = (x: unknown): boolean => x instanceof Leaf || isLeaf(x);

// Stops at tensors and plain values without asking functors' registry (this runs every step).
const atTensorOrValue = (x: unknown): boolean => x === null || typeof x !== "object" || x instanceof tf.Tensor;

/** Every tensor in a rule state, or in a whole state tree (a Leaf is a functor over its state). */
export function stateTensors(state: unknown, out: Set<tf.Tensor> = new Set()): Set<tf.Tensor> {
  for (const t of fleaves(state, { exclude: atTensorOrValue })) if (t instanceof tf.Tensor) out.add(t);
  return out;
}

/** Disposes the tensors of `old` that `replacement` does not hold. */
export function disposeReplaced(old: unknown, replacement: unknown): void {
  const keep = stateTensors(replacement);
  for (const t of stateTensors(old)) if (!keep.has(t) && !t.isDisposed) t.dispose();
}

/**
 * A copy with every tensor cloned (clones share data; they are cheap): of a rule state, or of a
 * state tree, whose Leafs are copied once each, so ties are kept.
 */
export function cloneState<S>(state: S): S {
  return fmap(cloneTensor, state) as S;
}

/** Calls `fn` once for each distinct Leaf of a state tree, in tree order. */
export function forEachLeaf(tree: unknown, fn: (leaf: Leaf) => void): void {
  for (const x of new Set(fleaves(tree, { exclude: atLeaf }))) if (x instanceof Leaf) fn(x);
}

/** Disposes every state tensor of a tree (what `cloneState` made, when it is not kept). */
export function disposeStates(tree: unknown): void {
  tf.dispose([...stateTensors(tree)]);
}
