import type { StateTree } from "./leaf.js";
import { forEachLeaf } from "./state-tensors.js";
import { checkStateTree } from "./tree-checks.js";

function setFrozen(tree: StateTree, frozen: boolean, fn: string): void {
  checkStateTree(tree, fn);
  forEachLeaf(tree, (leaf) => (leaf.frozen = frozen));
}

/** Stops updates of every parameter under `tree` (any part of a state tree) until `thaw`. */
export function freeze(tree: StateTree): void {
  setFrozen(tree, true, "freeze");
}

/** Undoes `freeze` for every parameter under `tree`. */
export function thaw(tree: StateTree): void {
  setFrozen(tree, false, "thaw");
}
