// Flux's normalisation layers: BatchNorm, InstanceNorm, GroupNorm and LayerNorm. Channels are the
// LAST axis here (Flux's N-1th), the batch the first: x is [batch, spatial…, channels].
import { tf } from "@fluxion/backend";
import { type Activation, identity } from "../../functions/activations.js";
import { layer } from "../../core/declare.js";
import { type Initialiser, ones32, zeros32 } from "../../functions/init.js";
import { call, Layer } from "../../core/layer.js";
import { isActive } from "../../core/modules.js";
import { allocate, initParam, param } from "../../core/params.js";
import { Scale } from "../basic/scale.js";
import { repr } from "../../core/show.js";
import { checkActivation, checkChannelCount, checkFeatures, checkOptions, checkTensor } from "../../core/checks.js";

/** Options of `GroupNorm` (and, with `trackStats`, of `BatchNorm` and `InstanceNorm`); defaults in each layer's description. */
export interface NormOptions {
  initBeta?: Initialiser;
  initGamma?: Initialiser;
  affine?: boolean;
  active?: boolean | null;
  epsilon?: number;
  momentum?: number;
}

/** Options of `BatchNorm` and `InstanceNorm`: `NormOptions` and whether running statistics are kept. */
export interface TrackedNormOptions extends NormOptions {
  trackStats?: boolean;
}

/**
 * The fields BatchNorm, InstanceNorm and GroupNorm share (Flux's `_norm_layer_forward` reads them).
 * Declared only: `initNorm` creates them in Flux's field order, after a subclass's own fields.
 */
abstract class NormLayer extends Layer {
  declare lambda: Activation;
  declare beta: tf.Variable | null;
  declare gamma: tf.Variable | null;
  declare mu: tf.Variable | null;
  declare sigma2: tf.Variable | null;
  declare epsilon: number;
  declare momentum: number;
  declare affine: boolean;
  declare trackStats: boolean;
  declare active: boolean | null;
  declare chs: number;

  /**
   * Sets up the shared fields in Flux's order (β, γ only when affine; μ, σ² only when tracking),
   * checking every argument before any parameter is made.
   */
  protected initNorm(name: string, chs: number, lambda: Activation | undefined, o: TrackedNormOptions, affineDefault: boolean, trackDefault: boolean): void {
    checkChannelCount(name, chs);
    const λ = checkActivation(name, lambda ?? identity, "λ");
    checkOptions(name, o, ["initBeta", "initGamma", "affine", "active", "epsilon", "momentum", ...(name === "GroupNorm" ? [] : ["trackStats"])]);
    const { epsilon = 1e-5, momentum = 0.1, active = null } = o;
    checkNumbers(name, epsilon, momentum);
    if (active !== null && typeof active !== "boolean") throw new Error(`${name}: active must be true, false or null, got ${String(active)}`);
    const affine = o.affine ?? affineDefault;
    const trackStats = name === "GroupNorm" ? false : (o.trackStats ?? trackDefault);
    const initBeta = o.initBeta ?? zeros32;
    const initGamma = o.initGamma ?? ones32;
    this.lambda = λ;
    // initBeta and initGamma are user code: if one fails, what was made before is disposed.
    [this.beta, this.gamma, this.mu, this.sigma2] = allocate(
      () => (affine ? initParam(name, initBeta, [chs]) : null),
      () => (affine ? initParam(name, initGamma, [chs]) : null),
      () => (trackStats ? param(() => zeros32([chs]), false) : null),
      () => (trackStats ? param(() => ones32([chs]), false) : null),
    );
    this.epsilon = epsilon;
    this.momentum = momentum;
    this.affine = affine;
    this.trackStats = trackStats;
    this.active = active;
    this.chs = chs;
  }
}

/** The children of the norm layers, in Flux's order; β and γ are the trainable ones. */
const normDeclaration = (...own: string[]) => ({
  fields: [...own, "lambda", "beta", "gamma", "mu", "sigma2", "epsilon", "momentum", "affine", "trackStats", "active", "chs"],
  trainable: ["beta", "gamma"],
});

