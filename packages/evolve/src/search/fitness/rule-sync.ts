// The candidate's rule wins over the rules stored in its state's Leafs: a rule mutation or
// crossover may replace `candidate.rule` only, so before training the state is brought in line
// with it by the operators' own `followRule` (kept where the rule's structure is the same, made
// anew where it changed).
import { followRule } from "../mutations/rule-state.js";
import type { Candidate } from "../interfaces.js";

/**
 * Makes every Leaf of `c.state` use `c.rule`: a vertex whose Leafs' rules have the same structure
 * keeps its state and step; another gets the new rule's initial state. Changes `c.state` in place;
 * frees what it replaces.
 */
export function syncRule(c: Candidate): void {
  followRule(c.state, c.graph, c.rule);
}
