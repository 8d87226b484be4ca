import { tf } from "@fluxion/backend";
import { fmap, fmapWithPath, isLeaf, type KeyPath } from "@fluxion/functors";
import { checkGradientNode, checkGradientTensor } from "./gradient-checks.js";
import { Leaf, type StateTree } from "./leaf.js";
import { cloneState, disposeReplaced, disposeStates } from "./state-tensors.js";
import { checkTrainable, mayWrite, trainableWalk, trainableWalkWithPath } from "./trainable.js";
import { checkTreeArgument } from "./tree-checks.js";
import { FusedSteps } from "./fused/fused-step.js";

/**
 * Applies the rules to the gradient and returns `[newTree, newModel]`, leaving the inputs
 * untouched: updated parameters and states are new tensors (the caller owns both old and new).
 * `grad` mirrors the model (plain objects for registered classes); `null` or a missing key skips
 * that part, so its state does not advance; a zero gradient still steps. A key the model lacks, a
 * gradient of another shape, or a state tree that does not fit the model is an error naming its
 * path, and then nothing changes.
 */
export function update<M>(tree: StateTree, model: M, grad: unknown): [StateTree, M] {
  checkArguments("update", tree, grad);
  const copy = cloneState(tree);
  try {
    return step("update", copy, model, grad, false);
  } catch (err) {
    disposeStates(copy); // the clones are ours
    throw err;
  }
}

/**
 * Like `update`, but assigns new values into the model's `tf.Variable`s and mutates the state tree
 * (disposing replaced state). Non-Variable parameters get new tensors in the returned model; the
 * old ones stay the caller's. Returns `[tree, model]`: use the returned model.
 */
export function updateInPlace<M>(tree: StateTree, model: M, grad: unknown): [StateTree, M] {
  checkArguments("updateInPlace", tree, grad);
  return step("updateInPlace", tree, model, grad, true);
}

function checkArguments(fn: string, tree: unknown, grad: unknown): void {
  checkTreeArgument(tree, fn);
  if (grad === undefined) throw new Error(`${fn}(tree, model, grad): no gradient given (pass null to skip the step)`);
}

type Pending = { leaf: Leaf; x: tf.Tensor; state: unknown; value: tf.Tensor | null };

