// NaiveGAflux's NoutMutation: change a layer's output size by a random fraction of it.
import { kindOf } from "../../graph/layer-kinds.js";
import { changeNout } from "../../graph/operations.js";
import { featureSizes } from "../../graph/comp-graph.js";
import type { Mutation, OperatorContext } from "../interfaces.js";
import type { Mutated } from "./combinators.js";
import { operationOptions, resizeReachesShield, trySize } from "./graph-context.js";
import type { VertexAt } from "./vertex-mutation.js";

/**
 * `new NoutMutation(l1, l2)`: for a Dense / Conv vertex of nout n, Δ = ceil(|x|·n)·sign(x) with
 * x ~ U(l1, l2), applied with `changeNout` (weights and optimiser state kept). No change when
 * Δ = 0, when n + Δ ≤ 0, when the change would reach a graph output or a shielded vertex, or
 * when the sizes cannot align (a SizeError).
 */
export class NoutMutation implements Mutation<VertexAt> {
  readonly kind = "mutation";
  constructor(
    readonly l1: number,
    readonly l2: number,
  ) {
    if (!Number.isFinite(l1) || !Number.isFinite(l2) || l1 > l2) throw new Error(`NoutMutation: expected finite bounds l1 ≤ l2, got ${String(l1)} and ${String(l2)}`);
  }

  /** The change Δ for a vertex of `nout` neurons, from one draw of `rng`. */
  delta(nout: number, ctx: Pick<OperatorContext, "rng">): number {
    const x = this.l1 + (this.l2 - this.l1) * ctx.rng.float();
    return Math.ceil(Math.abs(x) * nout) * Math.sign(x);
  }

  apply(at: VertexAt, ctx: OperatorContext): Mutated<VertexAt> {
    const { graph, name } = at;
    const none = { value: at, changes: [] };
    const layer = graph.layers[name];
    if (layer === undefined || kindOf(layer).size !== "absorb") return none;
    const nout = featureSizes(graph).get(name)!;
    const delta = this.delta(nout, ctx);
    if (delta === 0 || nout + delta <= 0 || resizeReachesShield(graph, name, this)) return none;
    if (!trySize(() => changeNout(graph, name, delta, operationOptions(ctx)))) return none;
    return { value: at, changes: [`changeNout(${name}, ${delta > 0 ? "+" : ""}${delta})`] };
  }
}
