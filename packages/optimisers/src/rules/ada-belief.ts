import { tf } from "@fluxion/backend";
import { defineRule } from "../rule.js";

/** AdaBelief's state: the first moment `m`, the "belief" `s`, and `[β1ᵗ, β2ᵗ]`. */
export type AdaBeliefState = [m: tf.Tensor, s: tf.Tensor, betaT: [number, number]];

/**
 * AdaBelief (Zhuang et al.): `m ← β1 m + (1−β1) dx`, `s ← β2 s + (1−β2)(dx − m)² + ϵ` (with the
 * new `m`), `dx' = η m/(1−β1ᵗ) / (sqrt(s/(1−β2ᵗ)) + ϵ)`: ϵ is added both inside `s` and outside
 * the square root. Defaults `eta = 0.001, beta = [0.9, 0.999], epsilon = 1e-16`.
 */
export class AdaBelief extends defineRule("AdaBelief", { eta: 0.001, beta: [0.9, 0.999], epsilon: 1e-16 }) {
  init(x: tf.Tensor): AdaBeliefState {
    const [b1, b2] = this.values().beta;
    return [tf.zerosLike(x), tf.zerosLike(x), [b1, b2]];
  }
  apply([m, s, betaT]: AdaBeliefState, _x: tf.Tensor, dx: tf.Tensor): [AdaBeliefState, tf.Tensor] {
    const { eta, beta: [b1, b2], epsilon } = this.values();
    return tf.tidy(() => {
      const m2 = tf.add(tf.mul(m, b1), tf.mul(dx, 1 - b1));
      const s2 = tf.add(tf.add(tf.mul(s, b2), tf.mul(tf.square(tf.sub(dx, m2)), 1 - b2)), epsilon);
      const step = tf.div(tf.div(tf.mul(m2, eta), 1 - betaT[0]), tf.add(tf.sqrt(tf.div(s2, 1 - betaT[1])), epsilon));
      return [[m2, s2, [betaT[0] * b1, betaT[1] * b2]], step];
    }) as [AdaBeliefState, tf.Tensor];
  }
}
