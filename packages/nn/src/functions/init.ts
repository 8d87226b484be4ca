// Flux's initialisers. Samples come from the seeded `Rng` (not tfjs's random ops), so a seed gives
// the same weights on every backend. Call with a shape for a tensor, or with options only for an
// initialiser closure: `glorotUniform([3, 4])`, `glorotUniform({ gain: 2 })`.
import { tf } from "@fluxion/backend";
import { defaultRng, type Rng } from "./rng.js";

/** Makes a float32 tensor of the given shape. */
export type Initialiser = (shape: readonly number[]) => tf.Tensor;

/** Options every initialiser takes. */
export interface InitOptions {
  /** The generator to draw from; default: `defaultRng()`. */
  rng?: Rng;
  /** The factor scaling the values (each initialiser's default is in its description). */
  gain?: number;
}

/**
 * (fan_in, fan_out) for a weight of this shape, in this package's layouts: a vector (n) is (1, n),
 * a Dense weight [in, out] is (in, out), a conv filter [k…, in, out] is prod(k)·(in, out).
 */
export function nfan(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [1, shape[0]!];
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return [receptive * shape.at(-2)!, receptive * shape.at(-1)!];
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function checkShape(name: string, shape: readonly number[]): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`${name}: expected a shape (an array of non-negative integers), got ${JSON.stringify(shape)}`);
  }
}

/** Builds the dual-form initialiser from `sample(shape, options)`. */
function initialiser<O extends InitOptions>(name: string, sample: (shape: readonly number[], o: O, rng: Rng) => Float32Array) {
  function init(shape: readonly number[], options?: O): tf.Tensor;
  function init(options?: O): Initialiser;
  function init(a?: readonly number[] | O, options?: O): tf.Tensor | Initialiser {
    if (a === undefined || !Array.isArray(a)) {
      const o = (a ?? {}) as O;
      const closure = (shape: readonly number[]) => init(shape, o);
      Object.defineProperty(closure, "name", { value: name });
      return closure;
    }
    checkShape(name, a);
    const o = (options ?? {}) as O;
    return tf.tensor(sample(a, o, o.rng ?? defaultRng()), [...a], "float32");
  }
  Object.defineProperty(init, "name", { value: name });
  return init;
}

const uniform = (n: number, bound: number, rng: Rng): Float32Array => {
  const u = rng.floats(n);
  for (let i = 0; i < n; i++) u[i] = (u[i]! * 2 - 1) * bound;
  return u;
};
const normal = (n: number, std: number, rng: Rng): Float32Array => {
  const v = rng.normals(n);
  for (let i = 0; i < n; i++) v[i] = v[i]! * std;
  return v;
};

/** U(±gain·√(6 / (fan_in + fan_out))). */
export const glorotUniform = initialiser<InitOptions>("glorotUniform", (shape, o, rng) => {
  const [fi, fo] = nfan(shape);
  return uniform(size(shape), (o.gain ?? 1) * Math.sqrt(6 / (fi + fo)), rng);
});

/** N(0, (gain·√(2 / (fan_in + fan_out)))²). */
export const glorotNormal = initialiser<InitOptions>("glorotNormal", (shape, o, rng) => {
  const [fi, fo] = nfan(shape);
  return normal(size(shape), (o.gain ?? 1) * Math.sqrt(2 / (fi + fo)), rng);
});

/** U(±√3·gain/√fan_in), gain = √2. */
export const kaimingUniform = initialiser<InitOptions>("kaimingUniform", (shape, o, rng) => {
  const [fi] = nfan(shape);
  return uniform(size(shape), (Math.sqrt(3) * (o.gain ?? Math.SQRT2)) / Math.sqrt(fi), rng);
});

/** N(0, (gain/√fan_in)²), gain = √2. */
export const kaimingNormal = initialiser<InitOptions>("kaimingNormal", (shape, o, rng) => {
  const [fi] = nfan(shape);
  return normal(size(shape), (o.gain ?? Math.SQRT2) / Math.sqrt(fi), rng);
});

/** Options of `truncatedNormal`: the distribution's mean and std, and the bounds it is cut at. */
export interface TruncatedNormalOptions extends InitOptions {
  mean?: number;
  std?: number;
  lo?: number;
  hi?: number;
}

/** N(mean, std²) restricted to [lo, hi] (defaults 0, 1, −2, 2), by rejection. */
export const truncatedNormal = initialiser<TruncatedNormalOptions>("truncatedNormal", (shape, o, rng) => {
  const { mean = 0, std = 1, lo = -2, hi = 2 } = o;
  if (!(lo < hi)) throw new Error(`truncatedNormal: expected lo < hi, got lo = ${lo}, hi = ${hi}`);
  return sampleTruncated(size(shape), mean, std, lo, hi, rng);
});

/**
 * N(0, (gain·√(1/fan_in))²) cut at ±2, as Flux's `lecun_normal`: the bounds are absolute, not ±2
 * std, so for the usual fan_in the cut changes almost nothing and the std is √(1/fan_in).
 */
