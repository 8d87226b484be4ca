// Flux.Losses: every loss is `loss(ŷ, y, { agg = "mean", ... })` with Flux's definition and
// defaults. ŷ and y are tensors (or numbers / number arrays) of the same shape; a number y is
// broadcast. The class axis (Flux's `dims = 1`) is our LAST axis, so `dims` defaults to -1.
// Each returns a new float32 tensor (a scalar unless `agg` says otherwise) and keeps nothing else.
import { tf } from "@fluxion/backend";
import { logsigmoid } from "../functions/activations.js";
import {
  EPS32,
  aggregate,
  checkEps,
  classAxes,
  toFloat,
  withInputs,
  xlogx,
  xlogy,
  type Aggregation,
  type Dims,
  type LossInput,
} from "./loss-utils.js";

/** Options of every loss that reduces the per-element losses to one number. */
export interface AggOptions {
  /** How to reduce the per-element losses (default "mean"). */
  agg?: Aggregation;
}
/** Options of the losses that take logs: the reduction and the regulariser. */
export interface EpsOptions extends AggOptions {
  /** Regulariser added inside logs (default float32 eps, 1.1920929e-7). */
  eps?: number;
}
/** Options of `crossentropy` and the other class losses: the reduction, `eps` and the class axes. */
export interface ClassOptions extends EpsOptions {
  /** The class axis or axes (default -1: the last axis, Flux's `dims = 1`). */
  dims?: Dims;
}
/** Options of `huberLoss`. */
export interface HuberOptions extends AggOptions {
  /** δ: where the loss turns from quadratic to linear (default 1). */
  delta?: number;
}
/** Options of `labelSmoothing`. */
export interface LabelSmoothingOptions {
  /** -1 (default): y is one-hot along its last axis; 0: y holds binary labels (Flux's `dims = 0`). */
  dims?: number;
}
/** Options of `binaryFocalLoss`. */
export interface FocalOptions extends EpsOptions {
  /** γ: the modulating exponent (default 2; 0 gives plain cross-entropy). */
  gamma?: number;
}
/** Options of `focalLoss`: `FocalOptions` and the class axes. */
export interface CategoricalFocalOptions extends FocalOptions {
  /** The class axis or axes (default -1: the last axis). */
  dims?: Dims;
}
/** Options of `diceCoeffLoss`. */
export interface DiceOptions {
  /** Added to numerator and denominator (default 1). */
  smooth?: number;
}
/** Options of `tverskyLoss`. */
export interface TverskyOptions {
  /** β: the weight of false positives, 1 − β that of false negatives (default 0.7). */
  beta?: number;
}
/** Options of `siameseContrastiveLoss`. */
export interface ContrastiveOptions extends AggOptions {
  /** Distance beyond which dissimilar pairs cost nothing (default 1, must be ≥ 0). */
  margin?: number;
}

function num(name: string, key: string, v: number): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`${name}: ${key} must be a finite number, got ${String(v)}`);
  return v;
}

/** Mean absolute error: agg(|ŷ − y|). */
export function mae(yhat: LossInput, y: LossInput, { agg = "mean" }: AggOptions = {}): tf.Tensor {
  return withInputs("mae", yhat, y, (a, b) => aggregate(tf.abs(tf.sub(a, b)), agg));
}

/** Mean squared error: agg((ŷ − y)²). */
export function mse(yhat: LossInput, y: LossInput, { agg = "mean" }: AggOptions = {}): tf.Tensor {
  return withInputs("mse", yhat, y, (a, b) => aggregate(tf.square(tf.sub(a, b)), agg));
}

/** Mean squared logarithmic error: agg(log((ŷ + ϵ) / (y + ϵ))²). */
export function msle(yhat: LossInput, y: LossInput, { agg = "mean", eps = EPS32 }: EpsOptions = {}): tf.Tensor {
  checkEps("msle", eps);
  return withInputs("msle", yhat, y, (a, b) => aggregate(tf.square(tf.log(tf.div(tf.add(a, eps), tf.add(b, eps)))), agg));
}

