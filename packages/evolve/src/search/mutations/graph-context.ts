// What graph mutations share: the operation options from an operator context, fresh vertex
// names, and which vertices a size change would reach.
import type { CompGraph } from "../../graph/comp-graph.js";
import { Draft, type OperationOptions } from "../../graph/draft.js";
import type { GraphSpec } from "../../graph/spec.js";
import { SizeError } from "../../graph/size-classes.js";
import { allowMutation } from "../../graph/traits.js";
import type { OperatorContext } from "../interfaces.js";

/** The options a graph operation takes, from the context: its state, rule and generator. */
export function operationOptions(ctx: OperatorContext): OperationOptions {
  return { rng: ctx.rng, ...(ctx.state === undefined ? {} : { state: ctx.state }), ...(ctx.rule === undefined ? {} : { rule: ctx.rule }) };
}

/** A vertex name not in `spec`, starting with `prefix`: `ctx.newName` when given, else `prefix1`, `prefix2`, … */
export function freshName(spec: GraphSpec, prefix: string, ctx: OperatorContext): string {
  const used = new Set(spec.vertices.map((v) => v.name));
  const given = ctx.newName?.(prefix);
  if (given !== undefined && !used.has(given)) return given;
  for (let i = 1; ; i++) if (!used.has(`${prefix}${i}`)) return `${prefix}${i}`;
}

/**
 * Whether changing the size of `name` would change the size of a graph output, or of a layer
 * (other than `name`) whose trait does not allow `mutation` (a MutationShield): the neurons of
 * `name` are tied to theirs through adds and size-invariant vertices. Merge vertices and
 * activations in between only pass the neurons on, so their shields do not count here.
 */
export function resizeReachesShield(graph: CompGraph, name: string, mutation: unknown): boolean {
  const cls = new Draft(graph, {}).classes();
  const mine = new Set(cls.seq.get(name)!.map((id) => cls.classOf[id]!));
  const trait = new Map(graph.spec.vertices.map((v) => [v.name, v.trait]));
  if (graph.spec.outputs.some((o) => cls.seq.get(o)!.some((id) => mine.has(cls.classOf[id]!)))) return true;
  return [...mine].some((c) => cls.members.get(c)!.some((p) => p.owner !== name && !allowMutation(trait.get(p.owner)!, mutation)));
}

/** Runs a graph operation; a SizeError (sizes that cannot align) becomes `false`, "no change". */
export function trySize(op: () => void): boolean {
  try {
    op();
    return true;
  } catch (err) {
    if (err instanceof SizeError) return false;
    throw err;
  }
}
