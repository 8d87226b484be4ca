import { tf } from "@fluxion/backend";
import { children, execute, ExcludeWalk, fleaves, fmap, isLeaf, type Walk } from "@fluxion/functors";
import { defaultRng, type Rng } from "@fluxion/nn";

/** Data a DataLoader batches: a tensor or JS array, or a tree (array, plain object, Map, …) of them. */
export type Observations = tf.Tensor | readonly unknown[] | readonly Observations[] | { readonly [key: string]: Observations } | ReadonlyMap<unknown, Observations>;

/** Options of `DataLoader`. */
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

  /** One pass over the data: the batches in order (reshuffled first when `shuffle`). */
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

/**
 * Where the data tree stops: a tensor, or a JS array of observations (one holding no tensors or
 * containers; an array that does is a tuple to walk into). Other nodes are walked as functors do.
 */
const isObservations = (x: unknown): x is Leafy => x instanceof tf.Tensor || (Array.isArray(x) && !x.some((v) => v instanceof tf.Tensor || Array.isArray(v) || !isLeaf(v)));

/** The data tree's leaves: observation containers, and any other leaf (which cannot be batched). */
const dataLeaves = (x: unknown): unknown[] => fleaves(x, { exclude: (v) => isObservations(v) || isLeaf(v) });

function leaves(x: unknown): Leafy[] {
  const found = dataLeaves(x);
  for (const v of found) {
    if (!isObservations(v)) throw new Error(`DataLoader: cannot batch ${v === null ? "null" : typeof v}; expected tensors, arrays, or an array / plain object of them`);
  }
  return found as Leafy[];
}

function numobs(x: Leafy): number {
  if (x instanceof tf.Tensor) {
    if (x.rank === 0) throw new Error("DataLoader: a scalar tensor has no observations to batch (observations run along the first axis)");
    return x.shape[0]!;
  }
  return x.length;
}

function takeObservations(x: Leafy, idx: number[]): Leafy {
  if (x instanceof tf.Tensor) {
    const contiguous = idx.every((v, i) => v === idx[0]! + i);
    return contiguous ? tf.slice(x, [idx[0]!], [idx.length]) : tf.tidy(() => tf.gather(x, tf.tensor1d(idx, "int32")));
  }
  return idx.map((i) => x[i]);
}

// A tensor reached twice (shared) is taken once: fmap caches it, and tf.dispose tolerates repeats.
const take = (x: unknown, idx: number[]): unknown => fmap({ exclude: isObservations }, (v: Leafy) => takeObservations(v, idx), x);

const tensorsOf = (x: unknown): tf.Tensor[] => dataLeaves(x).filter((v): v is tf.Tensor => v instanceof tf.Tensor);

/** Julia's summary of a container: `(a, b)` for a tuple, `(; k = a)` for named fields. */
const describeContainer: Walk = {
  walk(recurse, x) {
    const ch = children(x);
    const entries: [unknown, unknown][] = ch instanceof Map ? [...ch] : Object.entries(ch);
    return Array.isArray(ch) ? `(${entries.map(([, v]) => recurse(v)).join(", ")})` : `(; ${entries.map(([k, v]) => `${String(k)} = ${recurse(v)}`).join(", ")})`;
  },
};

const describeObservations = (x: Leafy): string => (x instanceof tf.Tensor ? `${x.shape.join("×")} Tensor{${x.dtype}}` : `${x.length}-element Array`);

const describeData = (x: unknown): string => execute(new ExcludeWalk(describeContainer, describeObservations, isObservations), x);
