// Shared bookkeeping for the conv and pooling layers: option expansion, Flux's padding forms
// (number, per-dim, 2N lo/hi, SamePad), output sizes, and the collapsed-tuple printing.
// Spatial dims are numbered as in the input after the batch axis: for x [b, d1, d2, c], a Flux
// pad (1, 0, 1, 0) means d1 lo, d1 hi, d2 lo, d2 hi (Flux's own first dim is W, ours is d1).

/**
 * `pad: new SamePad()` chooses padding so that output size = ceil(input size / stride) (the same
 * size at stride 1). Total k_eff − 1 per dim, the larger half first (Flux's `(cld, fld)` split).
 */
export class SamePad {
  /** `SamePad()`, as printed inside a layer. */
  repr(): string {
    return "SamePad()";
  }
  /** `SamePad()`. */
  toString(): string {
    return "SamePad()";
  }
}

/** A pad option: one number for all sides, N (same lo and hi), 2N (lo, hi per dim), or SamePad. */
export type PadOption = number | readonly number[] | SamePad;

const isCount = (n: unknown, min: number): n is number => Number.isInteger(n) && (n as number) >= min;

/** Flux's `expand(Val(N), i)`: a number repeated N times, or an N-array checked. */
export function expandOption(name: string, option: string, value: number | readonly number[], n: number, min: number): number[] {
  if (typeof value === "number") {
    if (!isCount(value, min)) throw new Error(`${name}: ${option} must be an integer ≥ ${min}, got ${value}`);
    return Array<number>(n).fill(value);
  }
  if (!Array.isArray(value) || value.length !== n || !value.every((v) => isCount(v, min))) {
    throw new Error(`${name}: ${option} must be an integer ≥ ${min} or an array of ${n} of them (one per spatial dim), got ${JSON.stringify(value)}`);
  }
  return [...value];
}

/**
 * The dilation per spatial dim, an integer ≥ 1, or 0 where the filter size is 1 (Flux accepts it:
 * there are no gaps to space, so SamePad still keeps the size).
 */
export function expandDilation(name: string, value: number | readonly number[], kernel: readonly number[]): number[] {
  const dilation = expandOption(name, "dilation", value, kernel.length, 0);
  if (dilation.some((d, i) => d === 0 && kernel[i] !== 1)) {
    throw new Error(`${name}: dilation must be ≥ 1 where the filter size is above 1, got dilation ${JSON.stringify(value)} for filter size ${tupleString(kernel)}`);
  }
  return dilation;
}

/**
 * Flux's `calc_padding`: the 2N padding [lo1, hi1, lo2, hi2, …]. SamePad pads k_eff − 1 in total
 * per dim, k_eff = k + (k − 1)(dilation − 1), split ceil / floor (more at the start). The total is
 * negative for a ConvTranspose whose stride exceeds its kernel (its "kernel" is k − stride + 1):
 * a negative padding there adds zeros to the output, as in Flux.
 */
export function calcPadding(name: string, pad: PadOption, kernel: readonly number[], dilation: readonly number[]): number[] {
  const n = kernel.length;
  if (pad instanceof SamePad) {
    return kernel.flatMap((k, i) => {
      const total = k + (k - 1) * (dilation[i]! - 1) - 1;
      // `+ 0` turns Math.ceil(−0.5)'s −0 into 0.
      return [Math.ceil(total / 2) + 0, Math.floor(total / 2)];
    });
  }
  if (typeof pad === "number") return expandOption(name, "pad", pad, 2 * n, 0);
  if (Array.isArray(pad) && pad.length === n) {
    return expandOption(name, "pad", pad, n, 0).flatMap((p) => [p, p]);
  }
  if (Array.isArray(pad) && pad.length === 2 * n) return expandOption(name, "pad", pad, 2 * n, 0);
  throw new Error(
    `${name}: pad must be a number, an array of ${n} (per dim) or ${2 * n} (lo, hi per dim) non-negative integers, or new SamePad(); got ${describePad(pad)}`,
  );
}

function describePad(pad: unknown): string {
  if (pad !== null && typeof pad === "object" && !Array.isArray(pad)) return `a ${(pad as object).constructor?.name ?? "object"}`;
  return JSON.stringify(pad);
}

/** The (lo, hi) pairs of a 2N padding. */
export function padPairs(pad: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < pad.length; i += 2) out.push([pad[i]!, pad[i + 1]!]);
  return out;
}

/** floor((in + lo + hi − dil·(k − 1) − 1) / stride) + 1 per spatial dim. */
export function convOutputSize(input: readonly number[], kernel: readonly number[], stride: readonly number[], pad: readonly number[], dilation: readonly number[]): number[] {
  return input.map((n, i) => Math.floor((n + pad[2 * i]! + pad[2 * i + 1]! - dilation[i]! * (kernel[i]! - 1) - 1) / stride[i]!) + 1);
}

/** (in − 1)·stride + 1 + (k − 1)·dil − lo − hi + outpad per spatial dim. */
export function transposeOutputSize(
  input: readonly number[],
  kernel: readonly number[],
  stride: readonly number[],
  pad: readonly number[],
  dilation: readonly number[],
  outpad: readonly number[],
): number[] {
  return input.map((n, i) => (n - 1) * stride[i]! + 1 + (kernel[i]! - 1) * dilation[i]! - pad[2 * i]! - pad[2 * i + 1]! + outpad[i]!);
}

/** Julia's tuple printing: `(5, 5)`, `(3,)`. */
export function tupleString(xs: readonly number[]): string {
  return xs.length === 1 ? `(${xs[0]},)` : `(${xs.join(", ")})`;
}

/** Flux's `_maybetuple_string`: one number when all entries agree, else the tuple. */
export function maybeTupleString(xs: readonly number[]): string {
  return xs.every((x) => x === xs[0]) ? String(xs[0]) : tupleString(xs);
}

/** `layer … expects ndims(input) == n`, with our shapes. */
export function checkRank(layer: { repr(): string }, x: { rank: number; shape: readonly number[] }, rank: number): void {
  if (x.rank !== rank) {
    throw new Error(
      `layer ${layer.repr()} expects ndims(input) == ${rank} ([batch, ${rank - 2} spatial dims…, channels]), but got a tensor of shape [${x.shape.join(", ")}]`,
    );
  }
}

/** Throws unless every output size is at least 1 (the input is large enough for the window). */
export function checkOutputSize(layer: { repr(): string }, x: { shape: readonly number[] }, out: readonly number[]): void {
  if (out.some((n) => n < 1)) {
    throw new Error(
      `layer ${layer.repr()}: the input of shape [${x.shape.join(", ")}] is too small for the window (padded spatial size gives output size [${out.join(", ")}])`,
    );
  }
}

/** Checks a window / filter size: 1 to 3 positive integers. */
export function checkWindow(name: string, what: string, k: unknown): number[] {
  if (!Array.isArray(k) || k.length < 1 || k.length > 3 || !k.every((v) => isCount(v, 1))) {
    throw new Error(`${name}: ${what} must be an array of 1, 2 or 3 positive integers (the spatial size), got ${JSON.stringify(k)}`);
  }
  return [...(k as number[])];
}
