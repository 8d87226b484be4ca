import type { tf } from "@fluxion/backend";
import { describe } from "@fluxion/functors";

/** Throws Flux's DimensionMismatch message when the feature (last) axis of `x` is not `expected`. */
export function checkFeatures(layer: { repr(): string }, x: tf.Tensor, expected: number, minRank = 1): void {
  if (x.rank < minRank || x.shape.at(-1) !== expected) {
    throw new Error(`layer ${layer.repr()} expects size(input, -1) == ${expected} (features last), but got a tensor of shape [${x.shape.join(", ")}]`);
  }
}

/** Throws when `x` is not a float tensor (the layers compute in float32). */
export function checkTensor(layer: { repr(): string }, x: unknown): asserts x is tf.Tensor {
  if (x === null || typeof x !== "object" || !("dataSync" in x) || !("shape" in x)) {
    throw new Error(`layer ${layer.repr()} expects a tensor input, got ${describe(x)}`);
  }
}
