import type { tf } from "@fluxion/backend";
import { Rule } from "../rule.js";

/**
 * Applies rules in sequence, each to the previous one's update (a left fold); its state is the
 * array of the rules' states. When a rule returns `null` (e.g. AccumGrad between its steps) the
 * rest of the chain is skipped and keeps its state. `new OptimiserChain()` is the identity.
 */
export class OptimiserChain extends Rule<unknown[]> {
  static readonly ruleName = "OptimiserChain";
  readonly opts: readonly Rule[];

  constructor(...opts: Rule[]) {
    super();
    opts.forEach((o, i) => {
      if (!(o instanceof Rule)) throw new Error(`OptimiserChain: argument ${i + 1} is not a rule (got ${String(o)})`);
    });
    this.opts = Object.freeze([...opts]);
  }

  init(x: tf.Tensor): unknown[] {
    return this.opts.map((o) => o.init(x));
  }

  apply(states: unknown[], x: tf.Tensor, dx: tf.Tensor): [unknown[], tf.Tensor | null] {
    let current: tf.Tensor | null = dx;
    const next = this.opts.map((o, i) => {
      if (current === null) return states[i];
      // Intermediate updates are freed by the tf.tidy the tree update runs this in.
      const [s, d] = o.apply(states[i], x, current);
      current = d;
      return s;
    });
    return [next, current];
  }

  override fieldNames(): readonly string[] {
    return [...new Set(this.opts.flatMap((o) => o.fieldNames()))];
  }

  override at(step: number): this {
    const opts = this.opts.map((o) => o.at(step));
    return opts.every((o, i) => o === this.opts[i]) ? this : (new OptimiserChain(...opts) as this);
  }

  override adjusted(changes: Readonly<Record<string, unknown>>): this {
    const opts = this.opts.map((o) => o.adjusted(changes));
    return opts.every((o, i) => o === this.opts[i]) ? this : (new OptimiserChain(...opts) as this);
  }

  override toString(): string {
    return `OptimiserChain(${this.opts.join(", ")})`;
  }
}

/** Old Flux's name for OptimiserChain. */
export function Optimiser(...opts: Rule[]): OptimiserChain {
  return new OptimiserChain(...opts);
}
