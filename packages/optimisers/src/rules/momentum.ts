import { tf } from "@fluxion/backend";
import { defineRule } from "../rule.js";
import { unitInterval } from "../domains.js";

/** Classical momentum: `v ← rho*v + eta*dx`, `dx' = v`. Defaults `eta = 0.01, rho = 0.9`. */
export class Momentum extends defineRule("Momentum", { eta: 0.01, rho: 0.9 }, { domains: { rho: unitInterval } }) {
  init(x: tf.Tensor): tf.Tensor {
    return tf.zerosLike(x);
  }
  apply(v: tf.Tensor, _x: tf.Tensor, dx: tf.Tensor): [tf.Tensor, tf.Tensor] {
    const { eta, rho } = this.values();
    const v2 = tf.tidy(() => tf.add(tf.mul(v, rho), tf.mul(dx, eta)));
    return [v2, v2];
  }
}
