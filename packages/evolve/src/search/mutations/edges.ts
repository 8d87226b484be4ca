// NaiveGAflux's AddEdgeMutation / RemoveEdgeMutation: skip connections through merge vertices.
import { tf } from "@fluxion/backend";
import { vertexShapes, type CompGraph } from "../../graph/comp-graph.js";
import { transact } from "../../graph/draft.js";
import { kindOf } from "../../graph/layer-kinds.js";
import { addEdge, checkApply, removeEdge, removeIfSingleInput, removeVertex } from "../../graph/operations.js";
import { consumers, makeSpec, reaches } from "../../graph/spec.js";
import { allowMutation, MutationShield } from "../../graph/traits.js";
import type { Mutation, OperatorContext } from "../interfaces.js";
import type { Mutated } from "./combinators.js";
import { freshName, operationOptions, trySize } from "./graph-context.js";
import type { VertexAt } from "./vertex-mutation.js";

/** Options of `AddEdgeMutation`. */
export interface AddEdgeOptions {
  /** How a new merge vertex joins its inputs: "concat" (default; the function is unchanged) or "add". */
  merge?: "concat" | "add";
}

/**
 * Adds a skip connection from the vertex to a later Dense / Conv vertex of the same spatial shape
 * that does not read it yet and whose trait allows the mutation, drawn uniformly. The edge goes
 * into a merge vertex inserted before the target (its trait `MutationShield(removeIfSingleInput())`,
 * as NaiveGAflux's), or into the target's input when that is a merge vertex already. Into a
 * concatenation the target gets zero weights for the new features, so the function is unchanged.
 */
export class AddEdgeMutation implements Mutation<VertexAt> {
  readonly kind = "mutation";
  readonly merge: "concat" | "add";
  constructor(options: AddEdgeOptions = {}) {
    this.merge = options.merge ?? "concat";
    if (this.merge !== "concat" && this.merge !== "add") throw new Error(`AddEdgeMutation: merge must be "concat" or "add", got ${String(options.merge)}`);
  }

  /** The vertices an edge from `from` may lead to (through a merge vertex before them). */
  targets(graph: CompGraph, from: string): string[] {
    const shapes = vertexShapes(graph);
    const spatial = shapes.get(from)!.slice(0, -1);
    return graph.spec.vertices
      .filter((v) => {
        if (v.op !== "layer" || v.name === from || reaches(graph.spec, v.name, from) || !allowMutation(v.trait, this)) return false;
        if (kindOf(graph.layers[v.name]).size !== "absorb") return false;
        const input = graph.spec.vertices.find((x) => x.name === v.inputs[0])!;
        if (input.name === from || ((input.op === "add" || input.op === "concat") && input.inputs.includes(from))) return false;
        return tf.util.arraysEqual(shapes.get(input.name)!.slice(0, -1), spatial);
      })
      .map((v) => v.name);
  }

  apply(at: VertexAt, ctx: OperatorContext): Mutated<VertexAt> {
    const { graph, name } = at;
    const targets = this.targets(graph, name);
    if (targets.length === 0) return { value: at, changes: [] };
    const target = targets[ctx.rng.int(targets.length)]!;
    const before = graph.spec.vertices.find((v) => v.name === target)!.inputs[0]!;
    const beforeOp = graph.spec.vertices.find((v) => v.name === before)!.op;
    // Into an existing merge vertex that only this target reads, or a new one.
    const reuse = (beforeOp === "add" || beforeOp === "concat") && consumers(graph.spec, before).length === 1;
    const merge = reuse ? before : insertMerge(graph, before, target, this.merge, ctx);
    if (trySize(() => addEdge(graph, name, merge, operationOptions(ctx)))) return { value: at, changes: [`addEdge(${name} → ${merge}${reuse ? "" : ` (new ${this.merge} before ${target})`})`] };
    if (!reuse) removeVertex(graph, merge, operationOptions(ctx)); // one input, one size: only the structure changes back
    return { value: at, changes: [] };
  }
}

/** Inserts a one-input merge vertex (shielded, removed again once it has a single input) between `before` and `target`. */
function insertMerge(graph: CompGraph, before: string, target: string, op: "concat" | "add", ctx: OperatorContext): string {
  const name = freshName(graph.spec, op === "add" ? "add" : "cat", ctx);
  transact(graph, operationOptions(ctx), (d) => {
    const vertices = d.spec.vertices.flatMap((v) =>
      v.name === target ? [{ name, op, inputs: [before], trait: new MutationShield(removeIfSingleInput()) }, { ...v, inputs: [name] }] : [v],
    );
    d.spec = makeSpec(vertices, d.spec.inputs, d.spec.outputs);
  });
  return name;
}

/**
 * Removes a skip connection: an edge from the vertex into a merge vertex with several inputs,
 * drawn uniformly, when the vertex has another reader (so it stays in the graph); then
 * `checkApply` removes merge vertices left with a single input.
 */
export class RemoveEdgeMutation implements Mutation<VertexAt> {
  readonly kind = "mutation";

  apply(at: VertexAt, ctx: OperatorContext): Mutated<VertexAt> {
    const { graph, name } = at;
    const readers = consumers(graph.spec, name);
    const merges = readers.filter((r) => {
      const v = graph.spec.vertices.find((x) => x.name === r.name)!;
      return (v.op === "add" || v.op === "concat") && v.inputs.length > 1;
    });
    if (merges.length === 0 || readers.length < 2) return { value: at, changes: [] };
    const merge = merges[ctx.rng.int(merges.length)]!.name;
    if (!trySize(() => removeEdge(graph, name, merge, operationOptions(ctx)))) return { value: at, changes: [] };
    checkApply(graph, operationOptions(ctx));
    return { value: at, changes: [`removeEdge(${name} → ${merge})`] };
  }
}