function step<M>(fn: string, tree: StateTree, model: M, grad: unknown, inPlace: boolean): [StateTree, M] {
  // Walk 1: gradients per Leaf (tied tensors' gradients summed). Nothing is mutated yet.
  const grads = new Map<Leaf, TiedGrad>();
  const places = new Map<tf.Tensor, Leaf>(); // each parameter reached, and its Leaf
  const sums: tf.Tensor[] = [];
  const pending: Pending[] = [];
  const fused = new FusedSteps();
  try {
    accumulate(fn, tree, model, grad, grads, sums, places);
    // Compute every new state and value before committing any, so an error leaves all as it was.
    for (const [leaf, { x, dx, kp }] of grads) {
      if (leaf.frozen) continue;
      const rule = leaf.rule.at(leaf.step);
      const problem = rule.stateProblem(leaf.state, x);
      if (problem) throw new Error(`${fn}: the optimiser state at ${kp.toString()} does not fit the parameter: ${problem}`);
      // A Variable updated in place by a rule with fused kernels: planned now, written at the commit.
      const plan = inPlace && mayWrite(x) ? fused.plan(rule, leaf.state, x, dx) : null;
      if (plan) {
        pending.push({ leaf, x, state: plan.state, value: null });
        continue;
      }
      const [state, value] = tf.tidy(() => {
        const [s, d] = rule.apply(leaf.state, x, dx);
        if (d === null) return [s, null] as tf.TensorContainer;
        const next = tf.sub(x, d);
        return [s, next.dtype === x.dtype ? next : tf.cast(next, x.dtype)] as tf.TensorContainer;
      }) as unknown as [unknown, tf.Tensor | null];
      pending.push({ leaf, x, state, value });
    }
    // The commit starts here, with the fused Leafs (before the gradient sums they read are freed,
    // and before any Variable's assign could change what one of their gradients holds).
    fused.runAll();
  } catch (err) {
    disposeReplaced(pending.map((p) => p.state), pending.map((p) => p.leaf.state));
    for (const p of pending) p.value?.dispose();
    throw err;
  } finally {
    tf.dispose(sums);
  }

  // Commit: new states into the Leafs, new values into Variables or the rebuilt model.
  // One walk over all old and all new states, not two per Leaf (the per-call overhead).
  disposeReplaced(pending.map((p) => p.leaf.state), pending.map((p) => p.state));
  const results = new Map<Leaf, tf.Tensor>();
  for (const p of pending) {
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
  // All-Variable models written in place need no rebuilding walk. A node none of whose
  // parameters changed is kept as it is.
  if (results.size === 0) return [tree, model];
  const updated = (x: unknown): unknown => results.get(places.get(x as tf.Tensor)!) ?? x;
  return [tree, fmap({ walk: rebuildWalk }, updated, model) as M];
}

/** A Leaf's parameter, its summed gradient, and the gradient tensors already added in. */
interface TiedGrad {
  x: tf.Tensor;
  dx: tf.Tensor;
  seen: Set<unknown>;
  /** The parameter's first path, for messages. */
  kp: KeyPath;
}

const isNoState = (t: unknown): boolean => Array.isArray(t) && t.length === 0;
const gradientWalk = trainableWalkWithPath({ structural: true });
const rebuildWalk = trainableWalk();

/** Where the walk over (model, tree, grad) stops: a Leaf, nothing to do, or a mismatch for `addGradient` to report. */
const atParameter = (fn: string) => (kp: KeyPath, x: unknown, t: unknown, dx: unknown): boolean => {
  if (dx === null || dx === undefined || t === undefined || t instanceof Leaf || isNoState(t) || isLeaf(x) || typeof dx !== "object") return true;
  if (x instanceof Leaf || t instanceof tf.Tensor) return true; // swapped arguments, reported by addGradient
  checkGradientNode(fn, kp, x, dx); // the walk goes on into x: dx must have x's keys only
  return false;
};

/**
 * Walk 1 of a step: the gradient of each Leaf, from the model, state tree and gradient walked
 * together (trainable children only; a null or missing gradient skips its part). No cache: a tied
 * tensor is visited at each of its places, so its gradients are summed.
 */
function accumulate(fn: string, tree: unknown, model: unknown, grad: unknown, grads: Map<Leaf, TiedGrad>, sums: tf.Tensor[], places: Map<tf.Tensor, Leaf>): void {
  const addGradient = (kp: KeyPath, x: unknown, t: unknown, dx: unknown): void => {
    if (x instanceof Leaf || t instanceof tf.Tensor) {
      throw new Error(`${fn}: the model has a Leaf or the state tree a tensor at ${kp.toString()}; the arguments are (tree, model, grad) with tree = setup(rule, model)`);
    }
    if (t === undefined) {
      throw new Error(`${fn}: the state tree has no entry ${String(kp.last())} at ${kp.slice(0, -1).toString()}; was it made by setup for this model?`);
    }
    if (dx === null || dx === undefined || isNoState(t)) return;
    if (!(t instanceof Leaf)) {
      if (isLeaf(x)) throw new Error(`${fn}: the state tree does not match the model at ${kp.toString()} (the model has a leaf there)`);
      throw new Error(`${fn}: the gradient at ${kp.toString()} must be a tree like the model, got ${typeof dx}`);
    }
    if (!checkTrainable(x, kp, fn)) throw new Error(`${fn}: the state tree has a Leaf at ${kp.toString()} but the model has no trainable tensor there`);
    checkGradientTensor(fn, kp, x, dx);
    places.set(x, t);
    // A tied tensor's gradient is summed over its places, but one gradient tensor given at
    // several places (a total, as nn's `gradient` gives for tied weights) counts once.
    const prev = grads.get(t);
    if (!prev) grads.set(t, { x, dx, seen: new Set([dx]), kp });
    else if (!prev.seen.has(dx)) {
      const sum = tf.add(prev.dx, dx);
      sums.push(sum);
      prev.seen.add(dx);
      grads.set(t, { ...prev, dx: sum });
    }
  };
  fmapWithPath({ exclude: atParameter(fn), walk: gradientWalk, cache: null }, addGradient, model, tree, grad);
}
