import { tf } from "@fluxion/backend";
import { defineRule } from "../rule.js";
import { nonNegative } from "../domains.js";

/**
 * Decay towards zero by a fixed amount (L1 regularisation): `dx' = dx + λ*sign(x)`, with
 * `sign(0) = 0`. Default `lambda = 1e-3`.
 */
export class SignDecay extends defineRule("SignDecay", { lambda: 1e-3 }, { domains: { lambda: nonNegative } }) {
  init(): null {
    return null;
  }
  apply(state: null, x: tf.Tensor, dx: tf.Tensor): [null, tf.Tensor] {
    const { lambda } = this.values();
    return [state, tf.tidy(() => tf.add(dx, tf.mul(tf.sign(x), lambda)))];
  }
}
