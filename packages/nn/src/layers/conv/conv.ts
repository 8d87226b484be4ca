// Flux's convolution layers on tfjs's channels-last layout: x [batch, spatial…, channels] with
// 1, 2 or 3 spatial dims, filters [k…, in/groups, out]. Flux's `Conv` is a true convolution (NNlib
// flips the kernel) while `CrossCor` is not; tfjs's conv ops are cross-correlations, so `Conv`
// and `ConvTranspose` reverse their weight along the spatial axes before calling them. Hence
// `new Conv(W)` equals `new CrossCor(reverse(W))`, and weights copied to or from Flux need no flip.
import { tf } from "@fluxion/backend";
import { type Activation, identity } from "../../functions/activations.js";
import { checkPair } from "../basic/dense.js";
import { layer } from "../../core/declare.js";
import { glorotUniform, type Initialiser } from "../../functions/init.js";
import { Layer } from "../../core/layer.js";
import { createBias, param, type BiasOption } from "../../core/params.js";
import { repr } from "../../core/show.js";
import { checkTensor } from "../../core/size-check.js";
import { asFloat, crossCorrelate, reverseSpatial, transposeCrossCorrelate } from "./conv-ops.js";
import {
  calcPadding,
  checkChannels,
  checkOutputSize,
  checkRank,
  checkWindow,
  convOutputSize,
  expandOption,
  maybeTupleString,
  type PadOption,
  SamePad,
  transposeOutputSize,
  tupleString,
} from "./conv-padding.js";

export { SamePad };
export type { PadOption };

export interface CrossCorOptions {
  /** Step between windows: one number or one per spatial dim (default 1). */
  stride?: number | readonly number[];
  /** Zero padding: a number, N per-dim values, 2N (lo, hi) values in dim order, or `new SamePad()`. */
  pad?: PadOption;
  /** Spacing between kernel taps (default 1). */
  dilation?: number | readonly number[];
  /** `true` (zeros), `false` (none) or a tensor [out]; only in the filter-size form. */
  bias?: BiasOption;
  /** Weight initialiser (default glorotUniform); only in the filter-size form. */
  init?: Initialiser;
}

export interface ConvOptions extends CrossCorOptions {
  /** Split channels into this many independent groups (default 1). */
  groups?: number;
}

export interface ConvTransposeOptions extends ConvOptions {
  /** Extra size added at the end of each spatial dim of the output (default 0). */
  outpad?: number | readonly number[];
}

export type DepthwiseConvOptions = CrossCorOptions;

function checkGroups(name: string, groups: unknown): number {
  if (!Number.isInteger(groups) || (groups as number) < 1) throw new Error(`${name}: groups must be a positive integer, got ${String(groups)}`);
  return groups as number;
}

function checkActivation(name: string, sigma: unknown): Activation {
  if (typeof sigma !== "function") throw new Error(`${name}: σ must be a function, got ${sigma === null ? "null" : typeof sigma}`);
  return sigma as Activation;
}

function checkWeight(name: string, w: tf.Tensor, layout: string): number {
  if (w.rank < 3 || w.rank > 5) {
    throw new Error(`${name}: the weight must have 3 to 5 dims [${layout}], got shape [${w.shape.join(", ")}]`);
  }
  return w.rank - 2;
}

/** Flux's `_print_conv_opt`: σ, pad, stride, dilation, groups, bias=false, each only if not default. */
function convOptionsString(l: { sigma: Activation; pad: number[]; stride: number[]; dilation: number[]; bias: unknown }, groups = 1): string {
  let s = "";
  if (l.sigma !== identity) s += `, ${repr(l.sigma)}`;
  if (!l.pad.every((p) => p === 0)) s += `, pad=${maybeTupleString(l.pad)}`;
  if (!l.stride.every((p) => p === 1)) s += `, stride=${maybeTupleString(l.stride)}`;
  if (!l.dilation.every((p) => p === 1)) s += `, dilation=${maybeTupleString(l.dilation)}`;
  if (groups !== 1) s += `, groups=${groups}`;
  if (l.bias === false) s += ", bias=false";
  return s;
}

/**
 * `new Conv(filter, [in, out], σ = identity, { stride = 1, pad = 0, dilation = 1, groups = 1,
 * bias = true, init = glorotUniform })`: a true convolution (kernel flipped, as Flux) over N =
 * filter.length spatial dims, x [batch, spatial…, in] → [batch, spatial′…, out], with
 * spatial′ = floor((spatial + pad_lo + pad_hi − dilation·(k − 1) − 1) / stride) + 1.
 * The weight is [filter…, in/groups, out]. `new Conv(weight, bias = true, σ, { stride, pad,
 * dilation, groups })` wraps a given weight.
 */