/**
 * Huber loss: with e = |ŷ − y|, 0.5e² where e < δ, else δ(e − 0.5δ) (Flux's code uses a strict
 * `<`; the region mask carries no gradient).
 */
export function huberLoss(yhat: LossInput, y: LossInput, { agg = "mean", delta = 1 }: HuberOptions = {}): tf.Tensor {
  num("huberLoss", "delta", delta);
  return withInputs("huberLoss", yhat, y, (a, b) => {
    const e = tf.abs(tf.sub(a, b));
    const small = tf.cast(tf.less(e, delta), "float32");
    const quadratic = tf.mul(tf.mul(tf.square(e), small), 0.5);
    const linear = tf.mul(tf.mul(delta, tf.sub(e, 0.5 * delta)), tf.sub(1, small));
    return aggregate(tf.add(quadratic, linear), agg);
  });
}

/**
 * Smoothed labels: `dims = -1` (one-hot along the last axis) gives y(1 − α) + α / size(y, -1);
 * `dims = 0` (binary labels) gives y(1 − α) + α / 2. α must lie strictly between 0 and 1.
 */
export function labelSmoothing(y: LossInput, alpha: number, { dims = -1 }: LabelSmoothingOptions = {}): tf.Tensor {
  if (!(typeof alpha === "number" && alpha > 0 && alpha < 1)) throw new Error(`α must be between 0 and 1, got α = ${String(alpha)}`);
  return tf.tidy(() => {
    const t = toFloat("labelSmoothing: y", y);
    // Flux's dims = 1 is the class axis; here that is -1 (or the last axis' own index).
    const classAxis = dims === -1 || (dims > 0 && dims === t.rank - 1);
    if (!classAxis && dims !== 0) {
      throw new Error(`labelSmoothing: dims should be either -1 (one-hot along the last axis) or 0 (binary labels), got ${String(dims)}`);
    }
    const n = dims === 0 ? 2 : t.rank === 0 ? 1 : t.shape[t.rank - 1]!;
    return tf.add(tf.mul(t, 1 - alpha), alpha / n);
  });
}

/** Cross-entropy: agg(−sum(xlogy(y, ŷ + ϵ); dims)), for probabilities ŷ along the class axis. */
export function crossentropy(yhat: LossInput, y: LossInput, { dims = -1, agg = "mean", eps = EPS32 }: ClassOptions = {}): tf.Tensor {
  checkEps("crossentropy", eps);
  return withInputs("crossentropy", yhat, y, (a, b) => {
    const axes = classAxes("crossentropy", a, dims);
    return aggregate(tf.neg(tf.sum(xlogy(b, tf.add(a, eps)), axes, true)), agg);
  });
}

/**
 * Cross-entropy from logits: agg(−sum(y · logsoftmax(ŷ; dims); dims)), with logsoftmax written
 * as ŷ − logsumexp(ŷ) so second derivatives are right.
 */
export function logitCrossentropy(yhat: LossInput, y: LossInput, { dims = -1, agg = "mean" }: Omit<ClassOptions, "eps"> = {}): tf.Tensor {
  return withInputs("logitCrossentropy", yhat, y, (a, b) => {
    const axes = classAxes("logitCrossentropy", a, dims);
    const logp = tf.sub(a, tf.logSumExp(a, axes, true));
    return aggregate(tf.neg(tf.sum(tf.mul(b, logp), axes, true)), agg);
  });
}

