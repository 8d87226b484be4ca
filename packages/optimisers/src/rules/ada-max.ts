import { tf } from "@fluxion/backend";
import { defineRule } from "../rule.js";

/** AdaMax's state: the first moment `m`, the infinity-norm estimate `u`, and `[β1ᵗ, β2ᵗ]`. */
export type AdaMaxState = [m: tf.Tensor, u: tf.Tensor, betaT: [number, number]];

/**
 * AdaMax (Kingma & Ba), Adam with the infinity norm: `m ← β1 m + (1−β1) dx`,
 * `u ← max(β2 u, |dx|)`, `dx' = (η/(1−β1ᵗ)) * m / (u + ϵ)`.
 * Defaults `eta = 0.001, beta = [0.9, 0.999], epsilon = 1e-8`.
 */
export class AdaMax extends defineRule("AdaMax", { eta: 0.001, beta: [0.9, 0.999], epsilon: 1e-8 }) {
  init(x: tf.Tensor): AdaMaxState {
    const [b1, b2] = this.values().beta;
    return [tf.zerosLike(x), tf.zerosLike(x), [b1, b2]];
  }
  apply([m, u, betaT]: AdaMaxState, _x: tf.Tensor, dx: tf.Tensor): [AdaMaxState, tf.Tensor] {
    const { eta, beta: [b1, b2], epsilon } = this.values();
    return tf.tidy(() => {
      const m2 = tf.add(tf.mul(m, b1), tf.mul(dx, 1 - b1));
      const u2 = tf.maximum(tf.mul(u, b2), tf.abs(dx));
      const step = tf.div(tf.mul(m2, eta / (1 - betaT[0])), tf.add(u2, epsilon));
      return [[m2, u2, [betaT[0] * b1, betaT[1] * b2]], step];
    }) as [AdaMaxState, tf.Tensor];
  }
}
