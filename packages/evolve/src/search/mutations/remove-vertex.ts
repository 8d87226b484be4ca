// NaiveGAflux's RemoveVertexMutation: remove a layer; its readers read its input.
import { vertexShapes, featureSizes } from "../../graph/comp-graph.js";
import { removeVertex } from "../../graph/operations.js";
import { tf } from "@fluxion/backend";
import type { Mutation, OperatorContext } from "../interfaces.js";
import type { Mutated } from "./combinators.js";
import { operationOptions, resizeReachesShield, trySize } from "./graph-context.js";
import type { VertexAt } from "./vertex-mutation.js";

/**
 * Removes a layer vertex that is not a graph output and whose input has the same spatial shape
 * (so no later layer sees another shape); sizes that differ are aligned by `removeVertex`'s
 * rule (grow the smaller side, else shrink the bigger). No change when the alignment would reach
 * an output or a shielded vertex, or cannot be made (a SizeError).
 */
export class RemoveVertexMutation implements Mutation<VertexAt> {
  readonly kind = "mutation";

  apply(at: VertexAt, ctx: OperatorContext): Mutated<VertexAt> {
    const { graph, name } = at;
    const none = { value: at, changes: [] };
    const v = graph.spec.vertices.find((x) => x.name === name)!;
    if (v.op !== "layer" || graph.spec.outputs.includes(name)) return none;
    const from = v.inputs[0]!;
    const shapes = vertexShapes(graph);
    if (!tf.util.arraysEqual(shapes.get(from)!.slice(0, -1), shapes.get(name)!.slice(0, -1))) return none;
    const sizes = featureSizes(graph);
    if (sizes.get(from) !== sizes.get(name) && (resizeReachesShield(graph, from, this) || resizeReachesShield(graph, name, this))) return none;
    return trySize(() => removeVertex(graph, name, operationOptions(ctx))) ? { value: at, changes: [`removeVertex(${name})`] } : none;
  }
}
