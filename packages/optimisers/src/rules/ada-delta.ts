import { tf } from "@fluxion/backend";
import { defineRule } from "../rule.js";
import { positive, unitInterval } from "../domains.js";
import { ema } from "./moments.js";

/** AdaDelta's state: running means of the squared gradients and of the squared updates. */
export type AdaDeltaState = [acc: tf.Tensor, deltaAcc: tf.Tensor];

/**
 * AdaDelta (Zeiler), which has no learning rate:
 * `acc ← ρ*acc + (1−ρ)*dx²`, `dx' = dx * sqrt(Δacc + ϵ) / sqrt(acc + ϵ)` (with the *old* `Δacc`,
 * and `ϵ` inside both square roots), then `Δacc ← ρ*Δacc + (1−ρ)*dx'²`.
 * Defaults `rho = 0.9, epsilon = 1e-8`.
 */
export class AdaDelta extends defineRule("AdaDelta", { rho: 0.9, epsilon: 1e-8 }, { domains: { rho: unitInterval, epsilon: positive } }) {
  init(x: tf.Tensor): AdaDeltaState {
    return [tf.zerosLike(x), tf.zerosLike(x)];
  }
  apply([acc, deltaAcc]: AdaDeltaState, _x: tf.Tensor, dx: tf.Tensor): [AdaDeltaState, tf.Tensor] {
    const { rho, epsilon } = this.values();
    return tf.tidy(() => {
      const acc2 = ema(acc, tf.square(dx), rho);
      const step = tf.div(tf.mul(dx, tf.sqrt(tf.add(deltaAcc, epsilon))), tf.sqrt(tf.add(acc2, epsilon)));
      const deltaAcc2 = ema(deltaAcc, tf.square(step), rho);
      return [[acc2, deltaAcc2], step];
    }) as [AdaDeltaState, tf.Tensor];
  }
}
