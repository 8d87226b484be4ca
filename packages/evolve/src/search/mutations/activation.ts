// NaiveGAflux's ActivationFunctionMutation: another activation for a Dense / Conv layer.
import { activationName } from "@fluxion/nn";
import { setActivation } from "../../graph/operations.js";
import type { Mutation, OperatorContext } from "../interfaces.js";
import type { Mutated } from "./combinators.js";
import { operationOptions } from "./graph-context.js";
import type { VertexAt } from "./vertex-mutation.js";

/** Gives a layer with an activation (σ) one drawn from `activations`, other than its own; weights and state stay. */
export class ActivationFunctionMutation implements Mutation<VertexAt> {
  readonly kind = "mutation";
  /** The activations it draws from. */
  readonly activations: readonly ((x: any) => any)[];
  constructor(...activations: ((x: any) => any)[]) {
    if (activations.length === 0 || !activations.every((f) => typeof f === "function")) throw new Error("ActivationFunctionMutation: expected one or more activation functions, e.g. (relu, tanh, identity)");
    this.activations = Object.freeze([...activations]);
  }

  apply(at: VertexAt, ctx: OperatorContext): Mutated<VertexAt> {
    const { graph, name } = at;
    const layer = graph.layers[name] as { sigma?: unknown } | undefined;
    if (layer === undefined || layer === null || typeof layer !== "object" || typeof layer.sigma !== "function") return { value: at, changes: [] };
    const others = this.activations.filter((f) => f !== layer.sigma);
    if (others.length === 0) return { value: at, changes: [] };
    const sigma = others[ctx.rng.int(others.length)]!;
    const old = layer.sigma as (x: any) => any;
    setActivation(graph, name, sigma, operationOptions(ctx));
    return { value: at, changes: [`setActivation(${name}, ${activationName(old)} → ${activationName(sigma)})`] };
  }
}
