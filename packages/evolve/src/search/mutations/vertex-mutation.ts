// NaiveGAflux's VertexMutation: a mutation of single vertices applied to the vertices of a graph
// that their traits allow it for (MutationShield, Immutable), in topological order.
import type { CompGraph } from "../../graph/comp-graph.js";
import { allowMutation } from "../../graph/traits.js";
import type { Mutation, OperatorContext } from "../interfaces.js";
import { checkMutation, type Mutated } from "./combinators.js";

/** A vertex of a graph, what vertex-level mutations act on (the graph changes in place). */
export interface VertexAt {
  readonly graph: CompGraph;
  readonly name: string;
}

/** Which vertices a VertexMutation visits: given the graph and the mutation, their names in order. */
export type VertexSelect = (graph: CompGraph, m: Mutation<VertexAt>) => string[];

/** The default selection (NaiveGAflux's `FilterMutationAllowed`): every vertex whose trait allows `m`, in topological order. */
export const mutationAllowed: VertexSelect = (graph, m) => graph.spec.vertices.filter((v) => allowMutation(v.trait, m)).map((v) => v.name);

/**
 * Applies `m` to each vertex `select` picks (default: every vertex whose trait allows `m`), in
 * the graph's topological order as it was at the start; a vertex an earlier application removed
 * is skipped.
 */
export class VertexMutation implements Mutation<CompGraph> {
  readonly kind = "mutation";
  constructor(
    readonly m: Mutation<VertexAt>,
    readonly select: VertexSelect = mutationAllowed,
  ) {
    checkMutation("VertexMutation", m);
    if (typeof select !== "function") throw new Error(`VertexMutation: select must be a function (graph, m) => names, got ${typeof select}`);
  }

  apply(graph: CompGraph, ctx: OperatorContext): Mutated<CompGraph> {
    const changes: string[] = [];
    for (const name of this.select(graph, this.m)) {
      if (!graph.spec.vertices.some((v) => v.name === name)) continue;
      changes.push(...this.m.apply({ graph, name }, ctx).changes);
    }
    return { value: graph, changes };
  }

  /** The mutations it is made of (what a MutationShield checks). */
  mutationLeaves(): readonly unknown[] {
    return [this.m];
  }
}
