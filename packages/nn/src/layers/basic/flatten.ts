import { tf } from "@fluxion/backend";

/**
 * MLUtils's `flatten` in our batch-first layout: [b, d1, d2, …] → [b, d1·d2·…] (a vector [n]
 * becomes [n, 1]). Flux keeps the last (batch) dim; we keep the first. The feature order is
 * row-major, so for NHWC input it runs channels fastest (Flux's runs width fastest).
 */
export function flatten(x: tf.Tensor): tf.Tensor {
  if (x === null || typeof x !== "object" || !("shape" in x) || !("rank" in x)) {
    throw new Error(`flatten expects a tensor, got ${x === null ? "null" : typeof x}`);
  }
  if ((x as tf.Tensor).isDisposed) throw new Error("flatten: the input tensor is disposed");
  if (x.rank === 0) throw new Error("flatten expects a tensor of at least 1 dim [batch, …], got a scalar");
  const batch = x.shape[0]!;
  return tf.reshape(x, [batch, batch === 0 ? 0 : x.size / batch]);
}
