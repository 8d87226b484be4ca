// NaiveGAflux's AddVertexMutation: a new identity-initialised layer after a vertex.
import { dispose, identityInit } from "@fluxion/nn";
import { vertexShapes } from "../../graph/comp-graph.js";
import { insertAfter } from "../../graph/operations.js";
import { allowMutation } from "../../graph/traits.js";
import type { Mutation, OperatorContext } from "../interfaces.js";
import type { LayerSpace } from "../spaces/layer-spaces.js";
import type { Mutated } from "./combinators.js";
import { freshName, operationOptions, trySize } from "./graph-context.js";
import type { VertexAt, VertexSelect } from "./vertex-mutation.js";

/**
 * Inserts after the vertex a layer from `space` that gives as many features as it reads, its
 * weight identity-initialised (biases zero): the function is unchanged where its activation
 * passes the values through (identity; relu after a relu). The optimiser state gets the new
 * layer's entries. No change where the space does not fit the vertex's output.
 */
export class AddVertexMutation implements Mutation<VertexAt> {
  readonly kind = "mutation";
  constructor(readonly space: LayerSpace) {
    if (space === null || typeof space !== "object" || typeof space.layer !== "function" || typeof space.fits !== "function") {
      throw new Error("AddVertexMutation: expected a layer space (DenseSpace, ConvSpace or an object with prefix, fits and layer)");
    }
  }

  apply(at: VertexAt, ctx: OperatorContext): Mutated<VertexAt> {
    const { graph, name } = at;
    const shape = vertexShapes(graph).get(name)!.slice(1);
    if (!this.space.fits(shape)) return { value: at, changes: [] };
    const layer = this.space.layer(shape, ctx.rng, { nout: shape.at(-1)!, init: identityInit });
    const added = freshName(graph.spec, this.space.prefix, ctx);
    let done = false;
    try {
      done = trySize(() => insertAfter(graph, name, added, layer, operationOptions(ctx)));
    } finally {
      if (!done) dispose(layer);
    }
    return done ? { value: at, changes: [`insertAfter(${name}, ${added}: ${String((layer as { repr?: () => string }).repr?.() ?? added)})`] } : { value: at, changes: [] };
  }
}

/**
 * A selection for mutations that add after a vertex: the graph's inputs (whose size is fixed, but
 * which may be followed by a new layer: how a model with no hidden layer gains one) and every
 * vertex whose trait allows the mutation.
 */
export const insertionPoints: VertexSelect = (graph, m) => graph.spec.vertices.filter((v) => v.op === "input" || allowMutation(v.trait, m)).map((v) => v.name);
