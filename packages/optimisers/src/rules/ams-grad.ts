import { tf } from "@fluxion/backend";
import { defineRule } from "../rule.js";
import { ADAM_DOMAINS, nextMoments } from "./moments.js";

/** AMSGrad's state: the moments `m`, `v` and the running maximum `v̂` (all start at `epsilon`). */
export type AMSGradState = [m: tf.Tensor, v: tf.Tensor, vHat: tf.Tensor];

/**
 * AMSGrad (Reddi et al.): `m ← β1 m + (1−β1) dx`, `v ← β2 v + (1−β2) dx²`, `v̂ ← max(v̂, v)`,
 * `dx' = η m / (sqrt(v̂) + ϵ)`; no bias correction, and `m`, `v`, `v̂` start at `ϵ`, not 0.
 * Defaults `eta = 0.001, beta = [0.9, 0.999], epsilon = 1e-8`.
 */
export class AMSGrad extends defineRule("AMSGrad", { eta: 0.001, beta: [0.9, 0.999], epsilon: 1e-8 }, { domains: ADAM_DOMAINS }) {
  init(x: tf.Tensor): AMSGradState {
    const { epsilon } = this.values();
    return [tf.fill(x.shape, epsilon, x.dtype), tf.fill(x.shape, epsilon, x.dtype), tf.fill(x.shape, epsilon, x.dtype)];
  }
  apply([m, v, vHat]: AMSGradState, _x: tf.Tensor, dx: tf.Tensor): [AMSGradState, tf.Tensor] {
    const { eta, beta, epsilon } = this.values();
    return tf.tidy(() => {
      const [m2, v2] = nextMoments(m, v, dx, beta);
      const vHat2 = tf.maximum(vHat, v2);
      const step = tf.div(tf.mul(m2, eta), tf.add(tf.sqrt(vHat2), epsilon));
      return [[m2, v2, vHat2], step];
    }) as [AMSGradState, tf.Tensor];
  }
}