export const lecunNormal = initialiser<InitOptions>("lecunNormal", (shape, o, rng) => {
  const std = (o.gain ?? 1) * Math.sqrt(1 / nfan(shape)[0]);
  return sampleTruncated(size(shape), 0, std, -2, 2, rng);
});

function sampleTruncated(n: number, mean: number, std: number, lo: number, hi: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let v: number;
    do v = mean + std * rng.normal();
    while (v < lo || v > hi);
    out[i] = v;
  }
  return out;
}

/**
 * A (semi-)orthogonal matrix times gain: rows or columns orthonormal, from Gram–Schmidt on a
 * Gaussian matrix. Shapes of more than 2 dims are treated as [prod(leading), last], and a vector
 * [n] as [1, n], so it is a random unit vector (as Flux's code does, though its docstring says no).
 */
export const orthogonal = initialiser<InitOptions>("orthogonal", (shape, o, rng) => {
  if (shape.length < 1) throw new Error(`orthogonal: expected a shape of at least 1 dimension, got [${shape.join(", ")}]`);
  const cols = shape.at(-1)!;
  const rows = size(shape.slice(0, -1));
  const [n, m] = rows >= cols ? [rows, cols] : [cols, rows]; // orthonormalise the m vectors of length n
  const vecs = Array.from({ length: m }, () => Float64Array.from(rng.normals(n)));
  for (let j = 0; j < m; j++) {
    const v = vecs[j]!;
    for (let k = 0; k < j; k++) {
      const u = vecs[k]!;
      let dot = 0;
      for (let i = 0; i < n; i++) dot += u[i]! * v[i]!;
      for (let i = 0; i < n; i++) v[i]! -= dot * u[i]!;
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += v[i]! * v[i]!;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) v[i]! /= norm;
  }
  const gain = o.gain ?? 1;
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[r * cols + c] = gain * (rows >= cols ? vecs[c]![r]! : vecs[r]![c]!);
  }
  return out;
});

/** Options of `sparseInit`: the fraction of zeros per column (required) and the std of the rest (default 0.01). */
export interface SparseInitOptions extends InitOptions {
  sparsity: number;
  std?: number;
}

/**
 * A [rows, cols] matrix, N(0, std²) with ceil(sparsity·rows) zeros in each column; sparsity is
 * clamped to [0, 1] as in Flux (below 0: no zeros, above 1: all zeros).
 */
export const sparseInit = initialiser<SparseInitOptions>("sparseInit", (shape, o, rng) => {
  if (shape.length !== 2) throw new Error(`sparseInit: only 2-d shapes are supported, got [${shape.join(", ")}]`);
  if (typeof o.sparsity !== "number" || Number.isNaN(o.sparsity)) throw new Error(`sparseInit: sparsity must be a number, got ${String(o.sparsity)}`);
  const [rows, cols] = shape as [number, number];
  const out = normal(rows * cols, o.std ?? 0.01, rng);
  const zeros = Math.ceil(Math.min(Math.max(o.sparsity, 0), 1) * rows);
  for (let c = 0; c < cols; c++) {
    for (const r of rng.permutation(rows).slice(0, zeros)) out[r * cols + c] = 0;
  }
  return out;
});

/**
 * The identity map: zeros for a vector, gain·I for a matrix, and for a conv filter [k…, in, out]
 * gain at the centre tap of channel i → i. The centre is Flux's cld(k, 2) (1-based), so for an
 * even k the tap before the middle: with SamePad's larger padding first, a flipped Conv kernel
 * then maps each pixel to itself.
 */
export const identityInit = initialiser<InitOptions>("identityInit", (shape, o) => {
  const gain = o.gain ?? 1;
  const out = new Float32Array(size(shape));
  if (shape.length < 2) return out;
  const [cin, cout] = [shape.at(-2)!, shape.at(-1)!];
  const spatial = shape.slice(0, -2);
  let centre = 0;
  for (const k of spatial) centre = centre * k + Math.ceil(k / 2) - 1;
  for (let i = 0; i < Math.min(cin, cout); i++) out[(centre * cin + i) * cout + i] = gain;
  return out;
});

const filled = (v: number) => (shape: readonly number[]): tf.Tensor => {
  checkShape("fill", shape);
  return tf.fill([...shape], v, "float32");
};

/** Float32 zeros of this shape. */
export const zeros32: Initialiser = filled(0);
/** Float32 ones of this shape. */
export const ones32: Initialiser = filled(1);
/** U[0, 1) samples from the default (or given) Rng. */
export function rand32(shape: readonly number[], rng: Rng = defaultRng()): tf.Tensor {
  checkShape("rand32", shape);
  return tf.tensor(rng.floats(size(shape)), [...shape], "float32");
}
/** Standard normal samples from the default (or given) Rng. */
export function randn32(shape: readonly number[], rng: Rng = defaultRng()): tf.Tensor {
  checkShape("randn32", shape);
  return tf.tensor(rng.normals(size(shape)), [...shape], "float32");
}
Object.defineProperty(zeros32, "name", { value: "zeros32" });
Object.defineProperty(ones32, "name", { value: "ones32" });
