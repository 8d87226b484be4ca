import { tf } from "@fluxion/backend";
import { defineRule } from "../rule.js";

/** NAdam's state: Adam's moments and `[β1ᵗ, β2ᵗ]`. */
export type NAdamState = [m: tf.Tensor, v: tf.Tensor, betaT: [number, number]];

/**
 * NAdam (Dozat), Adam with Nesterov momentum: moments as in Adam, then
 * `dx' = (β1 m/(1−β1 β1ᵗ) + (1−β1) dx/(1−β1ᵗ)) / (sqrt(v β2/(1−β2ᵗ)) + ϵ) * η`
 * (the extra `β2` inside the square root is Optimisers.jl's).
 * Defaults `eta = 0.001, beta = [0.9, 0.999], epsilon = 1e-8`.
 */
export class NAdam extends defineRule("NAdam", { eta: 0.001, beta: [0.9, 0.999], epsilon: 1e-8 }) {
  init(x: tf.Tensor): NAdamState {
    const [b1, b2] = this.values().beta;
    return [tf.zerosLike(x), tf.zerosLike(x), [b1, b2]];
  }
  apply([m, v, betaT]: NAdamState, _x: tf.Tensor, dx: tf.Tensor): [NAdamState, tf.Tensor] {
    const { eta, beta: [b1, b2], epsilon } = this.values();
    return tf.tidy(() => {
      const m2 = tf.add(tf.mul(m, b1), tf.mul(dx, 1 - b1));
      const v2 = tf.add(tf.mul(v, b2), tf.mul(tf.square(dx), 1 - b2));
      const num = tf.add(tf.div(tf.mul(m2, b1), 1 - b1 * betaT[0]), tf.div(tf.mul(dx, 1 - b1), 1 - betaT[0]));
      const den = tf.add(tf.sqrt(tf.div(tf.mul(v2, b2), 1 - betaT[1])), epsilon);
      return [[m2, v2, [betaT[0] * b1, betaT[1] * b2]], tf.mul(tf.div(num, den), eta)];
    }) as [NAdamState, tf.Tensor];
  }
}
