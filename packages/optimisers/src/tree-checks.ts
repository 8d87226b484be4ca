// Checks that an argument is a state tree from `setup`, not a model, a gradient or a rule.
import { tf } from "@fluxion/backend";
import { KeyPath, describe, fmapWithPath, functor, isLeaf, isPlainObject, type Key } from "@fluxion/functors";
import { Leaf } from "./leaf.js";
import { Rule } from "./rule.js";
import { checkTrainable, trainableWalkWithPath } from "./trainable.js";

/** What a state tree's node may be: a Leaf or a container of nodes (`[]` is NO_STATE). */
function isContainer(x: unknown): boolean {
  return Array.isArray(x) || isPlainObject(x) || x instanceof Map;
}

/** The top of a state tree given to `update`: no rule, tensor or layer (the walk checks the rest). */
export function checkTreeArgument(tree: unknown, fn: string): void {
  if (tree instanceof Rule) throw new Error(`${fn}(tree, model, grad) needs tree = setup(rule, model), not a rule`);
  if (!(tree instanceof Leaf) && !isContainer(tree)) {
    throw new Error(`${fn}(tree, model, grad) needs tree = setup(rule, model), got ${describe(tree)}${swapHint(tree)}`);
  }
}

/**
 * The whole of `tree` is a state tree: Leafs, and arrays, plain objects and Maps of them. Anything
 * else (a tensor, a number, a layer) means a model was given: Optimisers.jl refuses it too.
 */
export function checkStateTree(tree: unknown, fn: string): void {
  const visit = (x: unknown, kp: KeyPath): void => {
    if (x instanceof Leaf) return;
    if (!isContainer(x)) {
      const where = kp.isEmpty() ? "" : ` at ${kp.toString()}`;
      throw new Error(`${fn} must not be applied to a model, only to the state tree from setup (found ${describe(x)}${where})`);
    }
    if (x instanceof Map) for (const [k, v] of x) visit(v, kp.push(k));
    else for (const [k, v] of Object.entries(x as object)) visit(v, kp.push(Array.isArray(x) ? Number(k) : k));
  };
  visit(tree, new KeyPath());
}

function swapHint(x: unknown): string {
  return x instanceof tf.Tensor || (x !== null && typeof x === "object") ? " (are the tree and the model swapped?)" : "";
}

/**
 * `tree` fits `model`: a Leaf at each trainable tensor, whose state fits it (shapes and dtypes,
 * `Rule.stateProblem`), and no Leaf elsewhere. For state loaded from a file, before it is used.
 */
export function checkTreeFitsModel(tree: unknown, model: unknown, fn: string): void {
  const stop = (kp: KeyPath, x: unknown, t: unknown): boolean => {
    if (t === undefined || t instanceof Leaf || isNoState(t) || isLeaf(x) || x instanceof tf.Tensor) return true;
    const extra = entriesOf(t).find((k) => !hasChild(x, k));
    if (extra !== undefined) throw new Error(`${fn}: the state tree has an entry at ${kp.push(extra).toString()} that the model lacks; was it saved for another model?`);
    return false;
  };
  const check = (kp: KeyPath, x: unknown, t: unknown): void => {
    if (t === undefined) throw new Error(`${fn}: the state tree has no entry at ${kp.toString()} of the model; was it saved for another model?`);
    const trained = checkTrainable(x, kp, fn);
    if (trained && !(t instanceof Leaf)) throw new Error(`${fn}: the model has a parameter at ${kp.toString()} but the state tree has ${describe(t)} there`);
    if (!trained && t instanceof Leaf) throw new Error(`${fn}: the state tree has a Leaf at ${kp.toString()} but the model has ${describe(x)} there`);
    const problem = trained && (t as Leaf).rule.stateProblem((t as Leaf).state, x);
    if (problem) throw new Error(`${fn}: the optimiser state at ${kp.toString()} does not fit the model: ${problem}`);
  };
  fmapWithPath({ exclude: stop, walk: trainableWalkWithPath({ structural: true }), cache: null }, check, model, tree);
}

const isNoState = (t: unknown): boolean => Array.isArray(t) && t.length === 0;

function entriesOf(t: unknown): Key[] {
  if (t instanceof Map) return [...t.keys()];
  if (Array.isArray(t)) return t.map((_, i) => i);
  return t !== null && typeof t === "object" ? Object.keys(t) : [];
}

function hasChild(x: unknown, k: Key): boolean {
  const [children] = functor(x);
  if (children instanceof Map) return children.has(k);
  return Object.hasOwn(children as object, k as PropertyKey);
}
