import { tf } from "@fluxion/backend";
import { KeyPath, functor, isLeaf, isShared, type Key } from "@fluxion/functors";
import { Leaf, type StateTree } from "./leaf.js";
import { Rule } from "./rule.js";
import { copyTree, disposeReplaced, forEachLeaf } from "./state-tensors.js";
import { isNumeric, mayWrite, trainableEntries } from "./trainable.js";

/**
 * Applies the rules to the gradient and returns `[newTree, newModel]`, leaving the inputs
 * untouched: updated parameters and states are new tensors (the caller owns both old and new).
 * `grad` mirrors the model (plain objects for registered classes); `null` or a missing key skips
 * that part, so its state does not advance; a zero gradient still steps.
 */
export function update<M>(tree: StateTree, model: M, grad: unknown): [StateTree, M] {
  checkTree(tree, "update");
  const copy = copyTree(tree);
  try {
    return step(copy, model, grad, false);
  } catch (err) {
    forEachLeaf(copy, (l) => tf.dispose(l.state as tf.TensorContainer)); // the clones are ours
    throw err;
  }
}

/**
 * Like `update`, but assigns new values into the model's `tf.Variable`s and mutates the state tree
 * (disposing replaced state). Non-Variable parameters get new tensors in the returned model; the
 * old ones stay the caller's. Returns `[tree, model]`: use the returned model.
 */
export function updateInPlace<M>(tree: StateTree, model: M, grad: unknown): [StateTree, M] {
  checkTree(tree, "updateInPlace");
  return step(tree, model, grad, true);
}

function checkTree(tree: unknown, fn: string): void {
  if (tree instanceof Rule) {
    throw new Error(`${fn}(tree, model, grad) needs tree = setup(rule, model), not a rule`);
  }
}

type Pending = { leaf: Leaf; x: tf.Tensor; state: unknown; value: tf.Tensor | null };

function step<M>(tree: StateTree, model: M, grad: unknown, inPlace: boolean): [StateTree, M] {
  // Walk 1: gradients per Leaf (tied tensors' gradients summed). Nothing is mutated yet.
  const grads = new Map<Leaf, TiedGrad>();
  const sums: tf.Tensor[] = [];
  const pending: Pending[] = [];
  try {
    accumulate(tree, model, grad, new KeyPath(), grads, sums);
    // Compute every new state and value before committing any, so an error leaves all as it was.
    for (const [leaf, { x, dx }] of grads) {
      if (leaf.frozen) continue;
      const rule = leaf.rule.at(leaf.step);
      const [state, value] = tf.tidy(() => {
        const [s, d] = rule.apply(leaf.state, x, dx);
        if (d === null) return [s, null] as tf.TensorContainer;
        const next = tf.sub(x, d);
        return [s, next.dtype === x.dtype ? next : tf.cast(next, x.dtype)] as tf.TensorContainer;
      }) as unknown as [unknown, tf.Tensor | null];
      pending.push({ leaf, x, state, value });
    }
  } catch (err) {
    for (const p of pending) {
      disposeReplaced(p.state, p.leaf.state);
      p.value?.dispose();
    }
    throw err;
  } finally {
    tf.dispose(sums);
  }

  // Commit: new states into the Leafs, new values into Variables or the rebuilt model.
  const results = new Map<Leaf, tf.Tensor>();
  for (const p of pending) {
    disposeReplaced(p.leaf.state, p.state);
    p.leaf.state = p.state;
    p.leaf.step += 1;
    if (p.value === null) continue;
    if (inPlace && mayWrite(p.x)) {
      p.x.assign(p.value);
      p.value.dispose();
    } else {
      results.set(p.leaf, p.value);
    }
  }
  // All-Variable models written in place need no rebuilding walk.
  return [tree, results.size === 0 ? model : (rebuild(tree, model, results, new Map()) as M)];
}

/** A Leaf's parameter, its summed gradient, and the gradient tensors already added in. */
interface TiedGrad {
  x: tf.Tensor;
  dx: tf.Tensor;
  seen: Set<unknown>;
}

function accumulate(
  tree: unknown,
  x: unknown,
  dx: unknown,
  kp: KeyPath,
  grads: Map<Leaf, TiedGrad>,
  sums: tf.Tensor[],
): void {
  if (dx === null || dx === undefined) return;
  if (tree instanceof Leaf) {
    if (!isNumeric(x)) throw new Error(`update: the state tree has a Leaf at ${kp.toString()} but the model has no trainable tensor there`);
    if (!(dx instanceof tf.Tensor)) {
      throw new Error(`update: the gradient at ${kp.toString()} must be a tensor (or null), got ${typeof dx}`);
    }
    if (!tf.util.arraysEqual(dx.shape, x.shape)) {
      throw new Error(`update: the gradient at ${kp.toString()} has shape [${dx.shape}] but the parameter has shape [${x.shape}]`);
    }
    // A tied tensor's gradient is summed over its places, but one gradient tensor given at
    // several places (a total, as nn's `gradient` gives for tied weights) counts once.
    const prev = grads.get(tree);
    if (!prev) grads.set(tree, { x, dx, seen: new Set([dx]) });
    else if (!prev.seen.has(dx)) {
      const sum = tf.add(prev.dx, dx);
      sums.push(sum);
      prev.seen.add(dx);
      grads.set(tree, { x: prev.x, dx: sum, seen: prev.seen });
    }
    return;
  }
  if (Array.isArray(tree) && tree.length === 0) return; // nothing trainable here
  if (isLeaf(x)) throw new Error(`update: the state tree does not match the model at ${kp.toString()} (the model has a leaf there)`);
  if (typeof dx !== "object") throw new Error(`update: the gradient at ${kp.toString()} must be a tree like the model, got ${typeof dx}`);
  for (const [k, c, t] of trainableEntries(x)) {
    if (!t) continue;
    accumulate(childOf(tree, k, kp), c, childOf(dx, k), kp.push(k), grads, sums);
  }
}

function childOf(node: unknown, k: Key, kp?: KeyPath): unknown {
  if (node instanceof Map) return node.get(k);
  const v = node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined;
  if (kp && v === undefined) throw new Error(`update: the state tree has no entry ${String(k)} at ${kp.toString()}; was it made by setup for this model?`);
  return v;
}

/** The model with updated tensors put in; a node none of whose parameters changed is returned as is. */
function rebuild(tree: unknown, x: unknown, results: Map<Leaf, tf.Tensor>, done: Map<unknown, unknown>): unknown {
  if (tree instanceof Leaf) return results.get(tree) ?? x;
  if ((Array.isArray(tree) && tree.length === 0) || isLeaf(x)) return x;
  if (isShared(x) && done.has(x)) return done.get(x);
  const [ch, re] = functor(x);
  let changed = false;
  const entries = trainableEntries(x).map(([k, c, t]): [Key, unknown] => {
    const n = t ? rebuild(childOf(tree, k), c, results, done) : c;
    changed ||= n !== c;
    return [k, n];
  });
  let out = x;
  if (changed) {
    out = re(Array.isArray(ch) ? entries.map(([, v]) => v) : ch instanceof Map ? new Map(entries) : Object.fromEntries(entries));
  }
  if (isShared(x)) done.set(x, out);
  return out;
}
