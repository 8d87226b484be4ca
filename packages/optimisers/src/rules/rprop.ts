import { tf } from "@fluxion/backend";
import { isSchedule } from "../schedule.js";
import { defineRule } from "../rule.js";
import { anyNumber, positive } from "../domains.js";

/** Rprop's state: the last gradient kept (0 where its sign flipped) and the per-element step size. */
export type RpropState = [lastGrad: tf.Tensor, stepSize: tf.Tensor];

/**
 * Rprop (Riedmiller & Braun), per element with `p = g_old * dx`:
 * `η_i ← p > 0 ? min(η_i ℓ₂, Γ₂) : p < 0 ? max(η_i ℓ₁, Γ₁) : η_i`, `g ← p < 0 ? 0 : dx`,
 * `dx' = η_i * sign(g)`. The step sizes start at `eta`.
 * Defaults `eta = 0.001, ell = [0.5, 1.2], gamma = [1e-6, 50.0]`.
 */
export class Rprop extends defineRule(
  "Rprop",
  { eta: 1e-3, ell: [0.5, 1.2], gamma: [1e-6, 50.0] },
  {
    // ell: the factors a step size shrinks and grows by; gamma: its bounds, Infinity allowed.
    domains: { ell: positive, gamma: anyNumber },
    check: ({ gamma }) => {
      const [g1, g2] = gamma;
      const num = (v: unknown): v is number => !isSchedule(v);
      if ((num(g1) && g1 < 0) || (num(g2) && g2 < 0) || (num(g1) && num(g2) && g1 > g2)) {
        throw new Error(`Rprop: gamma must be [min, max] step sizes with 0 <= min <= max, got [${String(g1)}, ${String(g2)}]`);
      }
    },
  },
) {
  init(x: tf.Tensor): RpropState {
    return [tf.zerosLike(x), tf.fill(x.shape, this.values().eta, x.dtype)];
  }
  apply([g, eta]: RpropState, _x: tf.Tensor, dx: tf.Tensor): [RpropState, tf.Tensor] {
    const { ell: [l1, l2], gamma: [gmin, gmax] } = this.values();
    return tf.tidy(() => {
      const p = tf.mul(g, dx);
      const grow = tf.greater(p, 0);
      const shrink = tf.less(p, 0);
      const eta2 = tf.where(grow, tf.minimum(tf.mul(eta, l2), gmax), tf.where(shrink, tf.maximum(tf.mul(eta, l1), gmin), eta));
      const g2 = tf.where(shrink, tf.zerosLike(dx), dx);
      return [[g2, eta2], tf.mul(eta2, tf.sign(g2))];
    }) as [RpropState, tf.Tensor];
  }
}
