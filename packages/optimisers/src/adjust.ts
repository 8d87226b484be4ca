import type { Leaf, StateTree } from "./leaf.js";
import { Rule } from "./rule.js";
import { cloneState, disposeStates, forEachLeaf } from "./state-tensors.js";
import { checkStateTree } from "./tree-checks.js";

/** A number means the learning rate `eta`; an object sets the named fields. */
export type Adjustment = number | Readonly<Record<string, unknown>>;

function changesOf(adjustment: Adjustment): Readonly<Record<string, unknown>> {
  const changes = typeof adjustment === "number" ? { eta: adjustment } : adjustment;
  if (changes === null || typeof changes !== "object" || Object.keys(changes).length === 0) {
    throw new Error("adjust must be given something to act on: a learning rate or an object of fields");
  }
  return changes;
}

/** A rule's field names, looking through fields that hold a rule (wrappers such as evolve's ShieldedOpt). */
function fieldNamesWithin(rule: Rule): string[] {
  const self = rule as unknown as Record<string, unknown>;
  return rule.fieldNames().flatMap((k) => (self[k] instanceof Rule ? fieldNamesWithin(self[k] as Rule) : [k]));
}

/** The new rules for `rules`, checking that every named field exists in at least one of them. */
function adjustedRules(rules: Rule[], changes: Readonly<Record<string, unknown>>): Rule[] {
  const known = new Set(rules.flatMap(fieldNamesWithin));
  const unknown = Object.keys(changes).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    throw new Error(
      `adjust: no rule here has a field named ${unknown.map((k) => `'${k}'`).join(", ")}; ` +
        `the fields are ${[...known].join(", ") || "(none)"}`,
    );
  }
  return rules.map((r) => r.adjusted(changes));
}

/**
 * Changes hyper-parameters without touching stored state, returning a new tree (with copied
 * state) or, given a bare rule, a new rule. Every rule with a field of that name changes,
 * through chains; a name no rule has is an error. Fields may be set to schedules.
 */
export function adjust<T extends StateTree | Rule>(tree: T, adjustment: Adjustment): T {
  const changes = changesOf(adjustment);
  if (tree instanceof Rule) return adjustedRules([tree], changes)[0] as T;
  checkStateTree(tree, "adjust");
  const copy = cloneState(tree);
  try {
    adjustLeaves(copy as StateTree, changes);
  } catch (err) {
    disposeStates(copy);
    throw err;
  }
  return copy;
}

/** Like `adjust`, mutating the tree's Leafs. On an error nothing is changed. */
export function adjustInPlace(tree: StateTree, adjustment: Adjustment): void {
  if ((tree as unknown) instanceof Rule) throw new Error("adjustInPlace needs a state tree from setup; use adjust(rule, …) for a bare rule");
  const changes = changesOf(adjustment);
  checkStateTree(tree, "adjustInPlace");
  adjustLeaves(tree, changes);
}

/** Every Leaf's rule adjusted; all new rules are made (and checked) before any is set. */
function adjustLeaves(tree: StateTree, changes: Readonly<Record<string, unknown>>): void {
  const leaves: Leaf[] = [];
  forEachLeaf(tree, (l) => leaves.push(l));
  const rules = adjustedRules(
    leaves.map((l) => l.rule),
    changes,
  );
  leaves.forEach((l, i) => (l.rule = rules[i]!));
}
