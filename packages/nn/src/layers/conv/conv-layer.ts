// The base class of Conv, CrossCor and ConvTranspose: their shared fields, the checked forward
// pass σ(conv(x) + bias) and the printing; subclasses give the channels, sizes and convolution.
import { tf } from "@fluxion/backend";
import { type Activation, identity } from "../../functions/activations.js";
import { checkInputChannels, checkTensor } from "../../core/checks.js";
import { Layer } from "../../core/layer.js";
import { type BiasOption } from "../../core/params.js";
import { repr } from "../../core/show.js";
import { asFloat } from "./conv-ops.js";
import { convFields, type ConvKind, type ConvTransposeOptions } from "./conv-fields.js";
import { checkOutputSize, checkRank, maybeTupleString, tupleString } from "./conv-padding.js";

export abstract class ConvLayer extends Layer {
  // Declared only: `convFields` makes them in the order the layers list their fields.
  declare sigma: Activation;
  declare weight: tf.Variable;
  declare bias: tf.Variable | false;
  declare stride: number[];
  /** 2N padding [lo1, hi1, lo2, hi2, …] in spatial-dim order. */
  declare pad: number[];
  declare dilation: number[];

  protected constructor(kind: ConvKind, a: readonly number[] | tf.Tensor, b: readonly [number, number] | BiasOption | undefined, sigma: Activation | undefined, options: ConvTransposeOptions | undefined) {
    super();
    Object.assign(this, convFields(kind, a, b, sigma, options));
  }

  /** The channels x must have (its last axis). */
  protected abstract get inputChannels(): number;
  protected abstract get outputChannels(): number;
  /** The output's spatial size for an input's, before the check that each is at least 1. */
  protected abstract outputSize(spatial: number[]): number[];
  /** The convolution of a float input, inside the forward pass's tidy. */
  protected abstract convolve(x: tf.Tensor): tf.Tensor;

  /** The kernel size [k…]. */
  protected get kernel(): number[] {
    return this.weight.shape.slice(0, this.stride.length);
  }

  apply(x: tf.Tensor): tf.Tensor {
    checkTensor(this, x);
    const n = this.stride.length;
    checkRank(this, x, n + 2);
    checkInputChannels(this, x, this.inputChannels);
    checkOutputSize(this, x, this.outputSize(x.shape.slice(1, n + 1)));
    return tf.tidy(() => {
      let y = this.convolve(asFloat(x));
      if (this.bias) y = tf.add(y, this.bias);
      return this.sigma(y);
    });
  }

  /** `name(k, in => out, options…)`, with Flux's `_print_conv_opt` options and then `extra`. */
  protected signature(name: string, groups = 1, extra = ""): string {
    let s = `${name}(${tupleString(this.kernel)}, ${this.inputChannels} => ${this.outputChannels}`;
    if (this.sigma !== identity) s += `, ${repr(this.sigma)}`;
    if (!this.pad.every((p) => p === 0)) s += `, pad=${maybeTupleString(this.pad)}`;
    if (!this.stride.every((p) => p === 1)) s += `, stride=${maybeTupleString(this.stride)}`;
    if (!this.dilation.every((p) => p === 1)) s += `, dilation=${maybeTupleString(this.dilation)}`;
    if (groups !== 1) s += `, groups=${groups}`;
    if (this.bias === false) s += ", bias=false";
    return `${s}${extra})`;
  }
}
