import { tf } from "@fluxion/backend";
import { type Activation, identity } from "../../functions/activations.js";
import { layer } from "../../core/declare.js";
import { glorotUniform, type Initialiser } from "../../functions/init.js";
import { Layer } from "../../core/layer.js";
import { repr } from "../../core/show.js";
import { checkActivation, checkFeatures, checkOptions, checkPair, checkTensor } from "../../core/checks.js";
import { checkBias, createBias, initParam, param, type BiasOption } from "../../core/params.js";

/** Options of `Dense`: the weight's initialiser (default `glorotUniform`) and the bias (`true`, `false` or a tensor). */
export interface DenseOptions {
  init?: Initialiser;
  bias?: BiasOption;
}

/**
 * `Dense([in, out], σ = identity, { init = glorotUniform, bias = true })`: y = σ(x·W + b) on the
 * last axis of x. The weight is [in, out] (the transpose of Flux's, so x·W needs no transpose and
 * its row-major order is Flux's column-major order). `new Dense(W, bias?, σ?)` wraps a weight.
 */
export class Dense extends Layer {
  weight: tf.Variable;
  bias: tf.Variable | false;
  sigma: Activation;

  constructor(inOut: readonly [number, number], sigma?: Activation, options?: DenseOptions);
  constructor(weight: tf.Tensor, bias?: BiasOption, sigma?: Activation);
  constructor(a: readonly [number, number] | tf.Tensor, b?: Activation | BiasOption, c?: DenseOptions | Activation) {
    super();
    // Every argument is checked before a parameter is made: a failed constructor leaks nothing.
    if (a instanceof tf.Tensor) {
      if (a.rank !== 2) throw new Error(`Dense: the weight must be a matrix [in, out], got shape [${a.shape.join(", ")}]`);
      const bias = (b ?? true) as BiasOption;
      checkBias("Dense", bias, [a.shape[1]!]);
      this.sigma = checkActivation("Dense", (c as Activation | undefined) ?? identity);
      this.weight = param(a);
      this.bias = createBias(this.weight, bias, a.shape[1]!);
    } else {
      const [nIn, nOut] = checkPair("Dense", a);
      const options = (c ?? {}) as DenseOptions;
      checkOptions("Dense", options, ["init", "bias"]);
      const bias = options.bias ?? true;
      checkBias("Dense", bias, [nOut]);
      this.sigma = checkActivation("Dense", (b as Activation | undefined) ?? identity);
      this.weight = initParam("Dense", options.init ?? glorotUniform, [nIn, nOut]);
      this.bias = createBias(this.weight, bias, nOut);
    }
  }

  apply(x: tf.Tensor): tf.Tensor {
    checkTensor(this, x);
    const [nIn, nOut] = this.weight.shape as [number, number];
    checkFeatures(this, x, nIn);
    return tf.tidy(() => {
      const flat = x.rank === 2 ? x : tf.reshape(x, [-1, nIn]);
      let y = tf.matMul(flat, this.weight);
      if (this.bias) y = tf.add(y, this.bias);
      y = this.sigma(y);
      return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), nOut]);
    });
  }

  repr(): string {
    const [nIn, nOut] = this.weight.shape;
    const sigma = this.sigma === identity ? "" : `, ${repr(this.sigma)}`;
    return `Dense(${nIn} => ${nOut}${sigma}${this.bias ? "" : "; bias=false"})`;
  }
}
layer(Dense, { fields: ["weight", "bias", "sigma"] });
