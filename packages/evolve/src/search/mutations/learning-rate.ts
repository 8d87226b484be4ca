// NaiveGAflux's LearningRateMutation: nudge each learning rate by up to ±15 %, within [1e-6, 1].
import type { Rule } from "@fluxion/optimisers";
import type { Mutation, OperatorContext } from "../interfaces.js";
import { learningRate, mapRuleLeaves, short } from "./rule-leaves.js";

/** The bounds NaiveGAflux clamps a mutated learning rate to. */
export const LEARNING_RATE_BOUNDS: readonly [number, number] = Object.freeze([1e-6, 1]);

/**
 * `lr ← clamp(lr + (u − 0.5)·lr·0.3, 1e-6, 1)`, u ~ U[0, 1), for every rule with a numeric `eta`
 * (through chains; a ShieldedOpt and rules whose eta is a schedule are left alone).
 */
export class LearningRateMutation implements Mutation<Rule> {
  readonly kind = "mutation";

  apply(rule: Rule, ctx: OperatorContext): { value: Rule; changes: string[] } {
    const changes: string[] = [];
    const value = mapRuleLeaves(rule, (leaf) => {
      const eta = learningRate(leaf);
      if (eta === undefined) return leaf;
      const [lo, hi] = LEARNING_RATE_BOUNDS;
      const next = Math.min(hi, Math.max(lo, eta + (ctx.rng.float() - 0.5) * eta * 0.3));
      if (next === eta) return leaf;
      changes.push(`${leaf.ruleName} learning rate ${short(eta)} → ${short(next)}`);
      return leaf.adjusted({ eta: next });
    });
    return { value, changes };
  }
}
