// Flux's convolution layers on tfjs's channels-last layout: x [batch, spatial…, channels] with
// 1, 2 or 3 spatial dims, filters [k…, in/groups, out]. Flux's `Conv` is a true convolution (NNlib
// flips the kernel) while `CrossCor` is not; tfjs's conv ops are cross-correlations, so `Conv`
// and `ConvTranspose` reverse their weight along the spatial axes before calling them. Hence
// `new Conv(W)` equals `new CrossCor(reverse(W))`, and weights copied to or from Flux need no flip.
import { tf } from "@fluxion/backend";
import { type Activation } from "../../functions/activations.js";
import { checkPair } from "../../core/checks.js";
import { layer } from "../../core/declare.js";
import { type BiasOption } from "../../core/params.js";
import { crossCorrelate, padSpatial, reverseSpatial, transposeCrossCorrelate } from "./conv-ops.js";
import { checkWeight, type ConvOptions, type ConvTransposeOptions, type CrossCorOptions } from "./conv-fields.js";
import { ConvLayer } from "./conv-layer.js";
import { convOutputSize, type PadOption, SamePad, transposeOutputSize, tupleString } from "./conv-padding.js";

export { SamePad };
export type { ConvOptions, ConvTransposeOptions, CrossCorOptions, PadOption };

/** Options of `DepthwiseConv`: those of `CrossCor` (`groups` is set from the channels). */
export type DepthwiseConvOptions = CrossCorOptions;

/**
 * `new Conv(filter, [in, out], σ = identity, { stride = 1, pad = 0, dilation = 1, groups = 1,
 * bias = true, init = glorotUniform })`: a true convolution (kernel flipped, as Flux) over N =
 * filter.length spatial dims, x [batch, spatial…, in] → [batch, spatial′…, out], with
 * spatial′ = floor((spatial + pad_lo + pad_hi − dilation·(k − 1) − 1) / stride) + 1.
 * The weight is [filter…, in/groups, out]. `new Conv(weight, bias = true, σ, { stride, pad,
 * dilation, groups })` wraps a given weight.
 */
export class Conv extends ConvLayer {
  declare groups: number;

  constructor(filter: readonly number[], inOut: readonly [number, number], sigma?: Activation, options?: ConvOptions);
  constructor(weight: tf.Tensor, bias?: BiasOption, sigma?: Activation, options?: Omit<ConvOptions, "bias" | "init">);
  constructor(a: readonly number[] | tf.Tensor, b?: readonly [number, number] | BiasOption, c?: Activation, d?: ConvOptions) {
    super("Conv", a, b, c, d);
  }

  protected get inputChannels(): number {
    return this.weight.shape[this.stride.length]! * this.groups;
  }
  protected get outputChannels(): number {
    return this.weight.shape[this.stride.length + 1]!;
  }
  protected outputSize(spatial: number[]): number[] {
    return convOutputSize(spatial, this.kernel, this.stride, this.pad, this.dilation);
  }
  protected convolve(x: tf.Tensor): tf.Tensor {
    // NNlib's conv flips the kernel; tfjs's does not.
    return crossCorrelate(x, reverseSpatial(this.weight, this.stride.length), this.stride, this.pad, this.dilation, this.groups);
  }

  repr(): string {
    return this.signature("Conv", this.groups);
  }
}
layer(Conv, { fields: ["sigma", "weight", "bias", "stride", "pad", "dilation", "groups"] });

/**
 * `new CrossCor(filter, [in, out], σ = identity, { stride, pad, dilation, bias, init })`: like
 * Conv without the kernel flip (and without groups); weight [filter…, in, out].
 */
export class CrossCor extends ConvLayer {
  constructor(filter: readonly number[], inOut: readonly [number, number], sigma?: Activation, options?: CrossCorOptions);
  constructor(weight: tf.Tensor, bias?: BiasOption, sigma?: Activation, options?: Omit<CrossCorOptions, "bias" | "init">);
  constructor(a: readonly number[] | tf.Tensor, b?: readonly [number, number] | BiasOption, c?: Activation, d?: CrossCorOptions) {
    super("CrossCor", a, b, c, d);
  }

  protected get inputChannels(): number {
    return this.weight.shape[this.stride.length]!;
  }
  protected get outputChannels(): number {
    return this.weight.shape[this.stride.length + 1]!;
  }
  protected outputSize(spatial: number[]): number[] {
    return convOutputSize(spatial, this.kernel, this.stride, this.pad, this.dilation);
  }
  protected convolve(x: tf.Tensor): tf.Tensor {
    return crossCorrelate(x, this.weight, this.stride, this.pad, this.dilation, 1);
  }

  repr(): string {
    return this.signature("CrossCor");
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
export class ConvTranspose extends ConvLayer {
  declare outpad: number[];
  declare groups: number;

  constructor(filter: readonly number[], inOut: readonly [number, number], sigma?: Activation, options?: ConvTransposeOptions);
  constructor(weight: tf.Tensor, bias?: BiasOption, sigma?: Activation, options?: Omit<ConvTransposeOptions, "bias" | "init">);
  constructor(a: readonly number[] | tf.Tensor, b?: readonly [number, number] | BiasOption, c?: Activation, d?: ConvTransposeOptions) {
    super("ConvTranspose", a, b, c, d);
  }

  protected get inputChannels(): number {
    return this.weight.shape[this.stride.length + 1]!;
  }
  protected get outputChannels(): number {
    return this.weight.shape[this.stride.length]! * this.groups;
  }
  protected outputSize(spatial: number[]): number[] {
    return transposeOutputSize(spatial, this.kernel, this.stride, this.pad, this.dilation, this.outpad);
  }
  protected convolve(x: tf.Tensor): tf.Tensor {
    const w = reverseSpatial(this.weight, this.stride.length);
    // A negative padding (SamePad at stride > kernel) widens the output with zeros instead of cropping.
    const crop = this.pad.map((p) => Math.max(p, 0));
    const y = transposeCrossCorrelate(x, w, this.stride, crop, this.dilation, this.groups, this.outpad);
    return padSpatial(y, this.pad.map((p) => Math.max(-p, 0)));
  }

  repr(): string {
    const outpad = this.outpad.every((p) => p === 0) ? "" : `, outpad=${tupleString(this.outpad)}`;
    return this.signature("ConvTranspose", this.groups, outpad);
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
