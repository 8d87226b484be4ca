import { tf } from "@fluxion/backend";
import { defineRule } from "../rule.js";
import { unitInterval } from "../domains.js";

/**
 * Nesterov momentum. With the OLD velocity `v`: `dx' = (−ρ²) v + ((1+ρ) η) dx`, then
 * `v ← ρ v − η dx`. Defaults `eta = 0.001, rho = 0.9`.
 */
export class Nesterov extends defineRule("Nesterov", { eta: 0.001, rho: 0.9 }, { domains: { rho: unitInterval } }) {
  init(x: tf.Tensor): tf.Tensor {
    return tf.zerosLike(x);
  }
  apply(v: tf.Tensor, _x: tf.Tensor, dx: tf.Tensor): [tf.Tensor, tf.Tensor] {
    const { eta, rho } = this.values();
    return tf.tidy(() => {
      const step = tf.add(tf.mul(v, -(rho * rho)), tf.mul(dx, (1 + rho) * eta));
      const v2 = tf.sub(tf.mul(v, rho), tf.mul(dx, eta));
      return [v2, step];
    }) as [tf.Tensor, tf.Tensor];
  }
}
