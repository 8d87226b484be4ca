import { tf } from "@fluxion/backend";
import { defineRule } from "../rule.js";
import { nonNegativeOrInfinity } from "../domains.js";

/**
 * Clips each gradient element to `[−δ, δ]`: `dx' = clamp(dx, −δ, δ)`. Default `delta = 10`.
 * `delta` must not be negative (Infinity: no clipping). See `ClipNorm` to rescale the whole gradient instead.
 */
export class ClipGrad extends defineRule("ClipGrad", { delta: 10 }, { domains: { delta: nonNegativeOrInfinity } }) {
  init(): null {
    return null;
  }
  apply(state: null, _x: tf.Tensor, dx: tf.Tensor): [null, tf.Tensor] {
    const { delta } = this.values();
    return [state, tf.clipByValue(dx, -delta, delta)];
  }
}

/** Old Flux's name for `ClipGrad`. */
export const ClipValue = ClipGrad;
export type ClipValue = ClipGrad;
