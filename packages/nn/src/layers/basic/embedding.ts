import { tf } from "@fluxion/backend";
import { layer } from "../../core/declare.js";
import { randn32, type Initialiser } from "../../functions/init.js";
import { Layer } from "../../core/layer.js";
import { initParam, param } from "../../core/params.js";
import { checkInputsLive, checkOptions, checkPair, checkParameters, checkTensor } from "../../core/checks.js";

/** Token indices: an int32 tensor, a number, or a (nested) array of numbers, 0-based. */
export type Indices = tf.Tensor | number | readonly unknown[];

/** Options of `Embedding`. */
export interface EmbeddingOptions {
  init?: Initialiser;
  /** A 0-based row whose vector is zero and never trained (e.g. a padding token). */
  paddingIdx?: number | null;
}

/**
 * `new Embedding([in, out], { init = randn32, paddingIdx })`: a table of `in` vectors of length
 * `out`. The weight is [in, out] (row i is token i's vector), as in tfjs-layers' embedding and
 * the transpose of Flux's. Indices are 0-based: an int32 tensor, a number or a nested array of any
 * shape gives [...shape, out]; a float or bool tensor [..., in] (e.g. one-hot rows) gives x·W.
 * An int32 tensor is always read as indices, so cast tf.oneHot's int32 output to float32 first.
 * `paddingIdx` zeroes that row at construction and masks it in the forward pass, so its gradient
 * is zero. `new Embedding(W, { paddingIdx })` wraps a weight.
 */
export class Embedding extends Layer {
  weight: tf.Variable;
  paddingIdx: number | null;

  constructor(inOut: readonly [number, number], options?: EmbeddingOptions);
  constructor(weight: tf.Tensor, options?: Omit<EmbeddingOptions, "init">);
  constructor(a: readonly [number, number] | tf.Tensor, options: EmbeddingOptions = {}) {
    super();
    checkOptions("Embedding", options, a instanceof tf.Tensor ? ["paddingIdx"] : ["init", "paddingIdx"]);
    let shape: [number, number];
    if (a instanceof tf.Tensor) {
      if (a.rank !== 2) throw new Error(`Embedding: the weight must be a matrix [in, out], got shape [${a.shape.join(", ")}]`);
      shape = a.shape as [number, number];
    } else {
      shape = checkPair("Embedding", a);
    }
    const pad = options.paddingIdx ?? null;
    if (pad !== null && !(Number.isInteger(pad) && pad >= 0 && pad < shape[0])) {
      throw new Error(`Embedding: paddingIdx must be a 0-based index in [0, ${shape[0] - 1}], got ${pad}`);
    }
    const init = options.init ?? randn32;
    this.weight = param(() => {
      const w = a instanceof tf.Tensor ? tf.cast(a, "float32") : init(shape);
      if (!tf.util.arraysEqual(w.shape, shape)) throw new Error(`Embedding: init returned shape [${w.shape.join(", ")}], expected [${shape.join(", ")}]`);
      return pad === null ? w : tf.mul(w, rowMask(shape[0], pad));
    });
    this.paddingIdx = pad;
  }

  apply(x: Indices): tf.Tensor {
    checkIndexInput(this, x);
    const [nIn, nOut] = this.weight.shape as [number, number];
    if (x instanceof tf.Tensor && x.dtype !== "int32") {
      // Float (or bool) rows over the vocabulary, such as one-hot vectors: x·W.
      if (x.rank < 1 || x.shape.at(-1) !== nIn) {
        throw new Error(`layer ${this.repr()} expects int32 indices, or a float tensor with size(input, -1) == ${nIn} (one-hot, features last), but got a ${x.dtype} tensor of shape [${x.shape.join(", ")}]`);
      }
      return tf.tidy(() => {
        let flat = tf.reshape(tf.cast(x, "float32"), [-1, nIn]);
        if (this.paddingIdx !== null) flat = tf.mul(flat, tf.reshape(rowMask(nIn, this.paddingIdx), [1, nIn]));
        return tf.reshape(tf.matMul(flat, this.weight), [...x.shape.slice(0, -1), nOut]);
      });
    }
    const [values, shape] = indexValues(this, x);
    checkRange(this, values, nIn);
    return tf.tidy(() => {
      const idx = tf.tensor1d(values, "int32");
      let rows = gatherRows(this.weight, idx);
      if (this.paddingIdx !== null) rows = tf.mul(rows, tf.expandDims(tf.cast(tf.notEqual(idx, this.paddingIdx), "float32"), 1));
      return tf.reshape(rows, [...shape, nOut]);
    });
  }