function checkNumbers(name: string, epsilon: number, momentum: number): void {
  if (typeof epsilon !== "number" || !(epsilon >= 0)) throw new Error(`${name}: epsilon must be a non-negative number, got ${String(epsilon)}`);
  if (typeof momentum !== "number" || !(momentum >= 0 && momentum <= 1)) throw new Error(`${name}: momentum must be in [0, 1], got ${String(momentum)}`);
}

/**
 * The statistics of Flux's `_norm_layer_forward` for x: the batch ones over `reduce` (kept dims),
 * or the running ones in test mode when tracked. In training the running statistics are updated;
 * `statAxes` are the axes of the batch statistics averaged away first (InstanceNorm's batch).
 */
function normStats(l: NormLayer, x: tf.Tensor, reduce: number[], statAxes: number[]): [tf.Tensor, tf.Tensor] {
  // [C] broadcasts against [..., C]
  if (!isActive(l) && l.trackStats) return [l.mu!, l.sigma2!];
  const mu = tf.mean(x, reduce, true);
  const sigma2 = tf.mean(tf.square(tf.sub(x, mu)), reduce, true);
  if (l.trackStats) trackStats(l, mu, sigma2, statAxes, reduce.reduce((p, a) => p * x.shape[a]!, 1));
  return [mu, sigma2];
}

/** (x − μ)/√(σ² + ϵ). */
function normalised(x: tf.Tensor, mu: tf.Tensor, sigma2: tf.Tensor, epsilon: number): tf.Tensor {
  return tf.div(tf.sub(x, mu), tf.sqrt(tf.add(sigma2, epsilon)));
}
/** λ(γ·x̂ + β) when affine, else λ(x̂): the rest of `_norm_layer_forward`. */
function affineAct(l: NormLayer, y: tf.Tensor): tf.Tensor {
  return l.lambda(l.affine ? tf.add(tf.mul(y, l.gamma!), l.beta!) : y);
}

/**
 * The running-statistics update (Flux's `_track_stats!`): μ ← (1−m)μ + m·mean, σ² ← (1−m)σ² +
 * m·(n/(n−1))·var, with the unbiased variance. Its result never reaches the output, so backprop
 * never visits it; `assign` replaces the Variables' data without leaking.
 */
function trackStats(l: NormLayer, mu: tf.Tensor, sigma2: tf.Tensor, statAxes: number[], m: number): void {
  tf.tidy(() => {
    const mom = l.momentum;
    const flat = (t: tf.Tensor) => tf.reshape(statAxes.length ? tf.mean(t, statAxes) : t, [l.chs]);
    const newMu = tf.add(tf.mul(1 - mom, l.mu!), tf.mul(mom, flat(mu)));
    const newSigma2 = tf.add(tf.mul(1 - mom, l.sigma2!), tf.mul(mom * (m / (m - 1)), flat(sigma2)));
    l.mu!.assign(newMu);
    l.sigma2!.assign(newSigma2);
  });
}

/** The `, λ`, `, affine=false`, `, active=…` tail Flux prints for the norm layers. */
function normOptions(l: NormLayer): string {
  let s = l.lambda === identity ? "" : `, ${repr(l.lambda)}`;
  if (!l.affine) s += ", affine=false";
  if (l.active !== null) s += `, active=${l.active}`;
  return s;
}

/**
 * `BatchNorm(chs, λ = identity, { initBeta = zeros32, initGamma = ones32, affine = true,
 * trackStats = true, active = null, epsilon = 1e-5, momentum = 0.1 })`: normalises each channel
 * (the last axis) with the mean and variance over all other axes (batch and spatial), then
 * `λ(γ·x̂ + β)`. In training the batch statistics are used and the running ones updated; in test
 * mode the running ones (μ, σ², not trainable).
 */
