// Flux's convolution layers on tfjs's channels-last layout: x [batch, spatial…, channels] with
// 1, 2 or 3 spatial dims, filters [k…, in/groups, out]. Flux's `Conv` is a true convolution (NNlib
// flips the kernel) while `CrossCor` is not; tfjs's conv ops are cross-correlations, so `Conv`
// and `ConvTranspose` reverse their weight along the spatial axes before calling them. Hence
// `new Conv(W)` equals `new CrossCor(reverse(W))`, and weights copied to or from Flux need no flip.
import { tf } from "@fluxion/backend";
import { type Activation, identity } from "../../functions/activations.js";
import { checkInputChannels, checkPair, checkTensor } from "../../core/checks.js";
import { layer } from "../../core/declare.js";
import { Layer } from "../../core/layer.js";
import { type BiasOption } from "../../core/params.js";
import { repr } from "../../core/show.js";
import { asFloat, crossCorrelate, reverseSpatial, transposeCrossCorrelate } from "./conv-ops.js";
import { checkWeight, convFields, type ConvOptions, type ConvTransposeOptions, type CrossCorOptions } from "./conv-fields.js";
import {
  checkOutputSize,
  checkRank,
  convOutputSize,
  maybeTupleString,
  type PadOption,
  SamePad,
  transposeOutputSize,
  tupleString,
} from "./conv-padding.js";

export { SamePad };
export type { ConvOptions, ConvTransposeOptions, CrossCorOptions, PadOption };

export type DepthwiseConvOptions = CrossCorOptions;

/** The fields the forward pass and the printing read. */
interface ConvLike {
  sigma: Activation;
  bias: tf.Variable | false;
  stride: number[];
  pad: number[];
  dilation: number[];
  repr(): string;
}

/**
 * σ(conv(x) + bias), after Flux's checks of x's rank, channels (`channels`) and size (the output
 * size `outSize` gives for x's spatial size must be positive). `conv` runs inside the tidy.
 */
function convForward(l: ConvLike, x: tf.Tensor, channels: number, outSize: (spatial: number[]) => number[], conv: (x: tf.Tensor) => tf.Tensor): tf.Tensor {
  checkTensor(l, x);
  const n = l.stride.length;
  checkRank(l, x, n + 2);
  checkInputChannels(l, x, channels);
  checkOutputSize(l, x, outSize(x.shape.slice(1, n + 1)));
  return tf.tidy(() => {
    let y = conv(asFloat(x));
    if (l.bias) y = tf.add(y, l.bias);
    return l.sigma(y);
  });
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
  sigma!: Activation;
  weight!: tf.Variable;
  bias!: tf.Variable | false;
  stride!: number[];
  /** 2N padding [lo1, hi1, lo2, hi2, …] in spatial-dim order. */
  pad!: number[];
  dilation!: number[];
  groups!: number;

  constructor(filter: readonly number[], inOut: readonly [number, number], sigma?: Activation, options?: ConvOptions);
  constructor(weight: tf.Tensor, bias?: BiasOption, sigma?: Activation, options?: Omit<ConvOptions, "bias" | "init">);
  constructor(a: readonly number[] | tf.Tensor, b?: readonly [number, number] | BiasOption, c?: Activation, d?: ConvOptions) {
    super();
    Object.assign(this, convFields("Conv", a, b, c, d));
  }

  apply(x: tf.Tensor): tf.Tensor {
    const n = this.stride.length;
    const k = this.weight.shape.slice(0, n);
    // NNlib's conv flips the kernel; tfjs's does not.
    return convForward(this, x, this.weight.shape[n]! * this.groups, (s) => convOutputSize(s, k, this.stride, this.pad, this.dilation), (xf) =>
      crossCorrelate(xf, reverseSpatial(this.weight, n), this.stride, this.pad, this.dilation, this.groups),
    );
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
  sigma!: Activation;
  weight!: tf.Variable;
  bias!: tf.Variable | false;
  stride!: number[];
  pad!: number[];
  dilation!: number[];

  constructor(filter: readonly number[], inOut: readonly [number, number], sigma?: Activation, options?: CrossCorOptions);
  constructor(weight: tf.Tensor, bias?: BiasOption, sigma?: Activation, options?: Omit<CrossCorOptions, "bias" | "init">);
  constructor(a: readonly number[] | tf.Tensor, b?: readonly [number, number] | BiasOption, c?: Activation, d?: CrossCorOptions) {
    super();
    Object.assign(this, convFields("CrossCor", a, b, c, d));
  }

  apply(x: tf.Tensor): tf.Tensor {
    const n = this.stride.length;
    const k = this.weight.shape.slice(0, n);
    return convForward(this, x, this.weight.shape[n]!, (s) => convOutputSize(s, k, this.stride, this.pad, this.dilation), (xf) =>
      crossCorrelate(xf, this.weight, this.stride, this.pad, this.dilation, 1),
    );
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
  sigma!: Activation;
  weight!: tf.Variable;
  bias!: tf.Variable | false;
  stride!: number[];
  pad!: number[];
  outpad!: number[];
  dilation!: number[];
  groups!: number;

  constructor(filter: readonly number[], inOut: readonly [number, number], sigma?: Activation, options?: ConvTransposeOptions);
  constructor(weight: tf.Tensor, bias?: BiasOption, sigma?: Activation, options?: Omit<ConvTransposeOptions, "bias" | "init">);
  constructor(a: readonly number[] | tf.Tensor, b?: readonly [number, number] | BiasOption, c?: Activation, d?: ConvTransposeOptions) {
    super();
    Object.assign(this, convFields("ConvTranspose", a, b, c, d));
  }

  apply(x: tf.Tensor): tf.Tensor {
    const n = this.stride.length;
    const k = this.weight.shape.slice(0, n);
    const outSize = (s: number[]) => transposeOutputSize(s, k, this.stride, this.pad, this.dilation, this.outpad);
    return convForward(this, x, this.weight.shape[n + 1]!, outSize, (xf) =>
      transposeCrossCorrelate(xf, reverseSpatial(this.weight, n), this.stride, this.pad, this.dilation, this.groups, this.outpad),
    );
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
