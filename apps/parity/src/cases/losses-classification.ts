// Classification losses: probabilities against one-hot or 0/1 targets, logits (moderate and ±30,
// where a naive formula overflows), class axes (dims), label smoothing, focal and overlap losses.
import { tf } from "@fluxion/backend";
import {
  binaryCrossentropy, binaryFocalLoss, crossentropy, diceCoeffLoss, focalLoss, kldivergence, labelSmoothing,
  logitBinaryCrossentropy, logitCrossentropy, tverskyLoss, ctcLoss,
} from "@fluxion/nn";
import type { ParityCase } from "../case.js";
import { binaryProbs, bits, lossCase, mix, onehots, probs, weightedMean } from "./loss-inputs.js";
import { randn } from "./tensors.js";

const categorical = (n: number, k: number, seed: number) => () => ({ yhat: probs([n, k], seed), y: onehots(n, k, seed + 1) });
const logits = (n: number, k: number, seed: number, scale = 2) => () => ({ yhat: randn([n, k], seed, scale), y: onehots(n, k, seed + 1) });
const binary = (shape: number[], seed: number) => () => ({ yhat: binaryProbs(shape, seed), y: bits(shape, seed + 1) });
const binaryLogits = (shape: number[], seed: number) => () => ({ yhat: randn(shape, seed, 2), y: bits(shape, seed + 1) });

