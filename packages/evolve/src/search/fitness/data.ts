// A problem's data from plain arrays (so a problem can be rebuilt in a worker from JSON options):
// checked, then made into tensors once.
import { tf } from "@fluxion/backend";
import { describe } from "@fluxion/functors";

/** Examples as rows (`number[][]`), or flat values with a shape whose first entry is the number of examples. */
export type Examples = readonly (readonly number[])[] | { readonly data: ArrayLike<number>; readonly shape: readonly number[] };

/** `x` as a float32 tensor with the examples along the first axis; errors name `fn` and `what`. */
export function examplesTensor(fn: string, what: string, x: unknown): tf.Tensor {
  if (Array.isArray(x)) {
    const width = (x[0] as unknown[] | undefined)?.length;
    const bad = x.findIndex((row) => !Array.isArray(row) || row.length !== width || !row.every((v) => typeof v === "number" && Number.isFinite(v)));
    if (x.length === 0 || width === undefined || width === 0 || bad >= 0) {
      throw new Error(`${fn}: ${what} must be a non-empty array of rows of finite numbers, all of one length${bad >= 0 ? ` (row ${bad} is ${describe(x[bad])})` : ""}`);
    }
    return tf.tensor2d(x as number[][], [x.length, width], "float32");
  }
  const o = x as { data?: ArrayLike<number>; shape?: number[] };
  const shape = o?.shape;
  const data = o?.data;
  const okShape = Array.isArray(shape) && shape.length >= 2 && shape.every((d) => Number.isSafeInteger(d) && d > 0);
  if (!okShape || data === undefined || typeof data.length !== "number") {
    throw new Error(`${fn}: ${what} must be rows (number[][]) or { data, shape } with shape [examples, ...features], got ${describe(x)}`);
  }
  const size = shape.reduce((a, b) => a * b, 1);
  if (data.length !== size) throw new Error(`${fn}: ${what} has ${data.length} values, its shape [${shape.join(", ")}] needs ${size}`);
  const values = Float32Array.from(data);
  if (!values.every(Number.isFinite)) throw new Error(`${fn}: ${what} holds a NaN or infinite value`);
  return tf.tensor(values, [...shape], "float32");
}

/** Class labels checked as whole numbers in [0, classes). */
export function checkLabels(fn: string, what: string, labels: unknown, n: number, classes: number): number[] {
  if (!Array.isArray(labels) || labels.length !== n) throw new Error(`${fn}: ${what} must be an array of ${n} class labels (one per example), got ${describe(labels)}`);
  const bad = labels.findIndex((l) => !Number.isInteger(l) || l < 0 || l >= classes);
  if (bad >= 0) throw new Error(`${fn}: ${what}[${bad}] is ${describe(labels[bad])}, expected a whole number in [0, ${classes})`);
  return labels as number[];
}

/** Regression targets (`number[]` for one output, or rows) as a 2-d tensor of `n` rows. */
export function targetsTensor(fn: string, what: string, y: unknown, n: number): tf.Tensor {
  const rows = Array.isArray(y) && y.every((v) => typeof v === "number") ? (y as number[]).map((v) => [v]) : y;
  const t = examplesTensor(fn, what, rows);
  if (t.shape[0] !== n) {
    t.dispose();
    throw new Error(`${fn}: ${what} has ${t.shape[0]} rows, expected ${n} (one per example)`);
  }
  return t;
}

/** Indices 0..n-1 split into [train, validation] after a seeded shuffle, `fraction` of them for validation. */
export function splitIndices(fn: string, n: number, fraction: unknown, order: number[]): [number[], number[]] {
  if (typeof fraction !== "number" || !(fraction > 0 && fraction < 1)) throw new Error(`${fn}: validation must be { x, ... } or a fraction in (0, 1) of the examples, got ${describe(fraction)}`);
  const nval = Math.round(n * fraction);
  if (nval < 1 || nval >= n) throw new Error(`${fn}: a validation fraction of ${fraction} of ${n} examples leaves an empty split`);
  return [order.slice(nval), order.slice(0, nval)];
}