  repr(): string {
    const [nIn, nOut] = this.weight.shape;
    return `Embedding(${nIn} => ${nOut}${this.paddingIdx === null ? "" : `, paddingIdx=${this.paddingIdx}`})`;
  }
}
layer(Embedding, { fields: ["weight", "paddingIdx"], trainable: ["weight"] });

/** Reduces embeddings [n, out] over axis 0, as `tf.mean`, `tf.sum` and `tf.max` do. */
export type BagReduction = (x: tf.Tensor, axis: number) => tf.Tensor;

/**
 * `new EmbeddingBag([in, out], reduction = tf.mean, { init = randn32 })`: embeds each bag of
 * 0-based indices and reduces the bag's vectors with `reduction(vectors [n, out], 0)`. Inputs: one
 * bag (an array or 1-d int32 tensor) gives [out]; an array of bags (lengths may differ) or a 2-d
 * int32 tensor (one bag per row) gives [bags, out]; `apply(indices, offsets)` takes a flat index
 * list and the 0-based start of each bag (offsets[0] must be 0), as PyTorch and Flux do.
 * One-hot bags (Flux's OneHotMatrix): as for Embedding, a float or bool tensor is read as rows
 * over the vocabulary (features last) and an int32 tensor as indices. A bag is [n, in] (one row
 * per item, e.g. `onehotbatch(…)`) and gives [out]; [bags…, n, in] gives [bags…, out]; an array
 * of [nᵢ, in] tensors gives [bags, out]. Rows are not checked to be one-hot: each item's vector
 * is its row·W, so a multi-hot row sums its tokens' vectors.
 */
export class EmbeddingBag extends Layer {
  weight: tf.Variable;
  reduction: BagReduction;

  constructor(inOut: readonly [number, number], reduction?: BagReduction, options?: { init?: Initialiser });
  constructor(weight: tf.Tensor, reduction?: BagReduction);
  constructor(a: readonly [number, number] | tf.Tensor, reduction: BagReduction = tf.mean, options: { init?: Initialiser } = {}) {
    super();
    if (typeof reduction !== "function") throw new Error(`EmbeddingBag: reduction must be a function such as tf.mean, got ${typeof reduction}`);
    if (a instanceof tf.Tensor) {
      if (a.rank !== 2) throw new Error(`EmbeddingBag: the weight must be a matrix [in, out], got shape [${a.shape.join(", ")}]`);
      this.weight = param(a);
    } else {
      const shape = checkPair("EmbeddingBag", a);
      this.weight = initParam("EmbeddingBag", options.init ?? randn32, shape);
    }
    this.reduction = reduction;
  }

