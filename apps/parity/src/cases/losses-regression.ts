// Regression, margin and distance losses: mse, mae, msle, huberLoss, poissonLoss, hingeLoss,
// squaredHingeLoss, siameseContrastiveLoss, each with its gradient and some non-default options.
import { tf } from "@fluxion/backend";
import { hingeLoss, huberLoss, mae, mse, msle, poissonLoss, Rng, siameseContrastiveLoss, squaredHingeLoss } from "@fluxion/nn";
import type { ParityCase } from "../case.js";
import { bits, lossCase, signs, weightedMean } from "./loss-inputs.js";
import { randn, uniform } from "./tensors.js";

const regression = (shape: number[], seed: number) => () => ({ yhat: randn(shape, seed), y: randn(shape, seed + 1) });
const positive = (shape: number[], seed: number) => () => ({ yhat: uniform(shape, seed, 0.05, 3), y: uniform(shape, seed + 1, 0, 3) });

/** Poisson counts 0..5 (many zeros: the xlogy(0, ŷ) path) against positive rates. */
function counts(shape: number[], seed: number): () => { yhat: tf.Tensor; y: tf.Tensor } {
  return () => {
    const rng = new Rng(seed + 1);
    const n = shape.reduce((a, b) => a * b, 1);
    const y = tf.tensor(Array.from({ length: n }, () => Math.min(rng.int(7), 5)), shape);
    return { yhat: uniform(shape, seed, 0.1, 4), y };
  };
}

const margin = (shape: number[], seed: number) => () => ({ yhat: randn(shape, seed, 1.2), y: signs(shape, seed + 1) });
const pairs = (shape: number[], seed: number) => () => ({ yhat: uniform(shape, seed, 0, 2), y: bits(shape, seed + 1) });

export const regressionLossCases: ParityCase[] = [
  lossCase("mse", regression([6, 5], 1000), (a, b) => mse(a, b)),
  // A mean over 4096 elements: where backends' summation orders differ most.
  lossCase("mse over 64×64 (long reduction)", regression([64, 64], 1010), (a, b) => mse(a, b)),
  lossCase("mse agg=sum", regression([6, 5], 1020), (a, b) => mse(a, b, { agg: "sum" })),
  lossCase("mse agg=none", regression([3, 4, 2], 1030), (a, b) => mse(a, b, { agg: "none" })),
  lossCase("mae", regression([6, 5], 1040), (a, b) => mae(a, b)),
  lossCase("mae agg=weighted mean", regression([6, 5], 1050), (a, b) => mae(a, b, { agg: weightedMean(1051) })),
  lossCase("msle", positive([6, 5], 1060), (a, b) => msle(a, b)),
  lossCase("msle eps=0.01 agg=none", positive([6, 5], 1070), (a, b) => msle(a, b, { eps: 0.01, agg: "none" })),
  lossCase("huberLoss", regression([8, 5], 1080), (a, b) => huberLoss(a, b)),
  lossCase("huberLoss delta=0.5 agg=none", regression([8, 5], 1090), (a, b) => huberLoss(a, b, { delta: 0.5, agg: "none" })),
  lossCase("poissonLoss", counts([8, 5], 1100), (a, b) => poissonLoss(a, b)),
  lossCase("poissonLoss agg=sum", counts([8, 5], 1110), (a, b) => poissonLoss(a, b, { agg: "sum" })),
  lossCase("hingeLoss", margin([8, 4], 1120), (a, b) => hingeLoss(a, b)),
  lossCase("hingeLoss agg=none", margin([8, 4], 1130), (a, b) => hingeLoss(a, b, { agg: "none" })),
  lossCase("squaredHingeLoss", margin([8, 4], 1140), (a, b) => squaredHingeLoss(a, b)),
  lossCase("squaredHingeLoss agg=weighted mean", margin([8, 4], 1150), (a, b) => squaredHingeLoss(a, b, { agg: weightedMean(1151) })),
  lossCase("siameseContrastiveLoss", pairs([16], 1160), (a, b) => siameseContrastiveLoss(a, b)),
  lossCase("siameseContrastiveLoss margin=1.5 agg=none", pairs([16], 1170), (a, b) => siameseContrastiveLoss(a, b, { margin: 1.5, agg: "none" })),
];
