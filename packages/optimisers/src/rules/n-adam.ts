import { tf } from "@fluxion/backend";
import { defineRule } from "../rule.js";
import { ADAM_DOMAINS, initMoments, nextMoments, nextPowers, unbiased, type BetaPowers } from "./moments.js";

/** NAdam's state: Adam's moments and `[β1ᵗ, β2ᵗ]`. */
export type NAdamState = [m: tf.Tensor, v: tf.Tensor, betaT: BetaPowers];

/**
 * NAdam (Dozat), Adam with Nesterov momentum: moments as in Adam, then
 * `dx' = (β1 m/(1−β1 β1ᵗ) + (1−β1) dx/(1−β1ᵗ)) / (sqrt(v β2/(1−β2ᵗ)) + ϵ) * η`
 * (the extra `β2` inside the square root is Optimisers.jl's).
 * Defaults `eta = 0.001, beta = [0.9, 0.999], epsilon = 1e-8`.
 */
export class NAdam extends defineRule("NAdam", { eta: 0.001, beta: [0.9, 0.999], epsilon: 1e-8 }, { domains: ADAM_DOMAINS }) {
  init(x: tf.Tensor): NAdamState {
    return initMoments(x, this.values().beta);
  }
  apply([m, v, betaT]: NAdamState, _x: tf.Tensor, dx: tf.Tensor): [NAdamState, tf.Tensor] {
    const { eta, beta, epsilon } = this.values();
    const [b1, b2] = beta;
    return tf.tidy(() => {
      const [m2, v2] = nextMoments(m, v, dx, beta);
      const num = tf.add(unbiased(tf.mul(m2, b1), b1 * betaT[0]), unbiased(tf.mul(dx, 1 - b1), betaT[0]));
      const den = tf.add(tf.sqrt(unbiased(tf.mul(v2, b2), betaT[1])), epsilon);
      return [[m2, v2, nextPowers(betaT, beta)], tf.mul(tf.div(num, den), eta)];
    }) as [NAdamState, tf.Tensor];
  }
}
