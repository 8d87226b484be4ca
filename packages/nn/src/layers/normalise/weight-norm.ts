// Flux 0.16's WeightNorm: a layer whose weight v is used as w = g · v / ‖v‖, the norm taken over
// `dims`. v stays the wrapped layer's own field; g is a new parameter beside it.
import { tf } from "@fluxion/backend";
import { fmap, functor, isLeaf } from "@fluxion/functors";
import { layer } from "../../core/declare.js";
import { call, Layer } from "../../core/layer.js";
import { param } from "../../core/params.js";
import { repr } from "../../core/show.js";
import { EPS32 } from "../../losses/loss-utils.js";

/** Options of `WeightNorm`. */
export interface WeightNormOptions {
  /**
   * The axes of the weight the norm is taken over (negative count from the end), or "all". Default:
   * Flux's `dims = -1`, its last dim, which is our axis 0 for a matrix (our [in, out] is Flux's
   * [out, in] transposed: one norm per output unit) and our last axis otherwise (conv kernels
   * [k…, in, out] keep Flux's order of in and out).
   */
  dims?: number | readonly number[] | "all";
}

const sumSquares = (v: tf.Tensor, dims: number[]): tf.Tensor => tf.sum(tf.square(v), dims, true);

/**
 * `new WeightNorm(layer, which = "weight", { dims })`: runs `layer` with its field `which` replaced
 * by g · v / √(Σ_dims v² + ε), where v is that field (still trained in place) and g starts at
 * √(Σ_dims v² + ε), so the layer computes what it did before. ε is float32's eps, as in Flux.
 */
export class WeightNorm extends Layer {
  layer: any;
  g: tf.Variable;
  which: string;
  dims: number[];

  constructor(wrapped: object, which = "weight", options: WeightNormOptions = {}) {
    super();
    if (wrapped === null || typeof wrapped !== "object") throw new Error(`WeightNorm: expected a layer, got ${wrapped === null ? "null" : typeof wrapped}`);
    if (wrapped instanceof WeightNorm) throw new Error(`WeightNorm: the layer ${wrapped.repr()} is already weight-normalised`);
    const name = (wrapped as object).constructor?.name ?? "object";
    if (typeof which !== "string" || !(which in wrapped)) throw new Error(`WeightNorm: ${name} does not have field ${JSON.stringify(which)}`);
    const v = (wrapped as Record<string, unknown>)[which];
    if (!(v instanceof tf.Tensor) || v.dtype !== "float32") throw new Error(`WeightNorm: the field ${JSON.stringify(which)} of ${name} must be a float32 tensor, got ${v instanceof tf.Tensor ? `dtype ${v.dtype}` : typeof v}`);
    this.dims = normDims(v.rank, options.dims);
    if (tf.tidy(() => tf.all(tf.equal(v, 0)).dataSync()[0] === 1)) {
      throw new Error(`WeightNorm: the field ${JSON.stringify(which)} of ${name} is all zero, which would give NaN`);
    }
    this.layer = wrapped;
    this.which = which;
    this.g = param(() => tf.sqrt(tf.add(sumSquares(v, this.dims), EPS32)));
  }

  /** The reparametrised weight g · v / √(Σ v² + ε), a new tensor. */
  weight(): tf.Tensor {
    return tf.tidy(() => {
      const v = this.layer[this.which] as tf.Tensor;
      return tf.div(tf.mul(this.g, v), tf.sqrt(tf.add(sumSquares(v, this.dims), EPS32)));
    });
  }

  apply(...inputs: unknown[]): any {
    return tf.tidy(() => {
      const v = this.layer[this.which];
      this.layer[this.which] = this.weight();
      try {
        return call(this.layer, ...inputs);
      } finally {
        this.layer[this.which] = v;
      }
    });
  }

  /** Flux's `reparametrize`: a copy of the layer with its weight fixed at g · v / ‖v‖ (a new Variable). */
  reparametrize(): any {
    const [fields, reconstruct] = functor(this.layer);
    return reconstruct({ ...fields, [this.which]: param(() => this.weight()) });
  }

  repr(): string {
    const dims = this.dims.length === 1 ? String(this.dims[0]) : `[${this.dims.join(", ")}]`;
    return `WeightNorm(${repr(this.layer)}, :${this.which}; dims=${dims})`;
  }
}
layer(WeightNorm, { fields: ["layer", "g", "which", "dims"] });

function normDims(rank: number, dims: WeightNormOptions["dims"]): number[] {
  if (dims === "all") return Array.from({ length: rank }, (_, i) => i);
  const list = dims === undefined ? [rank === 2 ? 0 : rank - 1] : typeof dims === "number" ? [dims] : Array.isArray(dims) ? [...dims] : null;
  if (list === null || list.length === 0 || list.some((d) => !Number.isInteger(d) || d < -rank || d >= rank)) {
    throw new Error(`WeightNorm: dims must be "all" or axes of the weight (rank ${rank}), got ${JSON.stringify(dims)}`);
  }
  return [...new Set(list.map((d) => (d < 0 ? d + rank : d)))].sort((a, b) => a - b);
}

/** Flux's `remove_weight_norms`: the model with every WeightNorm replaced by its reparametrised layer. */
export function removeWeightNorms<M>(model: M): M {
  return fmap({ exclude: (x: unknown) => isLeaf(x) || x instanceof WeightNorm }, (x: unknown) => (x instanceof WeightNorm ? x.reparametrize() : x), model);
}
