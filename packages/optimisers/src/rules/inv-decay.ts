import { tf } from "@fluxion/backend";
import { defineRule } from "../rule.js";
import { nonNegative } from "../domains.js";

/**
 * Old Flux's (v0.13) inverse-time decay, as a rule that scales the gradient:
 * `dx' = dx * 1/(1 + γ*n)`, then `n ← n + 1`. The state is the per-parameter counter `n`, which
 * starts at 1 as in Flux, so the first update is already scaled by `1/(1 + γ)`.
 * Chain it after the main rule: `new OptimiserChain(new Adam(), new InvDecay(0.01))`.
 * Default `gamma = 0.001`; it cannot be negative. A schedule on `eta` usually says this better.
 */
export class InvDecay extends defineRule("InvDecay", { gamma: 0.001 }, { domains: { gamma: nonNegative } }) {
  init(): number {
    return 1;
  }
  apply(n: number, _x: tf.Tensor, dx: tf.Tensor): [number, tf.Tensor] {
    const { gamma } = this.values();
    return [n + 1, tf.mul(dx, 1 / (1 + gamma * n))];
  }
}
