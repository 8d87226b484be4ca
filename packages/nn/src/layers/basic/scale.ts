import { tf } from "@fluxion/backend";
import { type Activation, identity } from "../../functions/activations.js";
import { layer } from "../../core/declare.js";
import { ones32, type Initialiser } from "../../functions/init.js";
import { Layer } from "../../core/layer.js";
import { checkBias, createBias, initParam, param, type BiasOption } from "../../core/params.js";
import { repr } from "../../core/show.js";
import { checkActivation, checkOptions, checkTensor } from "../../core/checks.js";

/** Options of `Scale`: the scale's initialiser and the bias. */
export interface ScaleOptions {
  init?: Initialiser;
  bias?: BiasOption;
}

/**
 * `new Scale(...size, σ = identity, { bias = true, init = ones32 })`: y = σ(scale ⊙ x + bias),
 * elementwise with broadcasting. In this package's batch-first layout `size` describes the LAST
 * dims of x: `Scale(3)` scales the 3 features of x [batch, 3]; `Scale(2, 3)` acts on x
 * [..., 2, 3]. `new Scale(scale, bias?, σ?)` wraps a tensor. Parameters: 2·prod(size).
 */
export class Scale extends Layer {
  scale: tf.Variable;
  bias: tf.Variable | false;
  sigma: Activation;

  constructor(...size: number[]);
  constructor(...args: [...size: number[], sigma: Activation | undefined]);
  constructor(...args: [...size: number[], options: ScaleOptions]);
  constructor(...args: [...size: number[], sigma: Activation | undefined, options: ScaleOptions]);
  constructor(scale: tf.Tensor, bias?: BiasOption, sigma?: Activation);
  constructor(...args: unknown[]) {
    super();
    // Every argument is checked before a parameter is made: a failed constructor leaks nothing.
    const [first] = args;
    if (first instanceof tf.Tensor) {
      if (args.length > 3) throw new Error(`Scale(scale, bias, σ): expected at most 3 arguments, got ${args.length}`);
      const bias = (args[1] ?? true) as BiasOption;
      checkBias("Scale", bias, first.shape);
      this.sigma = checkActivation("Scale", (args[2] as Activation | undefined) ?? identity);
      this.scale = param(first);
      this.bias = createBias(this.scale, bias, ...first.shape);
    } else {
      const rest = [...args];
      const options = (rest.length && typeof rest.at(-1) === "object" && rest.at(-1) !== null ? rest.pop() : {}) as ScaleOptions;
      const last = rest.at(-1);
      const sigma = rest.length > 1 && (typeof last === "function" || last === undefined) ? ((rest.pop() as Activation | undefined) ?? identity) : identity;
      if (rest.length === 0 || !rest.every((n) => Number.isInteger(n) && (n as number) > 0)) {
        throw new Error(`Scale: expected one or more positive integer sizes, then optionally σ and options, got (${args.map((a) => (typeof a === "function" ? repr(a) : JSON.stringify(a))).join(", ")})`);
      }
      const size = rest as number[];
      checkOptions("Scale", options, ["init", "bias"]);
      const bias = options.bias ?? true;
      checkBias("Scale", bias, size);
      this.sigma = checkActivation("Scale", sigma);
      this.scale = initParam("Scale", options.init ?? ones32, size);
      this.bias = createBias(this.scale, bias, ...size);
    }
  }

  apply(x: tf.Tensor): tf.Tensor {
    checkTensor(this, x);
    const s = this.scale.shape;
    const k = Math.min(s.length, x.rank);
    const ok = s.slice(s.length - k).every((d, i) => d === 1 || x.shape[x.rank - k + i] === 1 || d === x.shape[x.rank - k + i]);
    if (!ok) {
      throw new Error(`layer ${this.repr()} expects an input whose last dims broadcast with [${s.join(", ")}], but got a tensor of shape [${x.shape.join(", ")}]`);
    }
    return tf.tidy(() => {
      let y = tf.mul(this.scale, x);
      if (this.bias) y = tf.add(y, this.bias);
      return this.sigma(y);
    });
  }

  repr(): string {
    const sigma = this.sigma === identity ? "" : `, ${repr(this.sigma)}`;
    return `Scale(${this.scale.shape.join(", ")}${sigma}${this.bias ? "" : "; bias=false"})`;
  }
}
layer(Scale, { fields: ["scale", "bias", "sigma"] });