/** Logits of ±30 (and ±25, ±5): exp(30) ≈ 1e13 and exp(−30) ≈ 1e−13 stress any unstable formula. */
function hugeLogits(): { yhat: tf.Tensor; y: tf.Tensor } {
  const yhat = tf.tensor2d([
    [30, -30, 0, 5],
    [-30, 30, -25, 25],
    [25, 25, -30, -5],
    [1, -2, 30, -30],
  ]);
  // Rows 0 and 3 have the right class at the top; rows 1 and 2 a confidently wrong one.
  const y = tf.tensor2d([
    [1, 0, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
    [0, 0, 1, 0],
  ]);
  return { yhat, y };
}

/** Probabilities with exact 0s and 1s (a saturated softmax): xlogy(0, 0 + ϵ) and log(ϵ). */
function saturated(): { yhat: tf.Tensor; y: tf.Tensor } {
  const yhat = tf.tensor2d([
    [1, 0, 0],
    [0, 1, 0],
    [0.5, 0.5, 0],
    [0, 0.25, 0.75],
  ]);
  const y = tf.tensor2d([
    [1, 0, 0],
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ]);
  return { yhat, y };
}

/** Segmentation-like masks [2, 16, 16, 1] (512 elements) with sigmoid scores. */
const masks = (seed: number) => () => ({ yhat: binaryProbs([2, 16, 16, 1], seed, 2.5), y: bits([2, 16, 16, 1], seed + 1) });

/** Probabilities over the last two axes jointly, for dims = [1, 2]. */
const jointProbs = (seed: number) => () => {
  const p = probs([3, 12], seed);
  const y = onehots(3, 12, seed + 1);
  const out = { yhat: tf.reshape(p, [3, 4, 3]), y: tf.reshape(y, [3, 4, 3]) };
  tf.dispose([p, y]);
  return out;
};

/** ctcLoss on a batch [3, 20, 6] of raw scores (the recursions run on the host; softmax-free input). */
const ctcCase: ParityCase = {
  group: "losses",
  name: "ctcLoss over a batch of 3 sequences (repeated labels, an empty one), per sequence and mean",
  run: () => {
    const x = randn([3, 20, 6], 3100, 2);
    const labels = [[0, 0, 3, 1, 4], [], [2, 2, 2]];
    try {
      const value = ctcLoss(x, labels, { agg: "none" });
      const dyhat = tf.tidy(() => tf.grad((a: tf.Tensor) => mix(ctcLoss(a, labels, { agg: "none" })))(x));
      return { value, mean: ctcLoss(x, labels), dyhat };
    } finally {
      tf.dispose(x);
    }
  },
};

export const classificationLossCases: ParityCase[] = [
  ctcCase,
  lossCase("crossentropy", categorical(8, 5, 2000), (a, b) => crossentropy(a, b)),
  lossCase("crossentropy over 512 classes (long reduction)", categorical(4, 512, 2010), (a, b) => crossentropy(a, b)),
  lossCase("crossentropy agg=none", categorical(8, 5, 2020), (a, b) => crossentropy(a, b, { agg: "none" })),
  lossCase("crossentropy dims=[1,2] eps=1e-3", jointProbs(2030), (a, b) => crossentropy(a, b, { dims: [1, 2], eps: 1e-3 })),
  lossCase("crossentropy with saturated probabilities (exact 0 and 1)", saturated, (a, b) => crossentropy(a, b, { agg: "none" })),
  lossCase("logitCrossentropy", logits(8, 5, 2040), (a, b) => logitCrossentropy(a, b)),
  lossCase("logitCrossentropy over 1000 classes (long reduction)", logits(4, 1000, 2050, 3), (a, b) => logitCrossentropy(a, b)),
  lossCase("logitCrossentropy agg=sum", logits(8, 5, 2060), (a, b) => logitCrossentropy(a, b, { agg: "sum" })),
  lossCase("logitCrossentropy dims=1 on [batch, classes, time]", () => {
    const yhat = randn([2, 4, 3], 2070, 2);
    const y = onehots(6, 4, 2071);
    // one-hot along axis 1: [2, 3, 4] → [2, 4, 3]
    const yt = tf.tidy(() => tf.transpose(tf.reshape(y, [2, 3, 4]), [0, 2, 1]));
    y.dispose();
    return { yhat, y: yt };
  }, (a, b) => logitCrossentropy(a, b, { dims: 1, agg: "none" })),
  lossCase("logitCrossentropy with logits ±30", hugeLogits, (a, b) => logitCrossentropy(a, b, { agg: "none" })),
  lossCase("logitCrossentropy with smoothed labels (α = 0.1)", logits(8, 5, 2080), (a, b) =>
    tf.tidy(() => logitCrossentropy(a, labelSmoothing(b, 0.1)))),
  lossCase("binaryCrossentropy", binary([8, 4], 2090), (a, b) => binaryCrossentropy(a, b)),
  lossCase("binaryCrossentropy eps=1e-4 agg=sum", binary([8, 4], 2100), (a, b) => binaryCrossentropy(a, b, { eps: 1e-4, agg: "sum" })),
  lossCase("binaryCrossentropy with saturated probabilities (agg=none)", saturated, (a, b) => binaryCrossentropy(a, b, { agg: "none" })),
  lossCase("logitBinaryCrossentropy", binaryLogits([8, 4], 2110), (a, b) => logitBinaryCrossentropy(a, b)),
  lossCase("logitBinaryCrossentropy agg=weighted mean", binaryLogits([8, 4], 2120), (a, b) =>
    logitBinaryCrossentropy(a, b, { agg: weightedMean(2121) })),
  lossCase("logitBinaryCrossentropy with logits ±30 (agg=none)", hugeLogits, (a, b) => logitBinaryCrossentropy(a, b, { agg: "none" })),
  lossCase("kldivergence", () => ({ yhat: probs([8, 5], 2130), y: probs([8, 5], 2131, 1) }), (a, b) => kldivergence(a, b)),
  lossCase("kldivergence with one-hot y (xlogx(0)) agg=none", categorical(8, 5, 2140), (a, b) => kldivergence(a, b, { agg: "none" })),
  // A number y is broadcast to ŷ's shape (Flux's size check rejects any other smaller y).
  lossCase("kldivergence from the uniform distribution (y a number)", () => ({ yhat: probs([8, 5], 2150), y: tf.scalar(0.2) }), (a, b) =>
    kldivergence(a, b)),
  lossCase("focalLoss", categorical(8, 5, 2160), (a, b) => focalLoss(a, b)),
  lossCase("focalLoss gamma=0 (crossentropy)", categorical(8, 5, 2170), (a, b) => focalLoss(a, b, { gamma: 0 })),
  lossCase("focalLoss gamma=1.5 agg=none", categorical(8, 5, 2180), (a, b) => focalLoss(a, b, { gamma: 1.5, agg: "none" })),
  lossCase("binaryFocalLoss", binary([8, 4], 2190), (a, b) => binaryFocalLoss(a, b)),
  lossCase("binaryFocalLoss gamma=3 agg=none", binary([8, 4], 2200), (a, b) => binaryFocalLoss(a, b, { gamma: 3, agg: "none" })),
  lossCase("binaryFocalLoss gamma=1.5 agg=sum", binary([8, 4], 2210), (a, b) => binaryFocalLoss(a, b, { gamma: 1.5, agg: "sum" })),
  lossCase("diceCoeffLoss over 512 pixels", masks(2220), (a, b) => diceCoeffLoss(a, b)),
  lossCase("diceCoeffLoss smooth=0.1", masks(2230), (a, b) => diceCoeffLoss(a, b, { smooth: 0.1 })),
  lossCase("tverskyLoss over 512 pixels", masks(2240), (a, b) => tverskyLoss(a, b)),
  lossCase("tverskyLoss beta=0.3", masks(2250), (a, b) => tverskyLoss(a, b, { beta: 0.3 })),
  {
    group: "losses",
    name: "labelSmoothing of one-hot rows (α = 0.2) and of binary labels (dims = 0)",
    run: () => {
      const y = onehots(8, 5, 2260);
      const b = bits([8, 4], 2261);
      const smoothed = labelSmoothing(y, 0.2);
      const smoothedBinary = labelSmoothing(b, 0.05, { dims: 0 });
      const dy = tf.tidy(() => tf.grad((t: tf.Tensor) => mix(labelSmoothing(t, 0.2)))(y));
      tf.dispose([y, b]);
      return { smoothed, smoothedBinary, dy };
    },
  },
];
