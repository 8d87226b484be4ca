import { tf } from "@fluxion/backend";
import { defineRule } from "../rule.js";
import { ADAM_DOMAINS, adamDirection, initMoments, nextMoments, nextPowers, type BetaPowers } from "./moments.js";

/** Adam's state: first and second moments, and `[beta1^t, beta2^t]` for bias correction. */
export type AdamState = [m: tf.Tensor, v: tf.Tensor, betaT: BetaPowers];

/**
 * Adam (Kingma & Ba): `m ← β1 m + (1−β1) dx`, `v ← β2 v + (1−β2) dx²`,
 * `dx' = m/(1−β1ᵗ) / (sqrt(v/(1−β2ᵗ)) + ϵ) * η`. Defaults `eta = 0.001, beta = [0.9, 0.999], epsilon = 1e-8`.
 */
export class Adam extends defineRule("Adam", { eta: 0.001, beta: [0.9, 0.999], epsilon: 1e-8 }, { domains: ADAM_DOMAINS }) {
  init(x: tf.Tensor): AdamState {
    return initMoments(x, this.values().beta);
  }
  apply([m, v, betaT]: AdamState, _x: tf.Tensor, dx: tf.Tensor): [AdamState, tf.Tensor] {
    const { eta, beta, epsilon } = this.values();
    return tf.tidy(() => {
      const [m2, v2] = nextMoments(m, v, dx, beta);
      const step = tf.mul(adamDirection(m2, v2, betaT, epsilon), eta);
      return [[m2, v2, nextPowers(betaT, beta)], step];
    }) as [AdamState, tf.Tensor];
  }
}
