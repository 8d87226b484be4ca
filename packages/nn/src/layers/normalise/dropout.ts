// Flux's Dropout and AlphaDropout. Masks are drawn from the seeded `Rng` (not tfjs's random ops),
// so a seed gives the same masks on every backend.
import { tf } from "@fluxion/backend";
import { layer } from "../../core/declare.js";
import { Layer } from "../../core/layer.js";
import { isActive } from "../../core/modules.js";
import { defaultRng, Rng } from "../../functions/rng.js";
import { repr } from "../../core/show.js";
import { checkOptions, checkTensor } from "../../core/checks.js";

function checkP(name: string, p: unknown): asserts p is number {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new Error(`${name} expects 0 ≤ p ≤ 1, got p = ${String(p)}`);
}

function checkMode(name: string, active: unknown): asserts active is boolean | null {
  if (active !== null && typeof active !== "boolean") throw new Error(`${name}: active must be true, false or null, got ${String(active)}`);
}

function checkRng(name: string, rng: unknown): asserts rng is Rng | null {
  if (rng !== null && !(rng instanceof Rng)) throw new Error(`${name}: rng must be an Rng, got ${typeof rng}`);
}

/** Options of `Dropout`. */
export interface DropoutOptions {
  /** The axes (of our layout, negative from the end) along which the mask varies; default all. */
  dims?: number | readonly number[] | null;
  active?: boolean | null;
  /** The generator for masks; default (null): the default generator at call time. */
  rng?: Rng | null;
}

/**
 * `Dropout(p, { dims = all, active = null, rng })`: while active, zeroes each entry with
 * probability p and scales the rest by 1/(1 − p); otherwise the identity. `dims` lists the axes
 * along which the mask varies; it is broadcast along the others. Axes are in this package's
 * layout, 0-based (negative from the end): for NHWC images `dims: 3` (or -1) drops whole
 * channels, the same channels for every sample and position, like Flux's `dims=3` on WHCN.
 */
export class Dropout extends Layer {
  p: number;
  dims: number | number[] | null;
  active: boolean | null;
  rng: Rng | null;

  constructor(p: number, options: DropoutOptions = {}) {
    super();
    checkP("Dropout", p);
    checkOptions("Dropout", options, ["dims", "active", "rng"]);
    const dims = options.dims ?? null;
    const list = dims === null ? [] : typeof dims === "number" ? [dims] : Array.isArray(dims) ? dims : null;
    if (list === null || !list.every((d) => Number.isInteger(d))) {
      throw new Error(`Dropout: dims must be an axis or an array of axes (integers), got ${JSON.stringify(dims)}`);
    }
    this.p = p;
    this.dims = dims === null || typeof dims === "number" ? dims : [...dims];
    this.active = options.active ?? null;
    checkMode("Dropout", this.active);
    this.rng = options.rng ?? null;
    checkRng("Dropout", this.rng);
  }

  apply(x: tf.Tensor): tf.Tensor {
    checkTensor(this, x);
    if (!isActive(this) || this.p === 0) return tf.clone(x);
    const maskShape = this.maskShape(x);
    const p = this.p;
    const n = maskShape.reduce((a, b) => a * b, 1);
    const u = (this.rng ?? defaultRng()).floats(n);
    // NNlib: keep where u > p, scaled by 1/(1 − p) (p = 1 drops everything)
    const keep = p === 1 ? 0 : Math.fround(1 / (1 - p));
    const mask = new Float32Array(n);
    for (let i = 0; i < n; i++) mask[i] = u[i]! > p ? keep : 0;
    return tf.tidy(() => tf.mul(x, tf.tensor(mask, maskShape, "float32")));
  }

  /** The mask's shape: x's size along `dims`, 1 elsewhere. */
  private maskShape(x: tf.Tensor): number[] {
    if (this.dims === null) return [...x.shape];
    const axes = (typeof this.dims === "number" ? [this.dims] : this.dims).map((d) => {
      if (d < -x.rank || d >= x.rank) {
        throw new Error(`layer ${this.repr()} got an input of rank ${x.rank} (shape [${x.shape.join(", ")}]), which has no axis ${d}`);
      }
      return d < 0 ? d + x.rank : d;
    });
    return x.shape.map((s, i) => (axes.includes(i) ? s : 1));
  }

  repr(): string {
    const dims = this.dims === null ? "" : `, dims=${repr(this.dims)}`;
    const active = this.active === null ? "" : `, active=${this.active}`;
    return `Dropout(${repr(this.p)}${dims}${active})`;
  }
}
layer(Dropout, { fields: ["p", "dims", "active", "rng"], trainable: [] });

/** Options of `AlphaDropout`. */
export interface AlphaDropoutOptions {
  active?: boolean | null;
  rng?: Rng | null;
}

// NNlib's selu(−∞) = −λα, rounded to float32 as Flux does.
const ALPHA_PRIME = Math.fround(-1.7580993408473766);

/**
 * `AlphaDropout(p, { rng, active = null })` (Self-Normalizing Neural Networks): while active, each
 * entry is replaced with probability p by α′ = −λα (SELU's negative saturation value), then
 * `A·x + B` with A = 1/√((1 − p)(1 + p·α′²)), B = −A·α′·p, which keeps zero mean and unit variance.
 */
export class AlphaDropout extends Layer {
  p: number;
  active: boolean | null;
  rng: Rng | null;

  constructor(p: number, options: AlphaDropoutOptions = {}) {
    super();
    checkP("AlphaDropout", p);
    checkOptions("AlphaDropout", options, ["active", "rng"]);
    this.p = p;
    this.active = options.active ?? null;
    checkMode("AlphaDropout", this.active);
    this.rng = options.rng ?? null;
    checkRng("AlphaDropout", this.rng);
  }

  /** Flux's float32 constants A and B for this p. */
  get coefficients(): { A: number; B: number; alphaPrime: number } {
    const p = this.p;
    const A = Math.fround(1 / Math.sqrt((1 - p) * (1 + p * ALPHA_PRIME * ALPHA_PRIME)));
    const B = Math.fround(-A * ALPHA_PRIME * p);
    return { A, B, alphaPrime: ALPHA_PRIME };
  }

  apply(x: tf.Tensor): tf.Tensor {
    checkTensor(this, x);
    const p = this.p;
    if (!isActive(this) || p === 0) return tf.clone(x);
    // Flux's `sign.(x) .* T(0)`: zeros, but NaN stays NaN (tf.sign(NaN) is 0, so test for it)
    // (`where` on a flat view: tfjs-backend-webgl has none above rank 4.)
    if (p === 1) return tf.tidy(() => tf.reshape(tf.where(tf.isNaN(tf.reshape(x, [-1])), tf.reshape(x, [-1]), tf.zeros([x.size])), x.shape));
    const { A, B } = this.coefficients;
    const u = (this.rng ?? defaultRng()).floats(x.size);
    const keep = new Uint8Array(x.size);
    for (let i = 0; i < x.size; i++) keep[i] = u[i]! > p ? 1 : 0;
    return tf.tidy(() => {
      const kept = tf.where(tf.tensor(keep, [x.size], "bool"), tf.reshape(x, [-1]), tf.fill([x.size], ALPHA_PRIME));
      return tf.reshape(tf.add(tf.mul(A, kept), B), x.shape);
    });
  }

  repr(): string {
    return `AlphaDropout(${repr(this.p)})`;
  }
}
layer(AlphaDropout, { fields: ["p", "active", "rng"], trainable: [] });