export class BatchNorm extends NormLayer {
  constructor(chs: number, lambda?: Activation, options: TrackedNormOptions = {}) {
    super();
    this.initNorm("BatchNorm", chs, lambda, options, true, true);
  }

  apply(x: tf.Tensor): tf.Tensor {
    checkTensor(this, x);
    checkFeatures(this, x, this.chs, 2);
    const reduce = x.shape.slice(0, -1).map((_, i) => i);
    if (isActive(this) && x.size / this.chs === 1) {
      throw new Error(`${this.repr()} expected more than 1 value per channel when training, got an input of shape [${x.shape.join(", ")}]`);
    }
    return tf.tidy(() => {
      const [mu, sigma2] = normStats(this, x, reduce, []);
      return affineAct(this, normalised(x, mu, sigma2, this.epsilon));
    });
  }

  repr(): string {
    return `BatchNorm(${this.chs}${normOptions(this)})`;
  }
}
layer(BatchNorm, normDeclaration());

/**
 * `InstanceNorm(chs, λ = identity, { affine = false, trackStats = false, … })`: normalises each
 * channel of each sample over the spatial axes; x is [batch, spatial…, channels] (rank ≥ 3).
 */
export class InstanceNorm extends NormLayer {
  constructor(chs: number, lambda?: Activation, options: TrackedNormOptions = {}) {
    super();
    this.initNorm("InstanceNorm", chs, lambda, options, false, false);
  }

  apply(x: tf.Tensor): tf.Tensor {
    checkTensor(this, x);
    if (x.rank < 3) {
      throw new Error(`layer ${this.repr()} expects an input of at least 3 dims [batch, spatial…, channels], but got a tensor of shape [${x.shape.join(", ")}]`);
    }
    checkFeatures(this, x, this.chs, 3);
    const spatial = x.shape.slice(1, -1).map((_, i) => i + 1);
    return tf.tidy(() => {
      // running statistics average the per-sample ones over the batch (and the kept spatial 1s)
      const [mu, sigma2] = normStats(this, x, spatial, [0, ...spatial]);
      return affineAct(this, normalised(x, mu, sigma2, this.epsilon));
    });
  }

  repr(): string {
    return `InstanceNorm(${this.chs}${normOptions(this)})`;
  }
}
layer(InstanceNorm, normDeclaration());

/**
 * `GroupNorm(chs, G, λ = identity, { initBeta, initGamma, affine = true, active, epsilon, momentum })`:
 * splits the channels into G contiguous groups and normalises each group of each sample over the
 * spatial axes and the group's channels. x is [batch, spatial…, channels] (rank ≥ 2). No running
 * statistics (Flux's μ, σ² are `nothing`).
 */
export class GroupNorm extends NormLayer {
  G: number;

  constructor(chs: number, G: number, lambda?: Activation, options: NormOptions = {}) {
    super();
    checkChannelCount("GroupNorm", chs);
    if (!Number.isInteger(G) || G <= 0) throw new Error(`GroupNorm: the number of groups must be a positive integer, got ${String(G)}`);
    if (chs % G !== 0) throw new Error(`The number of groups (${G}) must divide the number of channels (${chs})`);
    this.G = G;
    this.initNorm("GroupNorm", chs, lambda, options, true, false);
  }

  apply(x: tf.Tensor): tf.Tensor {
    checkTensor(this, x);
    checkFeatures(this, x, this.chs, 2);
    const shape = x.shape;
    const G = this.G;
    return tf.tidy(() => {
      // [..., C] → [..., G, C/G]: group g holds channels g·C/G … (g+1)·C/G − 1, as in Flux
      const x2 = tf.reshape(x, [...shape.slice(0, -1), G, this.chs / G]);
      const reduce = [...shape.slice(1, -1).map((_, i) => i + 1), x2.rank - 1];
      const [mu, sigma2] = normStats(this, x2, reduce, []);
      return affineAct(this, tf.reshape(normalised(x2, mu, sigma2, this.epsilon), shape));
    });
  }

