// Flux's Upsample and PixelShuffle on x [batch, spatial…, channels].
import { tf } from "@fluxion/backend";
import { registerLeaf } from "@fluxion/functors";
import { layer } from "../../core/declare.js";
import { Layer } from "../../core/layer.js";
import { repr } from "../../core/show.js";
import { checkOptions, checkTensor } from "../../core/checks.js";
import { asFloat } from "./conv-ops.js";

/** How `Upsample` fills in: repeat entries, or interpolate linearly in 2 or 3 spatial dims. */
export type UpsampleMode = "nearest" | "bilinear" | "trilinear";

/** Options of `Upsample`: exactly one of `scale` and `size`. */
export interface UpsampleOptions {
  /** Factor per spatial dim: one number for all, or one per dim. */
  scale?: number | readonly number[];
  /** The output spatial size. */
  size?: readonly number[];
}

const MODES: readonly UpsampleMode[] = ["nearest", "bilinear", "trilinear"];

/**
 * `new Upsample(mode = "nearest", { scale } | { size })` (exactly one of them), or Flux's
 * positional `new Upsample(scale, mode = "nearest")`. "nearest" repeats each entry `scale` times
 * (integer scales, any number of spatial dims); "bilinear" (2 spatial dims) and "trilinear" (3)
 * interpolate linearly with aligned corners as NNlib: source = dest·(in − 1)/(out − 1), output
 * size floor(scale·in). A leaf, as in Flux (`Functors.@leaf Upsample`).
 */
export class Upsample extends Layer {
  mode: UpsampleMode;
  scale: number | number[] | null;
  size: number[] | null;

  constructor(mode?: UpsampleMode | UpsampleOptions, options?: UpsampleOptions);
  constructor(scale: number | readonly number[], mode?: UpsampleMode);
  constructor(a?: UpsampleMode | UpsampleOptions | number | readonly number[], b?: UpsampleOptions | UpsampleMode) {
    super();
    let mode: unknown = "nearest";
    let options: UpsampleOptions;
    if (typeof a === "number" || Array.isArray(a)) {
      options = { scale: a as number | readonly number[] };
      mode = b ?? "nearest";
    } else if (a !== null && typeof a === "object") {
      options = a as UpsampleOptions;
      if (b !== undefined) throw new Error("Upsample: give the mode first: new Upsample(mode, { scale } | { size })");
    } else {
      mode = a ?? "nearest";
      options = (b ?? {}) as UpsampleOptions;
    }
    if (!MODES.includes(mode as UpsampleMode)) throw new Error(`Upsample: mode=${JSON.stringify(mode)} is not supported; use "nearest", "bilinear" or "trilinear"`);
    checkOptions("Upsample", options, ["scale", "size"]);
    const { scale, size } = options;
    if ((scale === undefined || scale === null) === (size === undefined || size === null)) {
      throw new Error("Upsample: either scale or size should be specified (but not both)");
    }
    const positive = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v) && v > 0;
    if (scale !== undefined && scale !== null && !(positive(scale) || (Array.isArray(scale) && scale.length > 0 && scale.every(positive)))) {
      throw new Error(`Upsample: scale must be a positive number or an array of them, got ${JSON.stringify(scale)}`);
    }
    if (size !== undefined && size !== null && !(Array.isArray(size) && size.length > 0 && size.every((v) => Number.isInteger(v) && v > 0))) {
      throw new Error(`Upsample: size must be an array of positive integers, got ${JSON.stringify(size)}`);
    }
    this.mode = mode as UpsampleMode;
    this.scale = scale === undefined || scale === null ? null : typeof scale === "number" ? scale : [...scale];
    this.size = size === undefined || size === null ? null : [...size];
  }

  apply(x: tf.Tensor): tf.Tensor {
    checkTensor(this, x);
    const n = x.rank - 2;
    const need = this.mode === "bilinear" ? 2 : this.mode === "trilinear" ? 3 : null;
    if (n < 1 || (need !== null && n !== need)) {
      const rank = need === null ? "at least 3" : String(need + 2);
      throw new Error(`layer ${this.repr()} expects ndims(input) == ${rank} ([batch, spatial…, channels]), but got a tensor of shape [${x.shape.join(", ")}]`);
    }
    const insize = x.shape.slice(1, n + 1);
    const perDim = (v: number | number[], what: string): number[] => {
      if (typeof v === "number") return Array<number>(n).fill(v);
      if (v.length !== n) throw new Error(`layer ${this.repr()}: ${what} has ${v.length} entries but the input [${x.shape.join(", ")}] has ${n} spatial dims`);
      return v;
    };
    let outsize: number[];
    if (this.size !== null) outsize = perDim(this.size, "size");
    else outsize = perDim(this.scale!, "scale").map((s, i) => Math.floor(s * insize[i]!));
    if (this.mode === "nearest") {
      const factor = outsize.map((o, i) => o / insize[i]!);
      if (!factor.every((f) => Number.isInteger(f) && f >= 1)) {
        throw new Error(`layer ${this.repr()}: nearest upsampling needs integer factors, but the input [${x.shape.join(", ")}] and output size [${outsize.join(", ")}] give ${factor.join(", ")}`);
      }
      return tf.tidy(() => repeatNearest(asFloat(x), factor));
    }
    // Separable interpolation matrices rather than tf.image.resizeBilinear, whose cpu gradient
    // comes out with height and width swapped for non-square images (tfjs 4.22).
    return tf.tidy(() => {
      let y = asFloat(x);
      for (let i = 0; i < n; i++) y = interpolateAxis(y, i + 1, outsize[i]!);
      return y;
    });
  }

  repr(): string {
    const option = this.scale !== null ? `scale = ${repr(this.scale)}` : `size = ${repr(this.size)}`;
    return `Upsample(:${this.mode}, ${option})`;
  }
}
registerLeaf(Upsample);

