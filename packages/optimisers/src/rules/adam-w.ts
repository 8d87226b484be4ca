import { tf } from "@fluxion/backend";
import { defineRule } from "../rule.js";
import { ADAM_DOMAINS, adamDirection, initMoments, nextMoments, nextPowers, type BetaPowers } from "./moments.js";
import { nonNegative } from "../domains.js";

/** AdamW's state: Adam's moments and `[β1ᵗ, β2ᵗ]`. */
export type AdamWState = [m: tf.Tensor, v: tf.Tensor, betaT: BetaPowers];

/**
 * AdamW (Loshchilov & Hutter), Adam with weight decay `λ`. With the Adam step at `η = 1`,
 * `u = m/(1−β1ᵗ) / (sqrt(v/(1−β2ᵗ)) + ϵ)`: `dx' = η (u + λ x)` when `couple` (the default, as
 * PyTorch), else `dx' = η u + λ x` (closer to the paper).
 * Defaults `eta = 0.001, beta = [0.9, 0.999], lambda = 0.0, epsilon = 1e-8, couple = true`.
 */
export class AdamW extends defineRule("AdamW", { eta: 0.001, beta: [0.9, 0.999], lambda: 0.0, epsilon: 1e-8, couple: true }, {
  domains: { ...ADAM_DOMAINS, lambda: nonNegative },
}) {
  init(x: tf.Tensor): AdamWState {
    return initMoments(x, this.values().beta);
  }
  apply([m, v, betaT]: AdamWState, x: tf.Tensor, dx: tf.Tensor): [AdamWState, tf.Tensor] {
    const { eta, beta, lambda, epsilon, couple } = this.values();
    return tf.tidy(() => {
      const [m2, v2] = nextMoments(m, v, dx, beta);
      const u = adamDirection(m2, v2, betaT, epsilon);
      const step = couple ? tf.mul(tf.add(u, tf.mul(x, lambda)), eta) : tf.add(tf.mul(u, eta), tf.mul(x, lambda));
      return [[m2, v2, nextPowers(betaT, beta)], step];
    }) as [AdamWState, tf.Tensor];
  }
}