  repr(): string {
    return `GroupNorm(${this.chs}, ${this.G}${normOptions(this)})`;
  }
}
layer(GroupNorm, normDeclaration("G"));

/** Options of `LayerNorm`. */
export interface LayerNormOptions {
  affine?: boolean;
  epsilon?: number;
}

/**
 * `LayerNorm(...size, λ = identity, { affine = true, epsilon = 1e-5 })`: normalises over the LAST
 * `size.length` axes of x, whose sizes must be `size` (Flux: the first ones), as Flux's
 * `normalise`: (x − μ) / (σ + ϵ) with the uncorrected standard deviation σ. Then `diag`: a
 * `Scale(...size, λ)` when affine, else λ. `new LayerNorm([2, 3], relu)` also works.
 */
export class LayerNorm extends Layer {
  lambda: Activation;
  diag: Scale | Activation;
  epsilon: number;
  size: number[];
  affine: boolean;

  constructor(...args: (number | number[] | Activation | LayerNormOptions)[]) {
    super();
    const rest = [...args];
    let options: LayerNormOptions = {};
    const last = rest.at(-1);
    if (last !== null && typeof last === "object" && !Array.isArray(last)) options = rest.pop() as LayerNormOptions;
    let lambda: Activation = identity;
    if (typeof rest.at(-1) === "function") lambda = rest.pop() as Activation;
    const size = rest.length === 1 && Array.isArray(rest[0]) ? [...rest[0]] : rest;
    if (size.length === 0 || !size.every((n) => Number.isInteger(n) && (n as number) > 0)) {
      throw new Error(`LayerNorm: expected sizes as positive integers, then optionally λ and options, got (${args.map((a) => (typeof a === "function" ? repr(a) : JSON.stringify(a))).join(", ")})`);
    }
    checkOptions("LayerNorm", options, ["affine", "epsilon"]);
    const epsilon = options.epsilon ?? 1e-5;
    // Checked before the Scale's parameters are made: a failed constructor leaks nothing.
    if (typeof epsilon !== "number" || !(epsilon >= 0)) throw new Error(`LayerNorm: epsilon must be a non-negative number, got ${String(epsilon)}`);
    this.lambda = lambda;
    this.affine = options.affine ?? true;
    this.size = size as number[];
    this.diag = this.affine ? new Scale(...this.size, lambda) : lambda;
    this.epsilon = epsilon;
  }

  apply(x: tf.Tensor): tf.Tensor {
    checkTensor(this, x);
    const k = this.size.length;
    if (k === 1) checkFeatures(this, x, this.size[0]!);
    else if (x.rank < k || !this.size.every((n, i) => x.shape[x.rank - k + i] === n)) {
      throw new Error(`layer ${this.repr()} expects the last ${k} dims of the input to be [${this.size.join(", ")}], but got a tensor of shape [${x.shape.join(", ")}]`);
    }
    const axes = this.size.map((_, i) => x.rank - k + i);
    return tf.tidy(() => {
      const mu = tf.mean(x, axes, true);
      const sigma = tf.sqrt(tf.mean(tf.square(tf.sub(x, mu)), axes, true));
      const y = tf.div(tf.sub(x, mu), tf.add(sigma, this.epsilon));
      return call(this.diag, y) as tf.Tensor;
    });
  }

  repr(): string {
    const lambda = this.lambda === identity ? "" : `, ${repr(this.lambda)}`;
    return `LayerNorm(${this.size.join(", ")}${lambda}${this.affine ? "" : ", affine=false"})`;
  }
}
layer(LayerNorm, { fields: ["lambda", "diag", "epsilon", "size", "affine"], show: "noexpand" });

/** Whether a normalisation layer has a trainable shift and scale (Flux's `hasaffine`). */
export function hasAffine(l: BatchNorm | InstanceNorm | GroupNorm | LayerNorm): boolean {
  return l.affine;
}
