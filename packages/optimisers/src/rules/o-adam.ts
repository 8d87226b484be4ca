import { tf } from "@fluxion/backend";
import { defineRule } from "../rule.js";

/** OAdam's state: Adam's moments and `[β1ᵗ, β2ᵗ]`, plus the previous Adam step `term`. */
export type OAdamState = [m: tf.Tensor, v: tf.Tensor, betaT: [number, number], term: tf.Tensor];

/**
 * Optimistic Adam (Daskalakis et al.): moments as in Adam, then
 * `term ← η m/(1−β1ᵗ) / (sqrt(v/(1−β2ᵗ)) + ϵ)` and `dx' = 2 term − term_old`.
 * Defaults `eta = 0.001, beta = [0.5, 0.9], epsilon = 1e-8`.
 */
export class OAdam extends defineRule("OAdam", { eta: 0.001, beta: [0.5, 0.9], epsilon: 1e-8 }) {
  init(x: tf.Tensor): OAdamState {
    const [b1, b2] = this.values().beta;
    return [tf.zerosLike(x), tf.zerosLike(x), [b1, b2], tf.zerosLike(x)];
  }
  apply([m, v, betaT, term]: OAdamState, _x: tf.Tensor, dx: tf.Tensor): [OAdamState, tf.Tensor] {
    const { eta, beta: [b1, b2], epsilon } = this.values();
    return tf.tidy(() => {
      const m2 = tf.add(tf.mul(m, b1), tf.mul(dx, 1 - b1));
      const v2 = tf.add(tf.mul(v, b2), tf.mul(tf.square(dx), 1 - b2));
      const term2 = tf.div(tf.div(tf.mul(m2, eta), 1 - betaT[0]), tf.add(tf.sqrt(tf.div(v2, 1 - betaT[1])), epsilon));
      const step = tf.sub(tf.mul(term2, 2), term);
      return [[m2, v2, [betaT[0] * b1, betaT[1] * b2], term2], step];
    }) as [OAdamState, tf.Tensor];
  }
}