/** Binary cross-entropy: agg(−xlogy(y, ŷ + ϵ) − xlogy(1 − y, 1 − ŷ + ϵ)). */
export function binaryCrossentropy(yhat: LossInput, y: LossInput, { agg = "mean", eps = EPS32 }: EpsOptions = {}): tf.Tensor {
  checkEps("binaryCrossentropy", eps);
  return withInputs("binaryCrossentropy", yhat, y, (a, b) => {
    const pos = xlogy(b, tf.add(a, eps));
    const neg = xlogy(tf.sub(1, b), tf.add(tf.sub(1, a), eps));
    return aggregate(tf.neg(tf.add(pos, neg)), agg);
  });
}

/** Binary cross-entropy from logits: agg((1 − y)ŷ − logσ(ŷ)), logσ(x) = −softplus(−x). */
export function logitBinaryCrossentropy(yhat: LossInput, y: LossInput, { agg = "mean" }: AggOptions = {}): tf.Tensor {
  return withInputs("logitBinaryCrossentropy", yhat, y, (a, b) => aggregate(tf.sub(tf.mul(tf.sub(1, b), a), logsigmoid(a)), agg));
}

/**
 * Kullback-Leibler divergence of ŷ from y: agg(sum(xlogx(y); dims)) + crossentropy(ŷ, y). A y
 * smaller than ŷ is broadcast to ŷ's shape first.
 */
export function kldivergence(yhat: LossInput, y: LossInput, { dims = -1, agg = "mean", eps = EPS32 }: ClassOptions = {}): tf.Tensor {
  checkEps("kldivergence", eps);
  return withInputs("kldivergence", yhat, y, (a, b) => {
    const axes = classAxes("kldivergence", a, dims);
    const yb = b.rank === a.rank ? b : tf.broadcastTo(b, tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape));
    const entropy = aggregate(tf.sum(xlogx(yb), axes, true), agg);
    const cross = aggregate(tf.neg(tf.sum(xlogy(yb, tf.add(a, eps)), axes, true)), agg);
    return tf.add(entropy, cross);
  });
}

/** Poisson loss: agg(ŷ − xlogy(y, ŷ)). */
export function poissonLoss(yhat: LossInput, y: LossInput, { agg = "mean" }: AggOptions = {}): tf.Tensor {
  return withInputs("poissonLoss", yhat, y, (a, b) => aggregate(tf.sub(a, xlogy(b, a)), agg));
}

/** Hinge loss for labels ±1: agg(max(0, 1 − ŷ·y)). */
export function hingeLoss(yhat: LossInput, y: LossInput, { agg = "mean" }: AggOptions = {}): tf.Tensor {
  return withInputs("hingeLoss", yhat, y, (a, b) => aggregate(tf.relu(tf.sub(1, tf.mul(a, b))), agg));
}

/** Squared hinge loss for labels ±1: agg(max(0, 1 − ŷ·y)²). */
export function squaredHingeLoss(yhat: LossInput, y: LossInput, { agg = "mean" }: AggOptions = {}): tf.Tensor {
  return withInputs("squaredHingeLoss", yhat, y, (a, b) => aggregate(tf.square(tf.relu(tf.sub(1, tf.mul(a, b)))), agg));
}

/** Dice coefficient loss: 1 − (2·sum(y·ŷ) + s) / (sum(y²) + sum(ŷ²) + s). A scalar; no `agg`. */
export function diceCoeffLoss(yhat: LossInput, y: LossInput, { smooth = 1 }: DiceOptions = {}): tf.Tensor {
  num("diceCoeffLoss", "smooth", smooth);
  return withInputs("diceCoeffLoss", yhat, y, (a, b) => {
    const numer = tf.add(tf.mul(2, tf.sum(tf.mul(b, a))), smooth);
    const denom = tf.add(tf.add(tf.sum(tf.square(b)), tf.sum(tf.square(a))), smooth);
    return tf.sub(1, tf.div(numer, denom));
  });
}

/**
 * Tversky loss: 1 − (sum(y·ŷ) + 1) / (sum(y·ŷ + β(1 − y)ŷ + (1 − β)y(1 − ŷ)) + 1), as Flux's code
 * (its docstring swaps β and 1 − β). A scalar; no `agg`.
 */