/** Each spatial entry repeated factor[i] times along dim i (one axis at a time: tfjs's tile gradient stops at rank 4). */
function repeatNearest(x: tf.Tensor, factor: readonly number[]): tf.Tensor {
  let y = x;
  factor.forEach((f, i) => {
    if (f === 1) return;
    const shape = y.shape;
    const [before, len, after] = [shape.slice(0, i + 1).reduce((a, b) => a * b, 1), shape[i + 1]!, shape.slice(i + 2).reduce((a, b) => a * b, 1)];
    const wide = tf.broadcastTo(tf.reshape(y, [before, len, 1, after]), [before, len, f, after]);
    y = tf.reshape(wide, shape.map((s, j) => (j === i + 1 ? s * f : s)));
  });
  return y;
}

/** Linear interpolation along one axis with aligned corners (NNlib's upsample_linear). */
function interpolateAxis(x: tf.Tensor, axis: number, out: number): tf.Tensor {
  const len = x.shape[axis]!;
  if (len === out) return x;
  const m = new Float32Array(len * out); // [in, out]
  const ratio = out > 1 ? (len - 1) / (out - 1) : 0;
  for (let o = 0; o < out; o++) {
    const real = ratio * o;
    const i0 = Math.min(Math.floor(real), len - 1);
    const i1 = i0 < len - 1 ? i0 + 1 : i0;
    const l1 = real - i0;
    m[i0 * out + o]! += 1 - l1;
    m[i1 * out + o]! += l1;
  }
  const perm = Array.from({ length: x.rank }, (_, i) => i).filter((i) => i !== axis);
  perm.push(axis);
  const moved = tf.transpose(x, perm);
  const flat = tf.matMul(tf.reshape(moved, [-1, len]), tf.tensor2d(m, [len, out]));
  const back = tf.reshape(flat, [...moved.shape.slice(0, -1), out]);
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return tf.transpose(back, inverse);
}

/**
 * `new PixelShuffle(r)`: [b, S1, …, SN, C·r^N] → [b, S1·r, …, SN·r, C], with NNlib's channel order:
 * input channel i1 + r·i2 + … + r^N·c goes to output (s1·r + i1, s2·r + i2, …, c). (tfjs's
 * depthToSpace orders the channels differently: c fastest.)
 */
export class PixelShuffle extends Layer {
  r: number;

  constructor(r: number) {
    super();
    if (!Number.isInteger(r) || r < 1) throw new Error(`PixelShuffle: r must be a positive integer, got ${r}`);
    this.r = r;
  }

  apply(x: tf.Tensor): tf.Tensor {
    checkTensor(this, x);
    const n = x.rank - 2;
    const r = this.r;
    const cin = x.shape.at(-1)!;
    if (n < 1 || cin % r ** n !== 0) {
      throw new Error(`layer ${this.repr()} expects an input [batch, spatial…, channels] whose channels are a multiple of r^N (N spatial dims), but got a tensor of shape [${x.shape.join(", ")}]`);
    }
    const cout = cin / r ** n;
    const spatial = x.shape.slice(1, n + 1);
    return tf.tidy(() => {
      // Row-major split of the channel axis: [c, i_N, …, i_1], so i_1 varies fastest.
      const split = tf.reshape(asFloat(x), [x.shape[0]!, ...spatial, cout, ...Array<number>(n).fill(r)]);
      const perm = [0, ...spatial.flatMap((_, j) => [j + 1, 2 * n + 1 - j]), n + 1];
      return tf.reshape(tf.transpose(split, perm), [x.shape[0]!, ...spatial.map((s) => s * r), cout]);
    });
  }

  repr(): string {
    return `PixelShuffle(${this.r})`;
  }
}
layer(PixelShuffle, { fields: [] });
