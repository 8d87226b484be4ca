import { tf } from "@fluxion/backend";
import { isPlainObject } from "@fluxion/functors";
import { defaultRng, type Rng } from "@fluxion/nn";

/** Data a DataLoader batches: a tensor or JS array, or an array / plain object of them. */
export type Observations = tf.Tensor | readonly unknown[] | readonly Observations[] | { readonly [key: string]: Observations };

export interface DataLoaderOptions {
  /** Observations per batch (default 1). */
  batchsize?: number;
  /** Reshuffle the observations at the start of every pass (default false). */
  shuffle?: boolean;
  /** Keep the last, smaller batch (default true). */
  partial?: boolean;
  /** The generator for shuffling (default: nn's default Rng). */
  rng?: Rng;
}

type Leafy = tf.Tensor | readonly unknown[];

/**
 * MLUtils' DataLoader, batch-first: observations are indexed along the FIRST axis of each tensor
 * (and by position in a JS array, e.g. a list of labels ready for `onehotbatch`). A tuple (array)
 * or plain object of such containers is batched together. Each pass yields batches of the same
 * form; a batch's tensors stay alive until the loader moves on to the next batch (or the pass
 * ends), so a training loop holds one batch at a time — `tf.clone` what you want to keep.
 */
export class DataLoader<D extends Observations = Observations> implements Iterable<D> {
  readonly batchsize: number;
  readonly shuffle: boolean;
  readonly partial: boolean;
  readonly rng: Rng;
  /** Number of observations. */
  readonly nobs: number;

  constructor(
    readonly data: D,
    options: DataLoaderOptions = {},
  ) {
    const { batchsize = 1, shuffle = false, partial = true, rng = defaultRng() } = options;
    if (!Number.isInteger(batchsize) || batchsize === 0) throw new Error(`DataLoader: batchsize must be a positive integer (or negative for single observations), got ${batchsize}`);
    const counts = leaves(data).map(numobs);
    if (counts.length === 0) throw new Error("DataLoader: data holds no tensors or arrays to batch");
    if (counts.some((n) => n !== counts[0])) {
      throw new Error(`DataLoader: all data containers must have the same number of observations, got ${counts.join(", ")}`);
    }
    this.nobs = counts[0]!;
    let bs = batchsize < 0 ? 1 : batchsize;
    if (bs > this.nobs && this.nobs > 0) {
      console.warn(`DataLoader: number of observations (${this.nobs}) is less than batchsize (${bs}); using batchsize = ${this.nobs}`);
      bs = this.nobs;
    }
    this.batchsize = bs;
    this.shuffle = shuffle;
    this.partial = partial;
    this.rng = rng;
  }

  /** Batches per pass: ⌈n / batchsize⌉ with `partial`, else ⌊n / batchsize⌋. */
  get length(): number {
    return this.partial ? Math.ceil(this.nobs / this.batchsize) : Math.floor(this.nobs / this.batchsize);
  }

  *[Symbol.iterator](): Iterator<D> {
    const order = this.shuffle ? this.rng.permutation(this.nobs) : Array.from({ length: this.nobs }, (_, i) => i);
    let previous: D | null = null;
    try {
      for (let b = 0; b < this.length; b++) {
        const idx = order.slice(b * this.batchsize, (b + 1) * this.batchsize);
        if (previous !== null) tf.dispose(tensorsOf(previous));
        previous = take(this.data, idx) as D;
        yield previous;
      }
    } finally {
      if (previous !== null) tf.dispose(tensorsOf(previous));
    }
  }

  toString(): string {
    const opts = [`batchsize=${this.batchsize}`, ...(this.shuffle ? ["shuffle=true"] : []), ...(this.partial ? [] : ["partial=false"])];
    return `DataLoader(${describeData(this.data)}, ${opts.join(", ")})`;
  }
}

const isContainer = (x: unknown): boolean => (Array.isArray(x) && x.some((v) => v instanceof tf.Tensor || Array.isArray(v) || isPlainObject(v))) || isPlainObject(x);

function leaves(x: unknown): Leafy[] {
  if (x instanceof tf.Tensor) return [x];
  if (isContainer(x)) return Object.values(x as object).flatMap(leaves);
  if (Array.isArray(x)) return [x];
  throw new Error(`DataLoader: cannot batch ${x === null ? "null" : typeof x}; expected tensors, arrays, or an array / plain object of them`);
}

function numobs(x: Leafy): number {
  if (x instanceof tf.Tensor) {
    if (x.rank === 0) throw new Error("DataLoader: a scalar tensor has no observations to batch (observations run along the first axis)");
    return x.shape[0]!;
  }
  return x.length;
}

function take(x: unknown, idx: number[]): unknown {
  if (x instanceof tf.Tensor) {
    const contiguous = idx.every((v, i) => v === idx[0]! + i);
    return contiguous ? tf.slice(x, [idx[0]!], [idx.length]) : tf.tidy(() => tf.gather(x, tf.tensor1d(idx, "int32")));
  }
  if (isContainer(x)) {
    return Array.isArray(x) ? x.map((v) => take(v, idx)) : Object.fromEntries(Object.entries(x as object).map(([k, v]) => [k, take(v, idx)]));
  }
  return idx.map((i) => (x as unknown[])[i]);
}

function tensorsOf(x: unknown): tf.Tensor[] {
  if (x instanceof tf.Tensor) return [x];
  if (isContainer(x)) return Object.values(x as object).flatMap(tensorsOf);
  return [];
}

function describeData(x: unknown): string {
  if (x instanceof tf.Tensor) return `${x.shape.join("×")} Tensor{${x.dtype}}`;
  if (isContainer(x)) {
    const parts = Object.entries(x as object).map(([k, v]) => (Array.isArray(x) ? describeData(v) : `${k} = ${describeData(v)}`));
    return Array.isArray(x) ? `(${parts.join(", ")})` : `(; ${parts.join(", ")})`;
  }
  return `${(x as unknown[]).length}-element Array`;
}
