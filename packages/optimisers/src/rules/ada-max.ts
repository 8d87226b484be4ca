import { tf } from "@fluxion/backend";
import { defineRule } from "../rule.js";
import { ADAM_DOMAINS, ema, initMoments, nextPowers, type BetaPowers } from "./moments.js";

/** AdaMax's state: the first moment `m`, the infinity-norm estimate `u`, and `[β1ᵗ, β2ᵗ]`. */
export type AdaMaxState = [m: tf.Tensor, u: tf.Tensor, betaT: BetaPowers];

/**
 * AdaMax (Kingma & Ba), Adam with the infinity norm: `m ← β1 m + (1−β1) dx`,
 * `u ← max(β2 u, |dx|)`, `dx' = (η/(1−β1ᵗ)) * m / (u + ϵ)`.
 * Defaults `eta = 0.001, beta = [0.9, 0.999], epsilon = 1e-8`.
 */
export class AdaMax extends defineRule("AdaMax", { eta: 0.001, beta: [0.9, 0.999], epsilon: 1e-8 }, { domains: ADAM_DOMAINS }) {
  init(x: tf.Tensor): AdaMaxState {
    return initMoments(x, this.values().beta);
  }
  apply([m, u, betaT]: AdaMaxState, _x: tf.Tensor, dx: tf.Tensor): [AdaMaxState, tf.Tensor] {
    const { eta, beta, epsilon } = this.values();
    return tf.tidy(() => {
      const m2 = ema(m, dx, beta[0]);
      const u2 = tf.maximum(tf.mul(u, beta[1]), tf.abs(dx));
      const step = tf.div(tf.mul(m2, eta / (1 - betaT[0])), tf.add(u2, epsilon));
      return [[m2, u2, nextPowers(betaT, beta)], step];
    }) as [AdaMaxState, tf.Tensor];
  }
}
