import { tf } from "@fluxion/backend";
import { type Activation, identity } from "../../functions/activations.js";
import { layer } from "../../core/declare.js";
import { glorotUniform, type Initialiser } from "../../functions/init.js";
import { Layer } from "../../core/layer.js";
import { checkBias, createBias, initParam, param, type BiasOption } from "../../core/params.js";
import { repr } from "../../core/show.js";
import { checkActivation, checkOptions, checkPair, checkTensor } from "../../core/checks.js";

/** Options of `Bilinear`: the weight's initialiser and the bias. */
export interface BilinearOptions {
  init?: Initialiser;
  bias?: BiasOption;
}

/** `[in, out]` or `[[in1, in2], out]` (Flux's `in => out` and `(in1, in2) => out`). */
export type BilinearSize = readonly [number, number] | readonly [readonly [number, number], number];

/**
 * `new Bilinear([[in1, in2], out], σ = identity, { init = glorotUniform, bias = true })`:
 * z[…, o] = σ(Σᵢⱼ x[…, i] W[o, i, j] y[…, j] + b[o]) for x [..., in1] and y [..., in2] with the
 * same leading (batch) dims. `[in, out]` means in1 = in2 = in. `apply(x)` is `apply(x, x)`,
 * `apply([x, y])` is `apply(x, y)`. `new Bilinear(W, bias?, σ?)` wraps a weight [out, in1, in2].
 *
 * The weight keeps Flux's [out, in1, in2] order: with it, `nfan` gives Flux's glorot fans
 * (out·in1, out·in2), and `W[o]` is the matrix of output o.
 */
export class Bilinear extends Layer {
  weight: tf.Variable;
  bias: tf.Variable | false;
  sigma: Activation;

  constructor(size: BilinearSize, sigma?: Activation, options?: BilinearOptions);
  constructor(weight: tf.Tensor, bias?: BiasOption, sigma?: Activation);
  constructor(a: BilinearSize | tf.Tensor, b?: Activation | BiasOption, c?: BilinearOptions | Activation) {
    super();
    // Every argument is checked before a parameter is made: a failed constructor leaks nothing.
    if (a instanceof tf.Tensor) {
      if (a.rank !== 3) throw new Error(`Bilinear: the weight must be a 3-d tensor [out, in1, in2], got shape [${a.shape.join(", ")}]`);
      const bias = (b ?? true) as BiasOption;
      checkBias("Bilinear", bias, [a.shape[0]!]);
      this.sigma = checkActivation("Bilinear", (c as Activation | undefined) ?? identity);
      this.weight = param(a);
      this.bias = createBias(this.weight, bias, a.shape[0]!);
    } else {
      const [in1, in2, out] = checkSize(a);
      const options = (c ?? {}) as BilinearOptions;
      checkOptions("Bilinear", options, ["init", "bias"]);
      const bias = options.bias ?? true;
      checkBias("Bilinear", bias, [out]);
      this.sigma = checkActivation("Bilinear", (b as Activation | undefined) ?? identity);
      this.weight = initParam("Bilinear", options.init ?? glorotUniform, [out, in1, in2]);
      this.bias = createBias(this.weight, bias, out);
    }
  }

  apply(x: tf.Tensor | readonly [tf.Tensor, tf.Tensor], y?: tf.Tensor): tf.Tensor {
    if (Array.isArray(x)) {
      if (x.length !== 2 || y !== undefined) throw new Error(`layer ${this.repr()} takes x, (x, y) or [x, y], got an array of ${x.length} inputs${y === undefined ? "" : " and a second argument"}`);
      return this.apply(x[0], x[1]);
    }
    const u = x as tf.Tensor;
    const v = y ?? u;
    checkTensor(this, u);
    checkTensor(this, v);
    const [out, in1, in2] = this.weight.shape as [number, number, number];
    if (u.rank < 1 || v.rank < 1 || u.shape.at(-1) !== in1 || v.shape.at(-1) !== in2) {
      throw new Error(
        `layer ${this.repr()} expects size(x, -1) == ${in1} and size(y, -1) == ${in2} (features last), but got tensors of shape [${u.shape.join(", ")}] and [${v.shape.join(", ")}]`,
      );
    }
    const lead = u.shape.slice(0, -1);
    if (!tf.util.arraysEqual(lead, v.shape.slice(0, -1))) {
      throw new Error(`layer ${this.repr()}: the inputs must agree on their batch dims, got shapes [${u.shape.join(", ")}] and [${v.shape.join(", ")}]`);
    }
    return tf.tidy(() => {
      const xs = tf.reshape(u, [-1, in1]);
      const ys = tf.reshape(v, [-1, in2]);
      // Wy[b, o, i] = Σⱼ W[o, i, j] y[b, j]; then z[b, o] = Σᵢ Wy[b, o, i] x[b, i].
      const wy = tf.reshape(tf.matMul(ys, tf.reshape(this.weight, [out * in1, in2]), false, true), [-1, out, in1]);
      let z = tf.reshape(tf.matMul(wy, tf.expandDims(xs, 2)), [-1, out]);
      if (this.bias) z = tf.add(z, this.bias);
      return tf.reshape(this.sigma(z), [...lead, out]);
    });
  }

  repr(): string {
    const [out, in1, in2] = this.weight.shape;
    const size = in1 === in2 ? `${in1} => ${out}` : `(${in1}, ${in2}) => ${out}`;
    const sigma = this.sigma === identity ? "" : `, ${repr(this.sigma)}`;
    return `Bilinear(${size}${sigma}${this.bias ? "" : "; bias=false"})`;
  }
}
layer(Bilinear, { fields: ["weight", "bias", "sigma"] });

function checkSize(size: unknown): [number, number, number] {
  if (Array.isArray(size) && size.length === 2 && Array.isArray(size[0])) {
    const [ins, out] = size as [unknown[], unknown];
    const ok = ins.length === 2 && [...ins, out].every((n) => Number.isInteger(n) && (n as number) > 0);
    if (!ok) throw new Error(`Bilinear: expected [[in1, in2], out] (Flux's (in1, in2) => out) as positive integers, got ${JSON.stringify(size)}`);
    return [ins[0] as number, ins[1] as number, out as number];
  }
  const [nIn, nOut] = checkPair("Bilinear", size);
  return [nIn, nIn, nOut];
}
