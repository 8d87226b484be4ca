import { tf } from "@fluxion/backend";
import { defineRule } from "../rule.js";
import { anyNumber, nonNegativeOrInfinity } from "../domains.js";

/**
 * Rescales the gradient so that its `p`-norm is at most `ω`: `n = norm(dx, p)`,
 * `dx' = dx * min(ω/n, 1)` (a zero gradient is left alone). `p = 2` is the Euclidean norm, `1` the
 * sum of absolute values, `Infinity`/`-Infinity` the largest/smallest absolute value, `0` the
 * number of non-zero elements, any other `p` gives `(Σ|dx|ᵖ)^(1/p)`. With `throw` (the default)
 * a norm that is not finite (Inf or NaN) is an error; without it such a gradient is scaled by
 * `min(ω/n, 1)` anyway (0 for an infinite norm, giving NaN where `dx` is infinite).
 * Defaults `omega = 10, p = 2, throw = true`. Checking `throw` reads the norm back from the device.
 */
export class ClipNorm extends defineRule("ClipNorm", { omega: 10, p: 2, throw: true }, {
  domains: { omega: nonNegativeOrInfinity, p: anyNumber },
}) {
  init(): null {
    return null;
  }
  apply(state: null, x: tf.Tensor, dx: tf.Tensor): [null, tf.Tensor] {
    const { omega, p, throw: throws } = this.values();
    if (dx.size === 0) return [state, dx];
    return [
      state,
      tf.tidy(() => {
        const n = pNorm(dx, p);
        if (!throws) return tf.mul(dx, tf.minimum(tf.div(omega, n), 1));
        const value = n.dataSync()[0]!;
        if (!Number.isFinite(value)) {
          throw new Error(`gradient has ${p}-norm ${value}, for array of shape [${x.shape.join(", ")}]`);
        }
        return tf.mul(dx, Math.min(omega / value, 1));
      }),
    ];
  }
}

/**
 * `norm(dx, p)` as Julia's LinearAlgebra computes it, as a scalar tensor. For `|p| > 1` the sum is
 * taken over `|dx| / m` (m the largest, for p < −1 the smallest, absolute value), so squares of
 * large float32 gradients do not overflow to a spurious Inf.
 */
function pNorm(dx: tf.Tensor, p: number): tf.Scalar {
  const a = tf.abs(dx);
  if (p === 1) return tf.sum(a);
  if (p === Infinity) return tf.max(a);
  if (p === -Infinity) return tf.min(a);
  if (p === 0) return tf.sum(tf.cast(tf.notEqual(dx, 0), "float32"));
  if (Math.abs(p) <= 1) return tf.pow(tf.sum(tf.pow(a, p)), 1 / p);
  const m = p > 0 ? tf.max(a) : tf.min(a);
  // m = 0 or m = Inf is the norm itself; a NaN m propagates either way.
  const scalable = tf.logicalAnd(tf.greater(m, 0), tf.less(m, Infinity));
  const safeM = tf.where(scalable, m, tf.onesLike(m));
  const scaled = tf.div(a, safeM);
  const sum = p === 2 ? tf.sqrt(tf.sum(tf.square(scaled))) : tf.pow(tf.sum(tf.pow(scaled, p)), 1 / p);
  return tf.where(scalable, tf.mul(safeM, sum), m) as tf.Scalar;
}
