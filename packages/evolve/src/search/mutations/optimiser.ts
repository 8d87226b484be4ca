// NaiveGAflux's OptimiserMutation: another rule type with the same learning rate.
import { Rule } from "@fluxion/optimisers";
import type { Mutation, OperatorContext } from "../interfaces.js";
import { learningRate, mapRuleLeaves } from "./rule-leaves.js";

/** A rule class constructed from named fields, e.g. `Adam` (`new Adam({ eta })`). */
export type RuleType = new (fields: { eta: number }) => Rule;

/**
 * Replaces every rule with a numeric learning rate (through chains and ImplicitOpt; a ShieldedOpt
 * is left alone) by a rule of another type drawn from `types`, with the same learning rate and
 * that type's defaults otherwise. Rules without a learning rate (WeightDecay, ClipNorm) stay.
 */
export class OptimiserMutation implements Mutation<Rule> {
  readonly kind = "mutation";
  readonly types: readonly RuleType[];

  constructor(types: readonly RuleType[]) {
    if (!Array.isArray(types) || types.length === 0) throw new Error("OptimiserMutation: expected a non-empty array of rule classes, e.g. [Descent, Momentum, Adam]");
    types.forEach((T, i) => {
      if (typeof T !== "function" || !(T.prototype instanceof Rule)) throw new Error(`OptimiserMutation: type ${i} is not a rule class (got ${String(T)})`);
    });
    this.types = Object.freeze([...types]);
  }

  apply(rule: Rule, ctx: OperatorContext): { value: Rule; changes: string[] } {
    const changes: string[] = [];
    const value = mapRuleLeaves(rule, (leaf) => {
      const eta = learningRate(leaf);
      if (eta === undefined) return leaf;
      const others = this.types.filter((T) => !(leaf instanceof T));
      if (others.length === 0) return leaf;
      const next = new others[ctx.rng.int(others.length)]!({ eta });
      changes.push(`${leaf.ruleName} → ${next.ruleName}`);
      return next;
    });
    return { value, changes };
  }
}
