// Walking an optimiser rule the way NaiveGAflux's optimiser mutations do: into chains and
// transparent wrappers (ImplicitOpt), stopping at a ShieldedOpt, which is left alone.
import { OptimiserChain, Rule } from "@fluxion/optimisers";
import { ShieldedOpt, WrappedRule } from "../../utils/wrapped-rules.js";

/**
 * `rule` with each of its leaf rules (not chains, not wrappers) replaced by `f(leaf)`; a
 * `ShieldedOpt` and everything inside it stays as it is. Returns `rule` itself when nothing changed.
 */
export function mapRuleLeaves(rule: Rule, f: (leaf: Rule) => Rule): Rule {
  if (rule instanceof ShieldedOpt) return rule;
  if (rule instanceof OptimiserChain) {
    const opts = rule.opts.map((o) => mapRuleLeaves(o, f));
    return opts.every((o, i) => o === rule.opts[i]) ? rule : new OptimiserChain(...opts);
  }
  if (rule instanceof WrappedRule) {
    const inner = mapRuleLeaves(rule.rule, f);
    return inner === rule.rule ? rule : new (rule.constructor as new (r: Rule) => Rule)(inner);
  }
  return f(rule);
}

/** The leaf rules of `rule` a mutation may change (none inside a ShieldedOpt), in order. */
export function mutableRuleLeaves(rule: Rule): Rule[] {
  const out: Rule[] = [];
  mapRuleLeaves(rule, (leaf) => (out.push(leaf), leaf));
  return out;
}

/** The learning rate of a leaf rule, when it has a plain number `eta` (not a schedule). */
export function learningRate(rule: Rule): number | undefined {
  const eta = (rule as unknown as { eta?: unknown }).eta;
  return rule.fieldNames().includes("eta") && typeof eta === "number" ? eta : undefined;
}

/**
 * The structure of a rule without its hyper-parameters, e.g. `OptimiserChain(WeightDecay, Adam)`:
 * two rules of one structure have state trees of one shape, so a state can pass from one to the other.
 */
export function ruleStructure(rule: Rule): string {
  if (rule instanceof OptimiserChain) return `${rule.ruleName}(${rule.opts.map(ruleStructure).join(", ")})`;
  if (rule instanceof WrappedRule) return `${rule.ruleName}(${ruleStructure(rule.rule)})`;
  return rule.ruleName;
}

/** `x` with 3 significant digits, for change descriptions. */
export function short(x: number): string {
  return Number(x.toPrecision(3)).toString();
}