  apply(x: Indices, offsets?: readonly number[] | tf.Tensor): tf.Tensor {
    checkIndexInput(this, x);
    if (offsets instanceof tf.Tensor) checkTensor(this, offsets);
    const [nIn] = this.weight.shape as [number, number];
    const rows = (t: unknown): t is tf.Tensor => t instanceof tf.Tensor && t.dtype !== "int32";
    if (rows(x) || (Array.isArray(x) && x.length > 0 && x.every(rows))) {
      if (offsets !== undefined) throw new Error(`layer ${this.repr()} takes offsets only with a flat list of indices, not with one-hot bags`);
      return this.applyRows(x as tf.Tensor | tf.Tensor[], nIn);
    }
    let bags: Int32Array[];
    let single = false;
    if (offsets === undefined && Array.isArray(x) && x.length > 0 && x.every((b) => Array.isArray(b) || b instanceof tf.Tensor)) {
      bags = raggedBags(this, x, nIn);
    } else {
      const [values, shape] = indexValues(this, x);
      checkRange(this, values, nIn);
      if (offsets !== undefined) {
        if (shape.length !== 1) throw new Error(`layer ${this.repr()} with offsets expects a flat list of indices, got shape [${shape.join(", ")}]`);
        bags = splitBags(this, values, offsets);
      } else if (shape.length === 1) {
        bags = [values];
        single = true;
      } else if (shape.length === 2) {
        const [n, len] = shape as [number, number];
        bags = Array.from({ length: n }, (_, i) => values.subarray(i * len, (i + 1) * len));
      } else {
        throw new Error(`layer ${this.repr()} expects a bag of indices, an array of bags, or a 2-d int32 tensor (a bag per row), got shape [${shape.join(", ")}]`);
      }
    }
    const empty = bags.findIndex((b) => b.length === 0);
    if (empty >= 0) throw new Error(`layer ${this.repr()}: bag ${empty} is empty`);
    return tf.tidy(() => {
      const out = bags.map((b) => tf.reshape(this.reduction(gatherRows(this.weight, tf.tensor1d(b, "int32")), 0), [-1]));
      return single ? out[0]! : tf.stack(out);
    });
  }

  /** One-hot (or float) bags: each bag [n, in] becomes reduction(bag·W, 0). */
  private applyRows(x: tf.Tensor | tf.Tensor[], nIn: number): tf.Tensor {
    const list = Array.isArray(x) ? x : [x];
    list.forEach((t, i) => {
      if (Array.isArray(x) ? t.rank !== 2 : t.rank < 2) {
        const what = t.rank === 1 ? "is not defined for a one-hot vector (a bag is [n, in], one row per item)" : `expects ${Array.isArray(x) ? "each bag" : "one-hot bags"} as [${Array.isArray(x) ? "" : "bags…, "}n, ${nIn}]`;
        throw new Error(`layer ${this.repr()} ${what}, but got ${Array.isArray(x) ? `bag ${i} of` : "a tensor of"} shape [${t.shape.join(", ")}]`);
      }
      if (t.shape.at(-1) !== nIn) throw new Error(`layer ${this.repr()} expects one-hot rows with size(input, -1) == ${nIn} (features last), but got a tensor of shape [${t.shape.join(", ")}]`);
      if (t.shape.at(-2) === 0) throw new Error(`layer ${this.repr()}: a one-hot bag is empty (shape [${t.shape.join(", ")}])`);
    });
    return tf.tidy(() => {
      const reduce = (bag: tf.Tensor) => tf.reshape(this.reduction(tf.matMul(tf.cast(bag, "float32"), this.weight), 0), [-1]);
      if (Array.isArray(x)) return tf.stack(x.map(reduce));
      const n = x.shape.at(-2)!;
      const lead = x.shape.slice(0, -2);
      const out = tf.unstack(tf.reshape(x, [-1, n, nIn])).map(reduce);
      return tf.reshape(tf.stack(out), [...lead, this.weight.shape[1]!]);
    });
  }

  repr(): string {
    const [nIn, nOut] = this.weight.shape;
    return `EmbeddingBag(${nIn} => ${nOut})`;
  }
}
layer(EmbeddingBag, { fields: ["weight", "reduction"] });

/** A tensor input must be live and real; the weight must not be disposed. */
function checkIndexInput(layer: Embedding | EmbeddingBag, x: Indices): void {
  if (x instanceof tf.Tensor) checkTensor(layer, x);
  else checkParameters(layer);
  if (Array.isArray(x)) checkInputsLive(layer, x);
}

/** A [n, 1] column of ones with a zero at row `pad`. */
function rowMask(n: number, pad: number): tf.Tensor {
  const m = new Float32Array(n).fill(1);
  m[pad] = 0;
  return tf.tensor2d(m, [n, 1]);
}

/**
 * `tf.gather(w, idx)` on axis 0. tfjs's gather gradient needs UnsortedSegmentSum, which the wasm
 * backend lacks; there the gradient is the equivalent scatter-add `scatterND` instead.
 */
