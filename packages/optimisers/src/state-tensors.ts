import { tf } from "@fluxion/backend";
import { Leaf } from "./leaf.js";

/** Every tensor in a rule state (tensors inside arrays and plain objects). */
export function stateTensors(state: unknown, out: Set<tf.Tensor> = new Set()): Set<tf.Tensor> {
  if (state instanceof tf.Tensor) out.add(state);
  else if (Array.isArray(state)) state.forEach((s) => stateTensors(s, out));
  else if (state !== null && typeof state === "object") Object.values(state).forEach((s) => stateTensors(s, out));
  return out;
}

/** Disposes the tensors of `old` that `replacement` does not hold. */
export function disposeReplaced(old: unknown, replacement: unknown): void {
  const keep = stateTensors(replacement);
  for (const t of stateTensors(old)) if (!keep.has(t) && !t.isDisposed) t.dispose();
}

/** A rule state with every tensor cloned (clones share data; they are cheap). */
export function cloneState<S>(state: S): S {
  if (state instanceof tf.Tensor) return tf.clone(state) as S;
  if (Array.isArray(state)) return state.map(cloneState) as S;
  if (state !== null && typeof state === "object") {
    return Object.fromEntries(Object.entries(state).map(([k, v]) => [k, cloneState(v)])) as S;
  }
  return state;
}

/** Calls `fn` once for each distinct Leaf of a state tree. */
export function forEachLeaf(tree: unknown, fn: (leaf: Leaf) => void, seen: Set<Leaf> = new Set()): void {
  if (tree instanceof Leaf) {
    if (!seen.has(tree)) {
      seen.add(tree);
      fn(tree);
    }
  } else if (Array.isArray(tree)) tree.forEach((t) => forEachLeaf(t, fn, seen));
  else if (tree instanceof Map) tree.forEach((t) => forEachLeaf(t, fn, seen));
  else if (tree !== null && typeof tree === "object" && !(tree instanceof tf.Tensor)) {
    Object.values(tree).forEach((t) => forEachLeaf(t, fn, seen));
  }
}

/** A copy of a state tree with new Leafs (ties kept) and cloned state tensors. */
export function copyTree<T>(tree: T, copies: Map<Leaf, Leaf> = new Map()): T {
  if (tree instanceof Leaf) {
    let c = copies.get(tree);
    if (!c) {
      c = new Leaf(tree.rule, cloneState(tree.state), tree.frozen, tree.step);
      copies.set(tree, c);
    }
    return c as T;
  }
  if (Array.isArray(tree)) return (tree.length === 0 ? tree : tree.map((t) => copyTree(t, copies))) as T;
  if (tree instanceof Map) return new Map([...tree].map(([k, t]) => [k, copyTree(t, copies)])) as T;
  if (tree !== null && typeof tree === "object") {
    return Object.fromEntries(Object.entries(tree).map(([k, t]) => [k, copyTree(t, copies)])) as T;
  }
  return tree;
}
