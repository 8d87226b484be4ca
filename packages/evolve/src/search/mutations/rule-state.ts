// A candidate's optimiser state after its rule changed: hyper-parameters only, the state is kept
// (Adam's moments survive a learning-rate mutation); another rule type, the state is made anew.
import { tf } from "@fluxion/backend";
import { fleaves } from "@fluxion/functors";
import { Leaf, setup, type Rule, type StateTree } from "@fluxion/optimisers";
import type { CompGraph } from "../../graph/comp-graph.js";
import { ruleStructure } from "./rule-leaves.js";

const leavesOf = (tree: unknown): Leaf[] => [...new Set(fleaves(tree, { exclude: (x) => x instanceof Leaf }).filter((x): x is Leaf => x instanceof Leaf))];

/**
 * Makes `state` (the tree of `setup(·, graph)`, changed in place) the state of `rule`, one vertex
 * at a time: where every Leaf's rule has `rule`'s structure (the same types, through chains and
 * wrappers), the Leafs take `rule` and keep their state and step; elsewhere the vertex's state is
 * freed and made anew with `setup(rule, layer)`. Returns the descriptions of what was rebuilt.
 */
export function followRule(state: StateTree, graph: CompGraph, rule: Rule): string[] {
  const layers = (state as { layers?: Record<string, StateTree> }).layers;
  if (layers === undefined || layers === null || typeof layers !== "object") throw new Error("followRule: expected the state tree of a CompGraph (from setup(rule, graph)), with a `layers` field");
  const want = ruleStructure(rule);
  const rebuilt: string[] = [];
  const next: Record<string, StateTree> = { ...layers };
  const made: StateTree[] = [];
  try {
    for (const [name, sub] of Object.entries(layers)) {
      const leaves = leavesOf(sub);
      if (leaves.length === 0 || leaves.every((l) => ruleStructure(l.rule) === want)) continue;
      if (!(name in graph.layers)) throw new Error(`followRule: the state has a vertex '${name}' the graph does not have`);
      next[name] = setup(rule, graph.layers[name]);
      made.push(next[name]!);
      rebuilt.push(name);
    }
  } catch (err) {
    tf.dispose(made.flatMap(tensorsOf));
    throw err;
  }
  for (const name of rebuilt) tf.dispose(tensorsOf(layers[name]));
  for (const leaf of leavesOf(next)) leaf.rule = rule;
  (state as { layers: Record<string, StateTree> }).layers = next;
  return rebuilt;
}

function tensorsOf(tree: unknown): tf.Tensor[] {
  return fleaves(tree).filter((t): t is tf.Tensor => t instanceof tf.Tensor);
}
