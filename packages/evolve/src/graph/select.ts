// Re-indexing a tensor along some of its axes (NaiveNASlib's `parselect`): an index vector per
// axis, where i ≥ 0 keeps old slice i and -1 makes a new slice, read from a fill of the new shape.
import { tf } from "@fluxion/backend";

/** For each axis, the old index of each new position (-1: new), or null to keep the axis as is. */
export type AxisSelection = readonly (readonly number[] | null)[];

/** The shape after selecting. */
export function selectedShape(shape: readonly number[], axes: AxisSelection): number[] {
  return shape.map((n, a) => axes[a]?.length ?? n);
}

/**
 * The values of `values` (of `shape`, row-major) re-indexed along `axes`; a position with -1 on
 * any axis takes the value of `fill` (of the new shape) at that position.
 */
export function selectValues(values: ArrayLike<number>, shape: readonly number[], axes: AxisSelection, fill: ArrayLike<number>): Float32Array {
  const out = selectedShape(shape, axes);
  const rank = shape.length;
  const oldStrides = strides(shape);
  const size = out.reduce((a, b) => a * b, 1);
  const result = new Float32Array(size);
  const pos = new Array<number>(rank).fill(0);
  for (let i = 0; i < size; i++) {
    let src = 0;
    for (let a = 0; a < rank && src >= 0; a++) {
      const idx = axes[a] ? axes[a]![pos[a]!]! : pos[a]!;
      src = idx < 0 ? -1 : src + idx * oldStrides[a]!;
    }
    result[i] = src < 0 ? fill[i]! : values[src]!;
    for (let a = rank - 1; a >= 0; a--) {
      if (++pos[a]! < out[a]!) break;
      pos[a] = 0;
    }
  }
  return result;
}

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let a = shape.length - 2; a >= 0; a--) s[a] = s[a + 1]! * shape[a + 1]!;
  return s;
}

/** `t` re-indexed along `axes` as a new float32 tensor; new positions from `fill(newShape)`. */
export function selectTensor(t: tf.Tensor, axes: AxisSelection, fill: (shape: number[]) => ArrayLike<number>): tf.Tensor {
  const shape = selectedShape(t.shape, axes);
  return tf.tensor(selectValues(t.dataSync() as Float32Array, t.shape, axes, fill(shape)), shape, "float32");
}

/** Whether a selection changes nothing: no axis given, or each the identity of its length. */
export function isIdentity(axes: AxisSelection, shape: readonly number[]): boolean {
  return axes.every((idx, a) => idx === null || idx === undefined || (idx.length === shape[a] && idx.every((v, i) => v === i)));
}
