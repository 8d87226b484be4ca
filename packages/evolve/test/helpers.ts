import { expect } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { Dense, identity } from "@fluxion/nn";

/** The values of a tensor as a plain array (nested like its shape). */
export const values = (t: tf.Tensor): any => t.arraySync();

/** A Dense layer with the given weight [in, out] and bias (plain numbers), activation σ. */
export function denseOf(weight: number[][], bias: number[], sigma = identity): Dense {
  return new Dense(tf.tensor2d(weight), tf.tensor1d(bias), sigma);
}

/** Column j of a matrix given as rows. */
export const column = (m: number[][], j: number): number[] => m.map((row) => row[j]!);

/** Element-wise closeness with a relative tolerance on the largest magnitude. */
export function expectClose(got: tf.Tensor | number[] | number[][], want: tf.Tensor | number[] | number[][], rtol = 1e-5): void {
  const g = (got instanceof tf.Tensor ? got.dataSync() : (got as number[]).flat()) as ArrayLike<number>;
  const w = (want instanceof tf.Tensor ? want.dataSync() : (want as number[]).flat()) as ArrayLike<number>;
  expect(g.length).toBe(w.length);
  const scale = Math.max(1, ...Array.from(w, Math.abs));
  for (let i = 0; i < w.length; i++) expect(Math.abs(g[i]! - w[i]!)).toBeLessThanOrEqual(rtol * scale);
}

/** Matrix [rows, cols] of 0.1·(i·cols + j + 1)·(−1)^(i+j): distinct, signed, deterministic. */
export function ramp(rows: number, cols: number, scale = 0.1): number[][] {
  return Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => scale * (i * cols + j + 1) * ((i + j) % 2 ? -1 : 1)));
}

/** `make(ts)`, then `ts` freed: layers copy the tensors they are given into Variables. */
export function copied<T>(ts: tf.Tensor[], make: (ts: tf.Tensor[]) => T): T {
  try {
    return make(ts);
  } finally {
    tf.dispose(ts);
  }
}
