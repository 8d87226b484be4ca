// NaiveGAflux's OptimiserCrossover and LearningRateCrossover: two children's rules exchange parts.
import { OptimiserChain, type Rule } from "@fluxion/optimisers";
import { ShieldedOpt, WrappedRule } from "../../utils/wrapped-rules.js";
import type { Crossover, OperatorContext } from "../interfaces.js";
import { learningRate, mapRuleLeaves, short } from "../mutations/rule-leaves.js";

type Crossed = { values: [Rule, Rule]; changes: string[] };

/** `rule` without its transparent wrappers (ImplicitOpt), and how to put them back. */
function unwrap(rule: Rule): [Rule, (inner: Rule) => Rule] {
  if (rule instanceof WrappedRule && !(rule instanceof ShieldedOpt)) {
    const [inner, wrap] = unwrap(rule.rule);
    return [inner, (r) => new (rule.constructor as new (x: Rule) => Rule)(wrap(r))];
  }
  return [rule, (r) => r];
}

/**
 * Swaps the two rules; between two chains, swaps them component by component (each pair with
 * probability `p`, default 1; a longer chain's extra components stay). A ShieldedOpt is never
 * swapped; wrappers such as ImplicitOpt stay where they are and their insides are swapped.
 */
export class OptimiserCrossover implements Crossover<Rule> {
  readonly kind = "crossover";
  readonly p: number;
  constructor(options: { p?: number } = {}) {
    this.p = options.p ?? 1;
    if (!(this.p >= 0 && this.p <= 1)) throw new Error(`OptimiserCrossover: p must be a probability in [0, 1], got ${String(options.p)}`);
  }

  /** The two rules after the crossover (new rules), and what changed. */
  apply(a: Rule, b: Rule, ctx: OperatorContext): Crossed {
    const changes: string[] = [];
    const values = this.swap(a, b, ctx, changes);
    return { values, changes };
  }

  private swap(a: Rule, b: Rule, ctx: OperatorContext, changes: string[]): [Rule, Rule] {
    if (a instanceof ShieldedOpt || b instanceof ShieldedOpt) return [a, b];
    const [ia, wrapA] = unwrap(a);
    const [ib, wrapB] = unwrap(b);
    if (ia instanceof ShieldedOpt || ib instanceof ShieldedOpt) return [a, b];
    if (ia instanceof OptimiserChain && ib instanceof OptimiserChain) {
      const n = Math.min(ia.opts.length, ib.opts.length);
      const oa = [...ia.opts];
      const ob = [...ib.opts];
      for (let i = 0; i < n; i++) [oa[i], ob[i]] = this.swap(oa[i]!, ob[i]!, ctx, changes);
      if (oa.every((o, i) => o === ia.opts[i])) return [a, b];
      return [wrapA(new OptimiserChain(...oa)), wrapB(new OptimiserChain(...ob))];
    }
    if (ctx.rng.float() >= this.p) return [a, b];
    changes.push(`swap rules ${ia} ⇄ ${ib}`);
    return [wrapA(ib), wrapB(ia)];
  }
}

/**
 * Swaps the learning rates of the two rules: the i-th rule with a numeric learning rate of one
 * (through chains, not inside a ShieldedOpt) with the i-th of the other.
 */
export class LearningRateCrossover implements Crossover<Rule> {
  readonly kind = "crossover";

  /** The two rules after the crossover (new rules), and what changed. */
  apply(a: Rule, b: Rule, _ctx: OperatorContext): Crossed {
    const etas = (r: Rule): number[] => {
      const out: number[] = [];
      mapRuleLeaves(r, (leaf) => {
        const eta = learningRate(leaf);
        if (eta !== undefined) out.push(eta);
        return leaf;
      });
      return out;
    };
    const [ea, eb] = [etas(a), etas(b)];
    const n = Math.min(ea.length, eb.length);
    const put = (r: Rule, from: number[]): Rule => {
      let i = 0;
      return mapRuleLeaves(r, (leaf) => (learningRate(leaf) !== undefined && i < n ? leaf.adjusted({ eta: from[i++]! }) : leaf));
    };
    const changes = ea.slice(0, n).flatMap((x, i) => (x === eb[i] ? [] : [`swap learning rates ${short(x)} ⇄ ${short(eb[i]!)}`]));
    return changes.length === 0 ? { values: [a, b], changes } : { values: [put(a, eb), put(b, ea)], changes };
  }
}
