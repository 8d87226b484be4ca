// The candidate's rule wins over the rules stored in its state's Leafs: a rule mutation replaces
// `candidate.rule` only, so before training the state is brought in line with it (keeping the
// state where the new rule has the same kind, re-initialising it where the kind changed).
import { isPlainObject } from "@fluxion/functors";
import { Leaf, OptimiserChain, Rule, setup, type StateTree } from "@fluxion/optimisers";
import { dispose } from "@fluxion/nn";
import type { Candidate } from "../interfaces.js";

/** The kind of a rule: its class, and the kinds of the rules it chains or wraps (what its state's layout depends on). */
function kind(rule: Rule): string {
  const wrapped = (rule as unknown as { rule?: unknown }).rule;
  const inner = rule instanceof OptimiserChain ? rule.opts : wrapped instanceof Rule ? [wrapped] : [];
  return `${rule.constructor.name}(${inner.map(kind).join(",")})`;
}

/** Every Leaf of `a` with the node at the same place in `b` (trees of the same structure). */
function pairs(a: unknown, b: unknown, out: [Leaf, unknown][]): [Leaf, unknown][] {
  if (a instanceof Leaf) out.push([a, b]);
  else if (Array.isArray(a)) a.forEach((x, i) => pairs(x, (b as unknown[] | undefined)?.[i], out));
  else if (a instanceof Map) a.forEach((x, k) => pairs(x, (b as Map<unknown, unknown> | undefined)?.get(k), out));
  else if (isPlainObject(a)) Object.entries(a).forEach(([k, x]) => pairs(x, (b as Record<string, unknown> | undefined)?.[k], out));
  return out;
}

/**
 * Makes every Leaf of `c.state` use `c.rule`: a Leaf whose rule has the same kind keeps its state
 * and step; one whose rule's kind differs gets the new rule's initial state (step 0). Mutates the
 * Leafs in place; frees what it replaces.
 */
export function syncRule(c: Candidate): void {
  const leaves = pairs(c.state, undefined, []).map(([l]) => l);
  if (leaves.every((l) => l.rule === c.rule)) return;
  const target = kind(c.rule);
  if (leaves.every((l) => kind(l.rule) === target)) {
    for (const l of leaves) l.rule = c.rule;
    return;
  }
  const fresh: StateTree = setup(c.rule, c.graph);
  for (const [old, neu] of pairs(c.state, fresh, [])) {
    if (!(neu instanceof Leaf)) continue;
    if (kind(old.rule) === target) {
      old.rule = c.rule;
      dispose(neu.state);
    } else {
      dispose(old.state);
      old.rule = c.rule;
      old.state = neu.state;
      old.step = 0;
    }
  }
}
