import { tf } from "@fluxion/backend";
import { defineRule } from "../rule.js";

/**
 * Clips each gradient element to `[−δ, δ]`: `dx' = clamp(dx, −δ, δ)`. Default `delta = 10`.
 * `delta` must not be negative. See `ClipNorm` to rescale the whole gradient instead.
 */
export class ClipGrad extends defineRule("ClipGrad", { delta: 10 }, {
  check: ({ delta }) => {
    if (typeof delta === "number" && delta < 0) throw new Error(`ClipGrad: delta cannot be negative, got ${delta}`);
  },
}) {
  init(): null {
    return null;
  }
  apply(state: null, _x: tf.Tensor, dx: tf.Tensor): [null, tf.Tensor] {
    const { delta } = this.values();
    if (!(delta >= 0)) throw new Error(`ClipGrad: delta cannot be negative, got ${delta}`);
    return [state, tf.clipByValue(dx, -delta, delta)];
  }
}

/** Old Flux's name for `ClipGrad`. */
export const ClipValue = ClipGrad;
export type ClipValue = ClipGrad;
