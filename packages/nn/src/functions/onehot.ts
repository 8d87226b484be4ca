// One-hot encoding (OneHotArrays' onehot / onehotbatch / onecold). tfjs has no lazy one-hot array
// type, so encodings are dense float32 tensors: what the losses and Dense consume. Batches put the
// label axis LAST ([n, nLabels]), matching the losses' class axis. Labels are any JS values,
// matched with SameValueZero (as Map keys: NaN matches NaN, 0 matches -0; objects by identity),
// the JS reading of Julia's isequal.
import { tf } from "@fluxion/backend";

type NestedNumbers = readonly (number | boolean | NestedNumbers)[];
/** A nested array of labels, one level per axis of the scores given to `onecold`. */
export type NestedLabels<L> = L | NestedLabels<L>[];

function show(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "symbol") return v.toString();
  if (typeof v === "object" && v !== null && !Array.isArray(v)) return (v as object).constructor?.name ?? "object";
  return String(v);
}

// First index of each label (later duplicates never win, as with findfirst).
function indexOf<T>(labels: Iterable<T>): { size: number; find: (x: T) => number | undefined } {
  const list = Array.from(labels);
  const first = new Map<T, number>();
  list.forEach((l, i) => {
    if (!first.has(l)) first.set(l, i);
  });
  return { size: list.length, find: (x) => first.get(x) };
}

/**
 * The one-hot encoding of `x` among `labels`: a float32 tensor [labels.length] with a 1 at the
 * first label equal to x. If x is not a label, the encoding of `fallback` (the optional third
 * argument, Flux's `default`) is returned, or an error thrown.
 */
export function onehot<T>(x: T, labels: Iterable<T>, ...fallback: [T] | []): tf.Tensor1D {
  const { size, find } = indexOf(labels);
  let i = find(x);
  if (i === undefined && fallback.length > 0) {
    i = find(fallback[0] as T);
    if (i === undefined) throw new Error(`Value ${show(fallback[0])} is not in labels`);
  }
  if (i === undefined) throw new Error(`Value ${show(x)} is not in labels`);
  const data = new Float32Array(size);
  data[i] = 1;
  return tf.tensor1d(data, "float32");
}

/**
 * One-hot encodings of every value of `xs` (any iterable, e.g. an array or a string), as a float32
 * tensor [n, labels.length]: row k is onehot(xs[k], labels). A tensor `xs` of any shape gives
 * [...xs.shape, labels.length]. Values not among the labels take `fallback` (the optional third
 * argument, Flux's `default`), or are an error.
 */
export function onehotbatch<T>(xs: Iterable<T> | tf.Tensor, labels: Iterable<T>, ...fallback: [T] | []): tf.Tensor {
  const { size, find } = indexOf(labels);
  let fallbackIndex: number | undefined;
  if (fallback.length > 0) {
    fallbackIndex = find(fallback[0] as T);
    if (fallbackIndex === undefined) throw new Error(`Default value ${show(fallback[0])} is not in labels`);
  }
  const isTensor = xs instanceof tf.Tensor;
  const values = (isTensor ? Array.from(xs.dataSync() as ArrayLike<number>) : Array.from(xs)) as T[];
  const shape = isTensor ? xs.shape : [values.length];
  const data = new Float32Array(values.length * size);
  values.forEach((v, k) => {
    const i = find(v) ?? fallbackIndex;
    if (i === undefined) throw new Error(`Value ${show(v)} not found in labels`);
    data[k * size + i] = 1;
  });
  return tf.tensor(data, [...shape, size], "float32");
}

/**
 * The inverse of onehot / onehotbatch, and a labelled argmax: the label of the largest entry
 * along the LAST axis (the first one on ties). A vector gives one label; a matrix [n, k] an array
 * of n labels; higher ranks nested arrays. `labels` defaults to 0, 1, …, k − 1 (0-based).
 */
export function onecold<L = number>(y: tf.Tensor1D | readonly (number | boolean)[], labels?: Iterable<L>): L;
export function onecold<L = number>(y: tf.Tensor2D | readonly (readonly (number | boolean)[])[], labels?: Iterable<L>): L[];
export function onecold<L = number>(y: tf.Tensor | NestedNumbers, labels?: Iterable<L>): NestedLabels<L>;
export function onecold<L = number>(y: tf.Tensor | NestedNumbers, labels?: Iterable<L>): NestedLabels<L> {
  let shape: number[];
  let data: ArrayLike<number>;
  if (y instanceof tf.Tensor) {
    if (y.dtype === "string" || y.dtype === "complex64") throw new Error(`onecold: expected a numeric tensor, got dtype ${y.dtype}`);
    shape = y.shape;
    data = y.dataSync() as ArrayLike<number>;
  } else {
    const t = tf.tensor(y as number[], undefined, "float32");
    shape = t.shape;
    data = t.dataSync();
    tf.dispose(t);
  }
  if (shape.length === 0) throw new Error("onecold: expected a vector or an array of scores, got a scalar");
  const k = shape[shape.length - 1]!;
  const list: L[] = labels === undefined ? (Array.from({ length: k }, (_, i) => i) as L[]) : Array.from(labels);
  if (list.length !== k) {
    throw new Error(
      shape.length === 1
        ? `onecold got ${list.length} labels for a vector of length ${k}, these must agree`
        : `onecold got ${list.length} labels for an array with size(y, -1) == ${k}, these must agree`,
    );
  }
  const rows = k === 0 ? 0 : data.length / k;
  const picked: L[] = [];
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let j = 0; j < k; j++) {
      const v = data[r * k + j]!;
      if (Number.isNaN(v)) throw new Error("maximum value found by onecold is NaN");
      if (v > data[r * k + best]!) best = j;
    }
    picked.push(list[best]!);
  }
  if (shape.length === 1) {
    if (k === 0) throw new Error("onecold: cannot pick a label from an empty vector");
    return picked[0]!;
  }
  return nest(picked, shape.slice(0, -1));
}

function nest<L>(flat: L[], shape: number[]): NestedLabels<L>[] {
  if (shape.length === 1) return flat;
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0]! }, (_, i) => nest(flat.slice(i * inner, (i + 1) * inner), shape.slice(1)));
}
