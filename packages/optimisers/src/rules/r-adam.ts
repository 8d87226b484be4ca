import { tf } from "@fluxion/backend";
import { defineRule } from "../rule.js";
import { ADAM_DOMAINS, adamDirection, initMoments, nextMoments, nextPowers, unbiased, type BetaPowers } from "./moments.js";

/** RAdam's state: Adam's moments and `[β1ᵗ, β2ᵗ]`, plus the 1-based step `t`. */
export type RAdamState = [m: tf.Tensor, v: tf.Tensor, betaT: BetaPowers, t: number];

/**
 * Rectified Adam (Liu et al.). With `ρ∞ = 2/(1−β2) − 1` and `ρ = ρ∞ − 2t β2ᵗ/(1−β2ᵗ)`, the moments
 * update as in Adam; if `ρ > 4`, `dx' = m/(1−β1ᵗ) / (sqrt(v/(1−β2ᵗ)) + ϵ) * η * r` with
 * `r = sqrt((ρ−4)(ρ−2)ρ∞ / ((ρ∞−4)(ρ∞−2)ρ))`, else the plain momentum step `dx' = m/(1−β1ᵗ) * η`.
 * Defaults `eta = 0.001, beta = [0.9, 0.999], epsilon = 1e-8`.
 */
export class RAdam extends defineRule("RAdam", { eta: 0.001, beta: [0.9, 0.999], epsilon: 1e-8 }, { domains: ADAM_DOMAINS }) {
  init(x: tf.Tensor): RAdamState {
    return [...initMoments(x, this.values().beta), 1];
  }
  apply([m, v, betaT, t]: RAdamState, _x: tf.Tensor, dx: tf.Tensor): [RAdamState, tf.Tensor] {
    const { eta, beta, epsilon } = this.values();
    const b2 = beta[1];
    // The rectification is decided in JS numbers: no tensor is read back.
    const rhoInf = 2 / (1 - b2) - 1;
    const rho = rhoInf - (2 * t * betaT[1]) / (1 - betaT[1]);
    return tf.tidy(() => {
      const [m2, v2] = nextMoments(m, v, dx, beta);
      let step: tf.Tensor;
      if (rho > 4) {
        const r = Math.sqrt(((rho - 4) * (rho - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rho));
        step = tf.mul(tf.mul(adamDirection(m2, v2, betaT, epsilon), eta), r);
      } else {
        step = tf.mul(unbiased(m2, betaT[0]), eta);
      }
      return [[m2, v2, nextPowers(betaT, beta), t + 1], step];
    }) as [RAdamState, tf.Tensor];
  }
}
