import { tf } from "@fluxion/backend";
import { defineRule } from "../rule.js";
import { ADAM_DOMAINS, adamDirection, ema, initMoments, nextPowers, type BetaPowers } from "./moments.js";

/** AdaBelief's state: the first moment `m`, the "belief" `s`, and `[β1ᵗ, β2ᵗ]`. */
export type AdaBeliefState = [m: tf.Tensor, s: tf.Tensor, betaT: BetaPowers];

/**
 * AdaBelief (Zhuang et al.): `m ← β1 m + (1−β1) dx`, `s ← β2 s + (1−β2)(dx − m)² + ϵ` (with the
 * new `m`), `dx' = η m/(1−β1ᵗ) / (sqrt(s/(1−β2ᵗ)) + ϵ)`: ϵ is added both inside `s` and outside
 * the square root. Defaults `eta = 0.001, beta = [0.9, 0.999], epsilon = 1e-16`.
 */
export class AdaBelief extends defineRule("AdaBelief", { eta: 0.001, beta: [0.9, 0.999], epsilon: 1e-16 }, { domains: ADAM_DOMAINS }) {
  init(x: tf.Tensor): AdaBeliefState {
    return initMoments(x, this.values().beta);
  }
  apply([m, s, betaT]: AdaBeliefState, _x: tf.Tensor, dx: tf.Tensor): [AdaBeliefState, tf.Tensor] {
    const { eta, beta, epsilon } = this.values();
    return tf.tidy(() => {
      const m2 = ema(m, dx, beta[0]);
      const s2 = tf.add(ema(s, tf.square(tf.sub(dx, m2)), beta[1]), epsilon);
      const step = tf.mul(adamDirection(m2, s2, betaT, epsilon), eta);
      return [[m2, s2, nextPowers(betaT, beta)], step];
    }) as [AdaBeliefState, tf.Tensor];
  }
}
