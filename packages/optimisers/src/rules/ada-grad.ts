import { tf } from "@fluxion/backend";
import { defineRule } from "../rule.js";
import { positive } from "../domains.js";

/**
 * AdaGrad (Duchi et al.): per-element rates from the sum of squared gradients.
 * `acc ← acc + dx²`, `dx' = (dx*η) / (sqrt(acc) + ϵ)`; the accumulator starts at `ϵ`, not zero.
 * Defaults `eta = 0.1, epsilon = 1e-8`.
 */
export class AdaGrad extends defineRule("AdaGrad", { eta: 0.1, epsilon: 1e-8 }, { domains: { epsilon: positive } }) {
  init(x: tf.Tensor): tf.Tensor {
    return tf.fill(x.shape, this.values().epsilon, x.dtype);
  }
  apply(acc: tf.Tensor, _x: tf.Tensor, dx: tf.Tensor): [tf.Tensor, tf.Tensor] {
    const { eta, epsilon } = this.values();
    return tf.tidy(() => {
      const acc2 = tf.add(acc, tf.square(dx));
      return [acc2, tf.div(tf.mul(dx, eta), tf.add(tf.sqrt(acc2), epsilon))];
    }) as [tf.Tensor, tf.Tensor];
  }
}
