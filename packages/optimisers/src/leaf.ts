import { registerFunctor } from "@fluxion/functors";
import type { Rule } from "./rule.js";
import { juliaValue } from "@fluxion/backend/internal";

/**
 * The optimiser state of one parameter: its rule, the rule's state, whether it is frozen, and
 * `step`, the number of updates applied so far (what schedules are evaluated at). A tensor
 * reached twice in a model has one Leaf, so identity encodes parameter sharing.
 */
export class Leaf<S = unknown> {
  constructor(
    public rule: Rule<S>,
    public state: S,
    public frozen = false,
    public step = 0,
  ) {}

  /** `Leaf(Momentum(0.01, 0.9), [0.0, 0.0])`, with `, frozen = true` when frozen. */
  toString(): string {
    return `Leaf(${this.rule.toString()}, ${juliaValue(this.state)}${this.frozen ? ", frozen = true" : ""})`;
  }
}

// A functor over its state (Optimisers.jl's `@functor Leaf (state,)`): fmap reaches the state
// tensors, to clone or move them, and keeps rule, frozen and step. Walks that act on whole Leafs
// stop there with `exclude: (x) => x instanceof Leaf`.
registerFunctor(Leaf, ["state"]);

/** The state-tree node of a parameter-free part of a model (Julia's `()`). */
export const NO_STATE: readonly [] = Object.freeze([]) as readonly [];

/** A state tree from `setup`: Leafs where the model has trainable tensors, `[]` elsewhere. */
export type StateTree = Leaf | readonly [] | readonly StateTree[] | { readonly [key: string]: StateTree } | Map<unknown, StateTree>;