export function tverskyLoss(yhat: LossInput, y: LossInput, { beta = 0.7 }: TverskyOptions = {}): tf.Tensor {
  num("tverskyLoss", "beta", beta);
  return withInputs("tverskyLoss", yhat, y, (a, b) => {
    const tp = tf.mul(b, a);
    const fp = tf.mul(beta, tf.mul(tf.sub(1, b), a));
    const fn = tf.mul(1 - beta, tf.mul(b, tf.sub(1, a)));
    const numer = tf.add(tf.sum(tp), 1);
    const denom = tf.add(tf.sum(tf.add(tf.add(tp, fp), fn)), 1);
    return tf.sub(1, tf.div(numer, denom));
  });
}

// (1 − p)^γ with the common exponents exact and no 0·∞ in the gradient for γ = 0.
function modulate(oneMinusP: tf.Tensor, gamma: number): tf.Tensor {
  if (gamma === 0) return tf.onesLike(oneMinusP);
  if (gamma === 1) return oneMinusP;
  if (gamma === 2) return tf.square(oneMinusP);
  return tf.pow(oneMinusP, gamma);
}

/**
 * Binary focal loss: with ŷϵ = ŷ + ϵ and p_t = y·ŷϵ + (1 − y)(1 − ŷϵ),
 * agg((1 − p_t)^γ · −log(p_t)). γ = 0 is binary cross-entropy.
 */
export function binaryFocalLoss(yhat: LossInput, y: LossInput, { agg = "mean", gamma = 2, eps = EPS32 }: FocalOptions = {}): tf.Tensor {
  num("binaryFocalLoss", "gamma", gamma);
  checkEps("binaryFocalLoss", eps);
  return withInputs("binaryFocalLoss", yhat, y, (a, b) => {
    const p = tf.add(a, eps);
    const pt = tf.add(tf.mul(b, p), tf.mul(tf.sub(1, b), tf.sub(1, p)));
    return aggregate(tf.mul(modulate(tf.sub(1, pt), gamma), tf.neg(tf.log(pt))), agg);
  });
}

/**
 * Focal loss for one-hot y and probabilities ŷ along the class axis: with ŷϵ = ŷ + ϵ,
 * agg(sum(−y(1 − ŷϵ)^γ log(ŷϵ); dims)). γ = 0 is cross-entropy.
 */
export function focalLoss(yhat: LossInput, y: LossInput, { dims = -1, agg = "mean", gamma = 2, eps = EPS32 }: CategoricalFocalOptions = {}): tf.Tensor {
  num("focalLoss", "gamma", gamma);
  checkEps("focalLoss", eps);
  return withInputs("focalLoss", yhat, y, (a, b) => {
    const axes = classAxes("focalLoss", a, dims);
    const p = tf.add(a, eps);
    const terms = tf.mul(tf.mul(tf.neg(b), modulate(tf.sub(1, p), gamma)), tf.log(p));
    return aggregate(tf.sum(terms, axes, true), agg);
  });
}

/** Contrastive loss for pair distances ŷ and labels y: agg((1 − y)ŷ² + y·max(0, margin − ŷ)²). */
export function siameseContrastiveLoss(yhat: LossInput, y: LossInput, { agg = "mean", margin = 1 }: ContrastiveOptions = {}): tf.Tensor {
  num("siameseContrastiveLoss", "margin", margin);
  if (margin < 0) throw new Error(`Margin must be non-negative, got margin = ${margin}`);
  return withInputs("siameseContrastiveLoss", yhat, y, (a, b) => {
    const similar = tf.mul(tf.sub(1, b), tf.square(a));
    const dissimilar = tf.mul(b, tf.square(tf.relu(tf.sub(margin, a))));
    return aggregate(tf.add(similar, dissimilar), agg);
  });
}