export class Conv extends Layer {
  sigma: Activation;
  weight: tf.Variable;
  bias: tf.Variable | false;
  stride: number[];
  /** 2N padding [lo1, hi1, lo2, hi2, …] in spatial-dim order. */
  pad: number[];
  dilation: number[];
  groups: number;

  constructor(filter: readonly number[], inOut: readonly [number, number], sigma?: Activation, options?: ConvOptions);
  constructor(weight: tf.Tensor, bias?: BiasOption, sigma?: Activation, options?: Omit<ConvOptions, "bias" | "init">);
  constructor(a: readonly number[] | tf.Tensor, b?: readonly [number, number] | BiasOption, c?: Activation, d?: ConvOptions) {
    super();
    const options = d ?? {};
    const groups = checkGroups("Conv", options.groups ?? 1);
    let biasOption: BiasOption;
    if (a instanceof tf.Tensor) {
      const n = checkWeight("Conv", a, "k…, in/groups, out");
      if (a.shape[n + 1]! % groups !== 0) throw new Error(`Conv: the output channel dimension (${a.shape[n + 1]}) must be divisible by groups = ${groups}`);
      this.weight = param(a);
      biasOption = (b ?? true) as BiasOption;
    } else {
      const k = checkWindow("Conv", "the filter size", a);
      const [cin, cout] = checkPair("Conv", b);
      if (cin % groups !== 0) throw new Error(`Conv: the input channel dimension (${cin}) must be divisible by groups = ${groups}`);
      if (cout % groups !== 0) throw new Error(`Conv: the output channel dimension (${cout}) must be divisible by groups = ${groups}`);
      const init = options.init ?? glorotUniform;
      this.weight = param(() => init([...k, cin / groups, cout]));
      biasOption = options.bias ?? true;
    }
    const n = this.weight.rank - 2;
    const k = this.weight.shape.slice(0, n);
    this.sigma = checkActivation("Conv", c ?? identity);
    this.bias = createBias(this.weight, biasOption, this.weight.shape[n + 1]!);
    this.stride = expandOption("Conv", "stride", options.stride ?? 1, n, 1);
    this.dilation = expandOption("Conv", "dilation", options.dilation ?? 1, n, 1);
    this.pad = calcPadding("Conv", options.pad ?? 0, k, this.dilation);
    this.groups = groups;
  }

  apply(x: tf.Tensor): tf.Tensor {
    checkTensor(this, x);
    const n = this.stride.length;
    checkRank(this, x, n + 2);
    checkChannels(this, x, this.weight.shape[n]! * this.groups);
    checkOutputSize(this, x, convOutputSize(x.shape.slice(1, n + 1), this.weight.shape.slice(0, n), this.stride, this.pad, this.dilation));
    return tf.tidy(() => {
      // NNlib's conv flips the kernel; tfjs's does not.
      const w = reverseSpatial(this.weight, n);
      let y = crossCorrelate(asFloat(x), w, this.stride, this.pad, this.dilation, this.groups);
      if (this.bias) y = tf.add(y, this.bias);
      return this.sigma(y);
    });
  }

  repr(): string {
    const n = this.stride.length;
    const cin = this.weight.shape[n]! * this.groups;
    return `Conv(${tupleString(this.weight.shape.slice(0, n))}, ${cin} => ${this.weight.shape[n + 1]}${convOptionsString(this, this.groups)})`;
  }
}
layer(Conv, { fields: ["sigma", "weight", "bias", "stride", "pad", "dilation", "groups"] });

/**
 * `new CrossCor(filter, [in, out], σ = identity, { stride, pad, dilation, bias, init })`: like
 * Conv without the kernel flip (and without groups); weight [filter…, in, out].
 */
export class CrossCor extends Layer {
  sigma: Activation;
  weight: tf.Variable;
  bias: tf.Variable | false;
  stride: number[];
  pad: number[];
  dilation: number[];

