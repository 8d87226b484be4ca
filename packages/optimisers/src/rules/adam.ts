import { tf } from "@fluxion/backend";
import { defineRule } from "../rule.js";

/** Adam's state: first and second moments, and `[beta1^t, beta2^t]` for bias correction. */
export type AdamState = [m: tf.Tensor, v: tf.Tensor, betaT: [number, number]];

/**
 * Adam (Kingma & Ba): `m ← β1 m + (1−β1) dx`, `v ← β2 v + (1−β2) dx²`,
 * `dx' = m/(1−β1ᵗ) / (sqrt(v/(1−β2ᵗ)) + ϵ) * η`. Defaults `eta = 0.001, beta = [0.9, 0.999], epsilon = 1e-8`.
 */
export class Adam extends defineRule("Adam", { eta: 0.001, beta: [0.9, 0.999], epsilon: 1e-8 }) {
  init(x: tf.Tensor): AdamState {
    const [b1, b2] = this.values().beta;
    return [tf.zerosLike(x), tf.zerosLike(x), [b1, b2]];
  }
  apply([m, v, betaT]: AdamState, _x: tf.Tensor, dx: tf.Tensor): [AdamState, tf.Tensor] {
    const { eta, beta: [b1, b2], epsilon } = this.values();
    return tf.tidy(() => {
      const m2 = tf.add(tf.mul(m, b1), tf.mul(dx, 1 - b1));
      const v2 = tf.add(tf.mul(v, b2), tf.mul(tf.square(dx), 1 - b2));
      const mHat = tf.div(m2, 1 - betaT[0]);
      const vHat = tf.div(v2, 1 - betaT[1]);
      const step = tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), epsilon)), eta);
      return [[m2, v2, [betaT[0] * b1, betaT[1] * b2]], step];
    }) as [AdamState, tf.Tensor];
  }
}
