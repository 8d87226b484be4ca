// The pieces the Adam family shares: moving averages of the gradient and its square, and the
// bias correction by `1 − βᵗ` (the powers are JS numbers in the state: no tensor per step).
import { tf } from "@fluxion/backend";
import { positive, unitInterval } from "../domains.js";

/** The domains of the Adam family's `beta` (each in [0, 1)) and `epsilon` (> 0); `eta` is >= 0 by default. */
export const ADAM_DOMAINS = { beta: unitInterval, epsilon: positive } as const;

/** `[β1ᵗ, β2ᵗ]`, the powers of the betas that bias correction uses. */
export type BetaPowers = [number, number];
type Betas = readonly [number, number];

/** The exponential moving average `β·m + (1−β)·g`. */
export function ema(m: tf.Tensor, g: tf.Tensor, beta: number): tf.Tensor {
  return tf.add(tf.mul(m, beta), tf.mul(g, 1 - beta));
}

/** Zero moments for `x`, and the beta powers after the first step, `[β1, β2]`. */
export function initMoments(x: tf.Tensor, [b1, b2]: Betas): [m: tf.Tensor, v: tf.Tensor, betaT: BetaPowers] {
  return [tf.zerosLike(x), tf.zerosLike(x), [b1, b2]];
}

/** Adam's moments after the gradient `dx`: `m ← β1 m + (1−β1) dx`, `v ← β2 v + (1−β2) dx²`. */
export function nextMoments(m: tf.Tensor, v: tf.Tensor, dx: tf.Tensor, [b1, b2]: Betas): [m: tf.Tensor, v: tf.Tensor] {
  return [ema(m, dx, b1), ema(v, tf.square(dx), b2)];
}

/** The beta powers one step on. */
export function nextPowers(betaT: BetaPowers, [b1, b2]: Betas): BetaPowers {
  return [betaT[0] * b1, betaT[1] * b2];
}

/** A moment with its bias corrected: `m / (1 − βᵗ)`. */
export function unbiased(m: tf.Tensor, betaPower: number): tf.Tensor {
  return tf.div(m, 1 - betaPower);
}

/** Adam's direction `m̂ / (sqrt(v̂) + ϵ)`, from the moments and the beta powers. */
export function adamDirection(m: tf.Tensor, v: tf.Tensor, betaT: BetaPowers, epsilon: number): tf.Tensor {
  return tf.div(unbiased(m, betaT[0]), tf.add(tf.sqrt(unbiased(v, betaT[1])), epsilon));
}
