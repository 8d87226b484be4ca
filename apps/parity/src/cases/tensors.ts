// Seeded inputs and tensor collection shared by the cases.
import { tf } from "@fluxion/backend";
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

/**
 * Every tensor reachable in `x`, in key order, named by its path ("state.w.0"). Not functors'
 * fmapWithPath: it treats an optimiser state `Leaf` as a leaf, and state tensors are compared too.
 */
export function collectTensors(x: unknown, prefix: string, out: Record<string, tf.Tensor> = {}): Record<string, tf.Tensor> {
  const seen = new Set<unknown>();
  const visit = (v: unknown, path: string): void => {
    if (v === null || typeof v !== "object" || seen.has(v)) return;
    seen.add(v);
    if (v instanceof tf.Tensor) {
      out[path] = v;
      return;
    }
    const entries = Array.isArray(v) ? v.map((e, i) => [String(i), e] as const) : Object.entries(v as object);
    for (const [k, e] of entries) visit(e, `${path}.${k}`);
  };
  visit(x, prefix);
  return out;
}