  constructor(filter: readonly number[], inOut: readonly [number, number], sigma?: Activation, options?: CrossCorOptions);
  constructor(weight: tf.Tensor, bias?: BiasOption, sigma?: Activation, options?: Omit<CrossCorOptions, "bias" | "init">);
  constructor(a: readonly number[] | tf.Tensor, b?: readonly [number, number] | BiasOption, c?: Activation, d?: CrossCorOptions) {
    super();
    const options = d ?? {};
    if ("groups" in options) throw new Error("CrossCor: there is no groups option (use Conv)");
    let biasOption: BiasOption;
    if (a instanceof tf.Tensor) {
      checkWeight("CrossCor", a, "k…, in, out");
      this.weight = param(a);
      biasOption = (b ?? true) as BiasOption;
    } else {
      const k = checkWindow("CrossCor", "the filter size", a);
      const [cin, cout] = checkPair("CrossCor", b);
      const init = options.init ?? glorotUniform;
      this.weight = param(() => init([...k, cin, cout]));
      biasOption = options.bias ?? true;
    }
    const n = this.weight.rank - 2;
    this.sigma = checkActivation("CrossCor", c ?? identity);
    this.bias = createBias(this.weight, biasOption, this.weight.shape[n + 1]!);
    this.stride = expandOption("CrossCor", "stride", options.stride ?? 1, n, 1);
    this.dilation = expandOption("CrossCor", "dilation", options.dilation ?? 1, n, 1);
    this.pad = calcPadding("CrossCor", options.pad ?? 0, this.weight.shape.slice(0, n), this.dilation);
  }

  apply(x: tf.Tensor): tf.Tensor {
    checkTensor(this, x);
    const n = this.stride.length;
    checkRank(this, x, n + 2);
    checkChannels(this, x, this.weight.shape[n]!);
    checkOutputSize(this, x, convOutputSize(x.shape.slice(1, n + 1), this.weight.shape.slice(0, n), this.stride, this.pad, this.dilation));
    return tf.tidy(() => {
      let y = crossCorrelate(asFloat(x), this.weight, this.stride, this.pad, this.dilation, 1);
      if (this.bias) y = tf.add(y, this.bias);
      return this.sigma(y);
    });
  }

  repr(): string {
    const n = this.stride.length;
    return `CrossCor(${tupleString(this.weight.shape.slice(0, n))}, ${this.weight.shape[n]} => ${this.weight.shape[n + 1]}${convOptionsString(this)})`;
  }
}
layer(CrossCor, { fields: ["sigma", "weight", "bias", "stride", "pad", "dilation"] });

/**
 * `new ConvTranspose(filter, [in, out], σ = identity, { stride, pad, outpad = 0, dilation, groups,
 * bias, init })`: the input-gradient of the Conv with the same weight (Flux's ∇conv_data, so the
 * kernel is flipped as in Conv), x [batch, spatial…, in] → [batch, spatial′…, out] with
 * spatial′ = (spatial − 1)·stride + 1 + (k − 1)·dilation − pad_lo − pad_hi + outpad.
 * The weight is [filter…, out/groups, in] (tfjs's conv2dTranspose layout). With `SamePad`,
 * spatial′ = spatial·stride.
 */
export class ConvTranspose extends Layer {
  sigma: Activation;
  weight: tf.Variable;
  bias: tf.Variable | false;
  stride: number[];
  pad: number[];
  outpad: number[];
  dilation: number[];
  groups: number;

  constructor(filter: readonly number[], inOut: readonly [number, number], sigma?: Activation, options?: ConvTransposeOptions);
  constructor(weight: tf.Tensor, bias?: BiasOption, sigma?: Activation, options?: Omit<ConvTransposeOptions, "bias" | "init">);
  constructor(a: readonly number[] | tf.Tensor, b?: readonly [number, number] | BiasOption, c?: Activation, d?: ConvTransposeOptions) {
    super();
    const options = d ?? {};
    const groups = checkGroups("ConvTranspose", options.groups ?? 1);
    let biasOption: BiasOption;
    if (a instanceof tf.Tensor) {
      const n = checkWeight("ConvTranspose", a, "k…, out/groups, in");
      if (a.shape[n + 1]! % groups !== 0) throw new Error(`ConvTranspose: the input channel dimension (${a.shape[n + 1]}) must be divisible by groups = ${groups}`);
      this.weight = param(a);
      biasOption = (b ?? true) as BiasOption;
    } else {
      const k = checkWindow("ConvTranspose", "the filter size", a);
      const [cin, cout] = checkPair("ConvTranspose", b);
      if (cin % groups !== 0) throw new Error(`ConvTranspose: the input channel dimension (${cin}) must be divisible by groups = ${groups}`);
      if (cout % groups !== 0) throw new Error(`ConvTranspose: the output channel dimension (${cout}) must be divisible by groups = ${groups}`);
      const init = options.init ?? glorotUniform;
      this.weight = param(() => init([...k, cout / groups, cin]));
      biasOption = options.bias ?? true;
    }
    const n = this.weight.rank - 2;
    const k = this.weight.shape.slice(0, n);
    this.sigma = checkActivation("ConvTranspose", c ?? identity);
    this.bias = createBias(this.weight, biasOption, this.weight.shape[n]! * groups);
    this.stride = expandOption("ConvTranspose", "stride", options.stride ?? 1, n, 1);
    this.dilation = expandOption("ConvTranspose", "dilation", options.dilation ?? 1, n, 1);
    this.outpad = expandOption("ConvTranspose", "outpad", options.outpad ?? 0, n, 0);
    // Flux: SamePad for a transpose is the Conv padding of a kernel k − stride + 1.
    const pad = options.pad ?? 0;
    const padKernel = pad instanceof SamePad ? k.map((kk, i) => kk - this.stride[i]! + 1) : k;
    this.pad = calcPadding("ConvTranspose", pad, padKernel, this.dilation);
    this.groups = groups;
  }