function gatherRows(w: tf.Tensor, idx: tf.Tensor): tf.Tensor {
  if (tf.getKernel("UnsortedSegmentSum", tf.getBackend()) !== undefined) return tf.gather(w, idx);
  // The indices go in as an input and are saved, so they outlive the forward pass's tidy.
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [v, i, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([i]);
    const shape = v.shape;
    return {
      value: tf.gather(v, i),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => [tf.scatterND(tf.expandDims(saved[0]!, 1), dy as tf.Tensor, shape), tf.zerosLike(saved[0]!)],
    };
  });
  return f(w, idx);
}

/** The indices of `x` as int32 values and the shape they come in; non-integers are an error. */
function indexValues(layer: { repr(): string }, x: Indices): [Int32Array, number[]] {
  if (x instanceof tf.Tensor) {
    if (x.dtype !== "int32") throw new Error(`layer ${layer.repr()} expects int32 indices, got a ${x.dtype} tensor`);
    return [x.dataSync() as Int32Array, [...x.shape]];
  }
  if (typeof x === "number") return [checkedInts(layer, [x]), []];
  if (!Array.isArray(x)) throw new Error(`layer ${layer.repr()} expects indices (an int32 tensor, a number or an array of numbers), got ${x === null ? "null" : typeof x}`);
  const shape: number[] = [];
  for (let v: unknown = x; Array.isArray(v); v = v[0]) {
    shape.push(v.length);
    if (v.length === 0) break;
  }
  const flat: unknown[] = [];
  const rectangular = (v: unknown, d: number): boolean =>
    d === shape.length ? (flat.push(v), true) : Array.isArray(v) && v.length === shape[d] && v.every((e) => rectangular(e, d + 1));
  if (!rectangular(x, 0) || flat.some((v) => typeof v !== "number")) {
    throw new Error(`layer ${layer.repr()} expects a rectangular (nested) array of integer indices, got a ragged or non-numeric array`);
  }
  return [checkedInts(layer, flat as number[]), shape];
}

function checkedInts(layer: { repr(): string }, xs: readonly number[]): Int32Array {
  const bad = xs.find((v) => !Number.isInteger(v));
  if (bad !== undefined) throw new Error(`layer ${layer.repr()} expects integer indices, got ${bad}`);
  return Int32Array.from(xs);
}

function checkRange(layer: { repr(): string }, values: Int32Array, n: number): void {
  for (const v of values) {
    if (v < 0 || v >= n) throw new Error(`layer ${layer.repr()} got index ${v}, out of range: indices are 0-based, in [0, ${n - 1}]`);
  }
}

function raggedBags(layer: { repr(): string }, x: readonly unknown[], n: number): Int32Array[] {
  return x.map((bag, i) => {
    const values = bag instanceof tf.Tensor ? indexValues(layer, bag)[0] : Array.isArray(bag) && bag.every((v) => typeof v === "number") ? checkedInts(layer, bag) : null;
    if (values === null || (bag instanceof tf.Tensor && bag.rank !== 1)) {
      throw new Error(`layer ${layer.repr()} expects each bag to be a flat array (or 1-d int32 tensor) of indices; bag ${i} is not`);
    }
    checkRange(layer, values, n);
    return values;
  });
}

function splitBags(layer: { repr(): string }, values: Int32Array, offsets: readonly number[] | tf.Tensor): Int32Array[] {
  const offs = offsets instanceof tf.Tensor ? Array.from(offsets.dataSync()) : [...offsets];
  const ok = offs.length > 0 && offs[0] === 0 && offs.every((o, i) => Number.isInteger(o) && o <= values.length && (i === 0 || o >= offs[i - 1]!));
  if (!ok) throw new Error(`layer ${layer.repr()}: offsets must start at 0 and be non-decreasing integers up to ${values.length}, got [${offs.join(", ")}]`);
  return offs.map((o, i) => values.subarray(o, i + 1 < offs.length ? offs[i + 1]! : values.length));
}
