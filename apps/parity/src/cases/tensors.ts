// Seeded inputs and tensor collection shared by the cases.
import { tf } from "@fluxion/backend";
import { fmapWithPath, type KeyPath } from "@fluxion/functors";
import { Rng } from "@fluxion/nn";

/** A tensor of standard normal numbers (scaled), the same on every backend for a given seed. */
export function randn(shape: number[], seed: number, scale = 1): tf.Tensor {
  const rng = new Rng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const values = rng.normals(size).map((v) => v * scale);
  return tf.tensor(values, shape);
}

/** Uniform numbers in [lo, hi). */
export function uniform(shape: number[], seed: number, lo = 0, hi = 1): tf.Tensor {
  const rng = new Rng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(rng.floats(size).map((v) => lo + (hi - lo) * v), shape);
}

/** Every tensor in `x`, in key order, named by its path ("state.w.state.0"); a tensor reached twice once. */
export function collectTensors(x: unknown, prefix: string, out: Record<string, tf.Tensor> = {}): Record<string, tf.Tensor> {
  fmapWithPath((kp: KeyPath, v: unknown) => v instanceof tf.Tensor && (out[[prefix, ...kp.keys].join(".")] = v), x);
  return out;
}