  apply(x: tf.Tensor): tf.Tensor {
    checkTensor(this, x);
    const n = this.stride.length;
    checkRank(this, x, n + 2);
    checkChannels(this, x, this.weight.shape[n + 1]!);
    const k = this.weight.shape.slice(0, n);
    checkOutputSize(this, x, transposeOutputSize(x.shape.slice(1, n + 1), k, this.stride, this.pad, this.dilation, this.outpad));
    return tf.tidy(() => {
      const f = reverseSpatial(this.weight, n);
      let y = transposeCrossCorrelate(asFloat(x), f, this.stride, this.pad, this.dilation, this.groups, this.outpad);
      if (this.bias) y = tf.add(y, this.bias);
      return this.sigma(y);
    });
  }

  repr(): string {
    const n = this.stride.length;
    const [outG, cin] = [this.weight.shape[n]!, this.weight.shape[n + 1]!];
    const outpad = this.outpad.every((p) => p === 0) ? "" : `, outpad=${tupleString(this.outpad)}`;
    return `ConvTranspose(${tupleString(this.weight.shape.slice(0, n))}, ${cin} => ${outG * this.groups}${convOptionsString(this, this.groups)}${outpad})`;
  }
}
layer(ConvTranspose, { fields: ["sigma", "weight", "bias", "stride", "pad", "outpad", "dilation", "groups"] });

interface DepthwiseConvConstructor {
  new (filter: readonly number[], inOut: readonly [number, number], sigma?: Activation, options?: DepthwiseConvOptions): Conv;
  new (weight: tf.Tensor, bias?: BiasOption, sigma?: Activation, options?: Omit<DepthwiseConvOptions, "bias" | "init">): Conv;
  (filter: readonly number[], inOut: readonly [number, number], sigma?: Activation, options?: DepthwiseConvOptions): Conv;
  (weight: tf.Tensor, bias?: BiasOption, sigma?: Activation, options?: Omit<DepthwiseConvOptions, "bias" | "init">): Conv;
}

/**
 * `DepthwiseConv(filter, [in, out], σ, { stride, pad, dilation, bias, init })` is, as in Flux, a
 * `Conv` with groups = in (out must be a multiple of in); it prints as that Conv. Callable with
 * or without `new`. The weight form takes tfjs's depthwise layout [k…, in, multiplier], which
 * becomes the Conv weight [k…, 1, in·multiplier] (output channel c·multiplier + m).
 */
export const DepthwiseConv = function DepthwiseConv(
  a: readonly number[] | tf.Tensor,
  b?: readonly [number, number] | BiasOption,
  c?: Activation,
  d?: DepthwiseConvOptions,
): Conv {
  const options = d ?? {};
  if ("groups" in options) throw new Error("DepthwiseConv: groups is set to the number of input channels; do not pass it");
  if (a instanceof tf.Tensor) {
    const n = checkWeight("DepthwiseConv", a, "k…, in, multiplier");
    const [cin, mult] = [a.shape[n]!, a.shape[n + 1]!];
    const w = tf.reshape(a, [...a.shape.slice(0, n), 1, cin * mult]);
    try {
      return new Conv(w, b as BiasOption | undefined, c, { ...options, groups: cin });
    } finally {
      w.dispose();
    }
  }
  const [cin, cout] = checkPair("DepthwiseConv", b);
  if (cout % cin !== 0) throw new Error(`DepthwiseConv: the output channels (${cout}) must be a multiple of the input channels (${cin})`);
  return new Conv(a, [cin, cout], c, { ...options, groups: cin });
} as unknown as DepthwiseConvConstructor;
/** What `DepthwiseConv(…)` returns: a grouped `Conv`. */
export type DepthwiseConv = Conv;
