import { tf } from "@fluxion/backend";
import { defineRule } from "../rule.js";

/** AdamW's state: Adam's moments and `[β1ᵗ, β2ᵗ]`. */
export type AdamWState = [m: tf.Tensor, v: tf.Tensor, betaT: [number, number]];

/**
 * AdamW (Loshchilov & Hutter), Adam with weight decay `λ`. With the Adam step at `η = 1`,
 * `u = m/(1−β1ᵗ) / (sqrt(v/(1−β2ᵗ)) + ϵ)`: `dx' = η (u + λ x)` when `couple` (the default, as
 * PyTorch), else `dx' = η u + λ x` (closer to the paper).
 * Defaults `eta = 0.001, beta = [0.9, 0.999], lambda = 0.0, epsilon = 1e-8, couple = true`.
 */
export class AdamW extends defineRule("AdamW", { eta: 0.001, beta: [0.9, 0.999], lambda: 0.0, epsilon: 1e-8, couple: true }) {
  init(x: tf.Tensor): AdamWState {
    const [b1, b2] = this.values().beta;
    return [tf.zerosLike(x), tf.zerosLike(x), [b1, b2]];
  }
  apply([m, v, betaT]: AdamWState, x: tf.Tensor, dx: tf.Tensor): [AdamWState, tf.Tensor] {
    const { eta, beta: [b1, b2], lambda, epsilon, couple } = this.values();
    return tf.tidy(() => {
      const m2 = tf.add(tf.mul(m, b1), tf.mul(dx, 1 - b1));
      const v2 = tf.add(tf.mul(v, b2), tf.mul(tf.square(dx), 1 - b2));
      const u = tf.div(tf.div(m2, 1 - betaT[0]), tf.add(tf.sqrt(tf.div(v2, 1 - betaT[1])), epsilon));
      const step = couple ? tf.mul(tf.add(u, tf.mul(x, lambda)), eta) : tf.add(tf.mul(u, eta), tf.mul(x, lambda));
      return [[m2, v2, [betaT[0] * b1, betaT[1] * b2]], step];
    }) as [AdamWState, tf.Tensor];
  }
}
