import { tf } from "@fluxion/backend";
import { defineRule } from "../rule.js";
import { unitInterval } from "../domains.js";
import { ema } from "./moments.js";

/**
 * Lion (Chen et al., "Symbolic Discovery of Optimization Algorithms"), as Optimisers.jl writes it:
 * `m ← β2*dx + (1−β2)*m`, `dx' = η * sign((β2−β1)*dx + β1*m)`. The momentum line copies the
 * Julia source, whose coefficients are swapped relative to the paper's `β2*m + (1−β2)*dx`.
 * Defaults `eta = 0.001, beta = [0.9, 0.999]`.
 */
export class Lion extends defineRule("Lion", { eta: 0.001, beta: [0.9, 0.999] }, { domains: { beta: unitInterval } }) {
  init(x: tf.Tensor): tf.Tensor {
    return tf.zerosLike(x);
  }
  apply(m: tf.Tensor, _x: tf.Tensor, dx: tf.Tensor): [tf.Tensor, tf.Tensor] {
    const { eta, beta: [b1, b2] } = this.values();
    return tf.tidy(() => {
      const m2 = ema(dx, m, b2); // β2*dx + (1−β2)*m, the Julia order
      const direction = tf.sign(tf.add(tf.mul(dx, b2 - b1), tf.mul(m2, b1)));
      return [m2, tf.mul(direction, eta)];
    }) as [tf.Tensor, tf.Tensor];
  }
}
