// Optimiser rules that wrap another rule and train exactly as it does; the wrapper is a label for
// the architecture search (NaiveGAflux's ShieldedOpt and ImplicitOpt).
import type { tf } from "@fluxion/backend";
import { describe, isPlainObject } from "@fluxion/functors";
import { Rule, registerRule } from "@fluxion/optimisers";

/**
 * A rule around `rule`: `init` and `apply` forward to it, `at` (schedules) and `adjusted`
 * (`adjust`) reach inside and keep the wrapper, and it prints as `Name(Rule(...))`. Its one field,
 * `rule`, is what state files save (as a nested rule), so `new W({ rule })` rebuilds it.
 */
export abstract class WrappedRule<S = any> extends Rule<S> {
  readonly rule: Rule<S>;

  constructor(rule: Rule<S> | { rule: Rule<S> }) {
    super();
    const inner = isPlainObject(rule) ? (rule as { rule: Rule<S> }).rule : rule;
    if (!(inner instanceof Rule)) throw new Error(`${this.ruleName}: expected a rule to wrap, got ${describe(inner)}`);
    this.rule = inner;
  }

  init(x: tf.Tensor): S {
    return this.rule.init(x);
  }

  apply(state: S, x: tf.Tensor, dx: tf.Tensor): [S, tf.Tensor | null] {
    return this.rule.apply(state, x, dx);
  }

  override fieldNames(): readonly string[] {
    return ["rule"];
  }

  override at(step: number): this {
    return this.rewrap(this.rule.at(step));
  }

  override adjusted(changes: Readonly<Record<string, unknown>>): this {
    return this.rewrap(this.rule.adjusted(changes));
  }

  override toString(): string {
    return `${this.ruleName}(${this.rule.toString()})`;
  }

  private rewrap(inner: Rule<S>): this {
    return inner === this.rule ? this : new (this.constructor as new (r: Rule<S>) => this)(inner);
  }
}

/**
 * Trains exactly as `rule`, but the optimiser mutations and crossovers of an architecture search
 * leave it alone (NaiveGAflux's `ShieldedOpt`): a global learning-rate schedule wrapped in it stays
 * the same for every candidate. `adjust` still reaches inside it, as it does for any rule.
 */
export class ShieldedOpt<S = any> extends WrappedRule<S> {
  static readonly ruleName = "ShieldedOpt";
}

/**
 * Trains exactly as `rule`, and marks that the model updates itself during the backward pass
 * (its layers are wrapped in `AutoOptimiser`): training must not apply an update of its own
 * (NaiveGAflux's `ImplicitOpt`). `optimiserSetup(new ImplicitOpt(rule), model)` sets the layers up.
 */
export class ImplicitOpt<S = any> extends WrappedRule<S> {
  static readonly ruleName = "ImplicitOpt";
}

// State files name their rules: these load back once this module is imported.
registerRule(ShieldedOpt);
registerRule(ImplicitOpt);
