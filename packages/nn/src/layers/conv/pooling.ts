// Flux's pooling layers on x [batch, spatial…, channels] (1 to 3 spatial dims). They hold no
// parameters; they are declared with no children so that `modules` lists them and a Chain
// prints each on one line without a parameter comment.
import { tf } from "@fluxion/backend";
import { layer } from "../../core/declare.js";
import { Layer } from "../../core/layer.js";
import { checkOptions, checkTensor } from "../../core/checks.js";
import { asFloat, pool } from "./conv-ops.js";
import {
  calcPadding,
  checkOutputSize,
  checkWindow,
  convOutputSize,
  expandOption,
  maybeTupleString,
  type PadOption,
  tupleString,
} from "./conv-padding.js";

/** Options of `MaxPool` and `MeanPool`. */
export interface PoolOptions {
  /** Padding as for Conv: a number, N, 2N (lo, hi per dim) or `new SamePad()` (default 0). */
  pad?: PadOption;
  /** Step between windows (default: the window). */
  stride?: number | readonly number[];
}

/** Flux's `_pool_size_check`: ndims(x) == N + 2. */
function checkPoolRank(layer: { repr(): string }, x: tf.Tensor, n: number): void {
  if (x.rank !== n + 2) {
    throw new Error(`layer ${layer.repr()} expects ndims(input) == ${n + 2} ([batch, ${n} spatial dims…, channels]), but got a tensor of shape [${x.shape.join(", ")}]`);
  }
}

abstract class WindowPool extends Layer {
  /** The window size. */
  k: number[];
  /** 2N padding [lo1, hi1, …]. */
  pad: number[];
  stride: number[];
  protected abstract readonly kind: "max" | "mean";

  constructor(name: string, window: readonly number[], options: PoolOptions = {}) {
    super();
    this.k = checkWindow(name, "the window", window);
    checkOptions(name, options, ["pad", "stride"]);
    const n = this.k.length;
    this.stride = expandOption(name, "stride", options.stride ?? this.k, n, 1);
    this.pad = calcPadding(name, options.pad ?? 0, this.k, Array<number>(n).fill(1));
  }

  apply(x: tf.Tensor): tf.Tensor {
    checkTensor(this, x);
    const n = this.k.length;
    checkPoolRank(this, x, n);
    checkOutputSize(this, x, convOutputSize(x.shape.slice(1, n + 1), this.k, this.stride, this.pad, Array<number>(n).fill(1)));
    return tf.tidy(() => pool(this.kind, asFloat(x), this.k, this.stride, this.pad));
  }

  repr(): string {
    const pad = this.pad.every((p) => p === 0) ? "" : `, pad=${maybeTupleString(this.pad)}`;
    const stride = this.stride.every((s, i) => s === this.k[i]) ? "" : `, stride=${maybeTupleString(this.stride)}`;
    return `${this.constructor.name}(${tupleString(this.k)}${pad}${stride})`;
  }
}

/**
 * `new MaxPool(window, { pad = 0, stride = window })`: the maximum over each window. Padding
 * never wins (it is NNlib's initial value, -floatmax).
 */
export class MaxPool extends WindowPool {
  protected readonly kind = "max";
  constructor(window: readonly number[], options?: PoolOptions) {
    super("MaxPool", window, options);
  }
}
layer(MaxPool, { fields: [] });

/**
 * `new MeanPool(window, { pad = 0, stride = window })`: the mean over each window. As NNlib, the
 * divisor is the full window size, so padded entries count as zeros (unlike tfjs's avgPool 'same').
 */
export class MeanPool extends WindowPool {
  protected readonly kind = "mean";
  constructor(window: readonly number[], options?: PoolOptions) {
    super("MeanPool", window, options);
  }
}
layer(MeanPool, { fields: [] });

/** `new GlobalMaxPool()`: [b, spatial…, c] → [b, 1…, c], the maximum over all spatial positions. */
export class GlobalMaxPool extends Layer {
  constructor(...args: never[]) {
    super();
    checkNoArguments("GlobalMaxPool", args);
  }
  apply(x: tf.Tensor): tf.Tensor {
    return globalPool(this, "max", x);
  }
  repr(): string {
    return "GlobalMaxPool()";
  }
}
layer(GlobalMaxPool, { fields: [] });

/** `new GlobalMeanPool()`: [b, spatial…, c] → [b, 1…, c], the mean over all spatial positions. */
export class GlobalMeanPool extends Layer {
  constructor(...args: never[]) {
    super();
    checkNoArguments("GlobalMeanPool", args);
  }
  apply(x: tf.Tensor): tf.Tensor {
    return globalPool(this, "mean", x);
  }
  repr(): string {
    return "GlobalMeanPool()";
  }
}
layer(GlobalMeanPool, { fields: [] });

// Flux's GlobalMaxPool() takes nothing; an argument (a window?) must not pass silently.
function checkNoArguments(name: string, args: readonly unknown[]): void {
  if (args.length) throw new Error(`${name} takes no arguments, got ${args.length}`);
}

function globalPool(l: Layer, kind: "max" | "mean", x: tf.Tensor): tf.Tensor {
  checkTensor(l, x);
  if (x.rank < 3) throw new Error(`layer ${l.repr()} expects an input [batch, spatial…, channels] of at least 3 dims, but got a tensor of shape [${x.shape.join(", ")}]`);
  const axes = Array.from({ length: x.rank - 2 }, (_, i) => i + 1);
  return tf.tidy(() => (kind === "max" ? tf.max(asFloat(x), axes, true) : tf.mean(asFloat(x), axes, true)));
}

abstract class AdaptivePool extends Layer {
  /** The output spatial size. */
  out: number[];
  protected abstract readonly kind: "max" | "mean";

  constructor(name: string, out: readonly number[]) {
    super();
    this.out = checkWindow(name, "the output size", out);
  }

  apply(x: tf.Tensor): tf.Tensor {
    checkTensor(this, x);
    const n = this.out.length;
    checkPoolRank(this, x, n);
    const insize = x.shape.slice(1, n + 1);
    // Flux: stride = in ÷ out, window = in − (out − 1)·stride, no padding.
    const stride = insize.map((s, i) => Math.floor(s / this.out[i]!));
    if (stride.some((s) => s < 1)) {
      throw new Error(`layer ${this.repr()} needs a spatial size of at least the output size, but got a tensor of shape [${x.shape.join(", ")}]`);
    }
    const k = insize.map((s, i) => s - (this.out[i]! - 1) * stride[i]!);
    return tf.tidy(() => pool(this.kind, asFloat(x), k, stride, Array<number>(2 * n).fill(0)));
  }

  repr(): string {
    return `${this.constructor.name}(${tupleString(this.out)})`;
  }
}

/** `new AdaptiveMaxPool(out)`: max pooling with the window chosen so the spatial size becomes `out`. */
export class AdaptiveMaxPool extends AdaptivePool {
  protected readonly kind = "max";
  constructor(out: readonly number[]) {
    super("AdaptiveMaxPool", out);
  }
}
layer(AdaptiveMaxPool, { fields: [] });

/** `new AdaptiveMeanPool(out)`: mean pooling with the window chosen so the spatial size becomes `out`. */
export class AdaptiveMeanPool extends AdaptivePool {
  protected readonly kind = "mean";
  constructor(out: readonly number[]) {
    super("AdaptiveMeanPool", out);
  }
}
layer(AdaptiveMeanPool, { fields: [] });
