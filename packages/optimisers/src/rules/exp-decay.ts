import { tf } from "@fluxion/backend";
import { defineRule } from "../rule.js";
import { nonNegative, wholeAtLeast } from "../domains.js";

/** ExpDecay's state: the number of updates applied `n`, and how many of them decayed the rate `k`. */
export type ExpDecayState = [n: number, k: number];

/**
 * Old Flux's (v0.13) step-wise exponential decay, as a rule that scales the gradient by the
 * current rate. Each update first counts `n ← n + 1`; when `n > start` and `n % decayStep == 0`
 * the rate decays once, `rate ← max(rate * decay, clip)`, starting from `eta`; then
 * `dx' = dx * rate`. So after `k` decays the rate is `max(eta*decayᵏ, clip)` (for `decay ≤ 1`).
 * Chain it after the main rule: `new OptimiserChain(new Adam(1), new ExpDecay(0.01))`.
 * Defaults `eta = 0.001, decay = 0.1, decayStep = 1000, clip = 1e-4, start = 1`.
 * `decayStep` is a whole number ≥ 1, `start` a whole number, `decay` and `clip` not negative.
 * The state keeps counts, not the decayed rate, so `adjust` of `eta` or `decay` takes effect at once.
 */
export class ExpDecay extends defineRule("ExpDecay", { eta: 0.001, decay: 0.1, decayStep: 1000, clip: 1e-4, start: 1 }, {
  integers: ["decayStep", "start"],
  domains: { decay: nonNegative, decayStep: wholeAtLeast(1), clip: nonNegative },
}) {
  init(): ExpDecayState {
    return [0, 0];
  }
  apply([n, k]: ExpDecayState, _x: tf.Tensor, dx: tf.Tensor): [ExpDecayState, tf.Tensor] {
    const { eta, decay, decayStep, clip, start } = this.values();
    const n2 = n + 1;
    const k2 = n2 > start && n2 % decayStep === 0 ? k + 1 : k;
    return [[n2, k2], tf.mul(dx, decayedRate(eta, decay, clip, k2))];
  }
}

/**
 * The rate after `k` steps of `rate ← max(rate * decay, clip)` from `eta`, in closed form:
 * `max(eta*decayᵏ, clip*decayʲ for j < k)`, which for `decay, clip ≥ 0` is
 * `max(eta*decayᵏ, clip*max(1, decayᵏ⁻¹))`.
 */
function decayedRate(eta: number, decay: number, clip: number, k: number): number {
  if (k === 0) return eta;
  return Math.max(eta * decay ** k, clip * Math.max(1, decay ** (k - 1)));
}
