import { tf } from "@fluxion/backend";
import { defineRule } from "../rule.js";
import { nonNegative } from "../domains.js";

/**
 * Weight decay (L2 regularisation): `dx' = dx + λ*x`. Put it before the main rule in a chain,
 * `new OptimiserChain(new WeightDecay(), new Adam())`. Default `lambda = 5e-4`.
 */
export class WeightDecay extends defineRule("WeightDecay", { lambda: 5e-4 }, { domains: { lambda: nonNegative } }) {
  init(): null {
    return null;
  }
  apply(state: null, x: tf.Tensor, dx: tf.Tensor): [null, tf.Tensor] {
    const { lambda } = this.values();
    return [state, tf.tidy(() => tf.add(dx, tf.mul(x, lambda)))];
  }
}
