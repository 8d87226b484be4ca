import { tf } from "@fluxion/backend";
import { defineRule } from "../rule.js";
import { ADAM_DOMAINS, adamDirection, initMoments, nextMoments, nextPowers, type BetaPowers } from "./moments.js";

/** OAdam's state: Adam's moments and `[β1ᵗ, β2ᵗ]`, plus the previous Adam step `term`. */
export type OAdamState = [m: tf.Tensor, v: tf.Tensor, betaT: BetaPowers, term: tf.Tensor];

/**
 * Optimistic Adam (Daskalakis et al.): moments as in Adam, then
 * `term ← η m/(1−β1ᵗ) / (sqrt(v/(1−β2ᵗ)) + ϵ)` and `dx' = 2 term − term_old`.
 * Defaults `eta = 0.001, beta = [0.5, 0.9], epsilon = 1e-8`.
 */
export class OAdam extends defineRule("OAdam", { eta: 0.001, beta: [0.5, 0.9], epsilon: 1e-8 }, { domains: ADAM_DOMAINS }) {
  init(x: tf.Tensor): OAdamState {
    return [...initMoments(x, this.values().beta), tf.zerosLike(x)];
  }
  apply([m, v, betaT, term]: OAdamState, _x: tf.Tensor, dx: tf.Tensor): [OAdamState, tf.Tensor] {
    const { eta, beta, epsilon } = this.values();
    return tf.tidy(() => {
      const [m2, v2] = nextMoments(m, v, dx, beta);
      const term2 = tf.mul(adamDirection(m2, v2, betaT, epsilon), eta);
      const step = tf.sub(tf.mul(term2, 2), term);
      return [[m2, v2, nextPowers(betaT, beta), term2], step];
    }) as [OAdamState, tf.Tensor];
  }
}
