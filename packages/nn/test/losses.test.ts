import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import {
  mse,
  mae,
  msle,
  huberLoss,
  labelSmoothing,
  crossentropy,
  logitCrossentropy,
  binaryCrossentropy,
  logitBinaryCrossentropy,
  kldivergence,
  poissonLoss,
  hingeLoss,
  squaredHingeLoss,
  diceCoeffLoss,
  tverskyLoss,
  binaryFocalLoss,
  focalLoss,
  siameseContrastiveLoss,
} from "../src/losses/losses.js";
import { EPS32, xlogx, xlogy, type LossInput } from "../src/losses/loss-utils.js";
import { onehotbatch } from "../src/functions/onehot.js";
import { gradient, hessian } from "../src/autodiff/gradient.js";
import { expectClose } from "./helpers.js";

// Tensors are made inside tests; these are plain numbers.
const value = (t: tf.Tensor): number => {
  const v = t.dataSync()[0]!;
  tf.dispose(t);
  return v;
};
const values = (t: tf.Tensor | null | unknown): number[] => Array.from((t as tf.Tensor).dataSync());
const transpose = (m: number[][]): number[][] => m[0]!.map((_, j) => m.map((row) => row[j]!));
const softmaxRows = (m: number[][]): number[][] =>
  m.map((row) => {
    const mx = Math.max(...row);
    const e = row.map((v) => Math.exp(v - mx));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  });
/** Julia's reshape(data, r, c) (column-major), returned in our layout: c rows of r entries. */
const juliaColumns = (data: number[], r: number, c: number): number[][] => Array.from({ length: c }, (_, j) => data.slice(j * r, (j + 1) * r));
const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const sigma = (x: number) => 1 / (1 + Math.exp(-x));

describe("regression losses: Flux's docstring and test values", () => {
  test("mae", () => {
    expectClose(value(mae([1.1, 1.9, 3.1], [1, 2, 3])), 0.10000000000000009);
    expectClose(value(mae([0.9, 0.1, 0.1, 0.9], [1, 1, 0, 0])), 0.5);
  });

  test("mse", () => {
    expectClose(value(mse([1.1, 1.9, 3.1], [1, 2, 3])), 0.010000000000000018, 1e-5);
    expectClose(value(mse([0.9, 0.1, 0.1, 0.9], [1, 1, 0, 0])), (0.1 ** 2 + 0.9 ** 2) / 2);
  });

  test("msle", () => {
    expectClose(value(msle([1.1, 2.2, 3.3], [1, 2, 3])), 0.009084041);
    expectClose(value(msle([0.9, 1.8, 2.7], [1, 2, 3])), 0.011100831);
    expectClose(value(msle([345, 332, 789], [123, 456, 789])), 0.38813985859136585);
  });

  test("huberLoss (strict < between the two regions)", () => {
    expectClose(value(huberLoss([1.1, 2.1, 3.1], [1, 2, 3])), 0.005000000000000009, 1e-5);
    expectClose(value(huberLoss([1.1, 2.1, 3.1], [1, 2, 3], { delta: 0.05 })), 0.003750000000000005, 1e-5);
    expectClose(value(huberLoss([0.9, 0.1, 0.1, 0.9], [1, 1, 0, 0])), 0.20500000000000002);
    // e = δ exactly takes the linear branch: δ(e − δ/2) = 0.5 for δ = e = 1, the same as 0.5e².
    expectClose(value(huberLoss([2], [1])), 0.5);
    expectClose(value(huberLoss([3], [1], { delta: 2 })), 2);
  });

  test("poissonLoss", () => {
    expectClose(value(poissonLoss([1, 3, 3], [1, 2, 3])), 0.5023128522198171);
    expectClose(value(poissonLoss([[0.4], [0.5], [0.6]], [[0.1], [0.2], [0.3]])), 0.6278353988097339);
    expectClose(value(poissonLoss([[0.1], [0.2], [0.3]], [[0.1], [0.2], [0.3]])), 0.5044459776946685);
  });

  test("hingeLoss and squaredHingeLoss", () => {
    expectClose(value(hingeLoss([0.1, 0.3, 1, 1.5], [1, -1, 1, 1])), 0.55);
    expectClose(value(squaredHingeLoss([0.1, 0.3, 1, 1.5], [1, -1, 1, 1])), 0.625);
    // Julia's row vectors [1 2 3 4] are our columns [4, 1].
    const y = [[1], [2], [3], [4]];
    expectClose(value(hingeLoss([[5], [6], [7], [8]], y)), 0, 0, 1e-7);
    expectClose(value(hingeLoss(y, [[0.5], [1], [1.5], [2]])), 0.125);
    expectClose(value(squaredHingeLoss([[5], [6], [7], [8]], y)), 0, 0, 1e-7);
    expectClose(value(squaredHingeLoss(y, [[0.5], [1], [1.5], [2]])), 0.0625);
  });

  test("diceCoeffLoss", () => {
    expectClose(value(diceCoeffLoss([1.1, 2.1, 3.1], [1, 2, 3])), 0.000992391663909964, 1e-4);
    const yhat = [[0], [1.4], [0.5], [1.2]];
    const y = [[1.0], [0.5], [0.3], [2.4]];
    expectClose(value(diceCoeffLoss(yhat, y)), 0.2799999999999999);
    expectClose(value(diceCoeffLoss(y, y)), 0, 0, 1e-6);
    expectClose(value(diceCoeffLoss(y, y, { smooth: 0 })), 0, 0, 1e-6);
  });

  test("tverskyLoss (β as in Flux's code)", () => {
    const yhat = [[0], [1.4], [0.5], [1.2]];
    const y = [[1.0], [0.5], [0.3], [2.4]];
    expectClose(value(tverskyLoss(yhat, y)), -0.06772009029345383, 1e-5);
    expectClose(value(tverskyLoss(yhat, y, { beta: 0.8 })), -0.09490740740740744, 1e-5);
    expectClose(value(tverskyLoss(y, y)), -0.5576923076923075, 1e-5);
  });

  test("siameseContrastiveLoss", () => {
    expectClose(value(siameseContrastiveLoss([0.5, 1.5, 2.5], [1, 2, 3])), -4.833333333333333);
    expectClose(value(siameseContrastiveLoss([0.5, 1.5, 2.5], [1, 2, 3], { margin: 2 })), -4.0);
    expect(() => siameseContrastiveLoss([0.5], [1], { margin: -1 })).toThrow("Margin must be non-negative");
  });
});

describe("classification losses: Flux's docstring and test values", () => {
  // Flux's test data: ŷ = [.1 .9; .9 .1; .9 .1; .1 .9]' is 2×4 (classes × batch); ours is [4, 2].
  const yhatRows = [[0.1, 0.9], [0.9, 0.1], [0.9, 0.1], [0.1, 0.9]];
  const labels01 = [0, 1];
  const v = Math.log(0.1 / 0.9);
  const logRows = [[v, 0], [0, v], [0, v], [v, 0]];
  const lossvalue = 1.203972804325936;

  test("crossentropy on Flux's test data, smoothed labels, and exact zeros", () => {
    const y = onehotbatch([1, 1, 0, 0], labels01);
    expect(y.shape).toEqual([4, 2]);
    expectClose(value(crossentropy(yhatRows, y)), lossvalue);
    const ys = labelSmoothing(y, 0.1);
    expectClose(value(crossentropy(yhatRows, ys)), 1.2039728043259348);
    // ylp = [0.9 0.1]' and yl = onehotbatch([1], 0:1): one sample [1, 2].
    const yl = onehotbatch([1], labels01);
    expectClose(value(crossentropy([[0.9, 0.1]], labelSmoothing(yl, 0.2))), -(0.1 * Math.log(0.9) + 0.9 * Math.log(0.1)));
    expectClose(value(crossentropy([[0.9, 0.1]], yl)), -Math.log(0.1));
    expectClose(value(crossentropy([0.1, 0.0, 0.9], [0.1, 0.0, 0.9])), value(crossentropy([0.1, 0.9], [0.1, 0.9])));
    const ya = onehotbatch([1, 1, 1, 0, 0], labels01);
    expect(value(crossentropy(ya, ya, { eps: 0 }))).toBe(0);
    // Smoothing raises the loss on similar predictions and lowers it on dissimilar ones.
    const ySim = tf.tidy(() => tf.add(tf.mul(ya, 0.8), 0.1));
    const yDis = tf.tidy(() => tf.reverse(ySim, -1));
    const yaSmoothed = labelSmoothing(ya, 0.2);
    expect(value(crossentropy(ySim, ya))).toBeLessThan(value(crossentropy(ySim, yaSmoothed)));
    expect(value(crossentropy(yDis, ya))).toBeGreaterThan(value(crossentropy(yDis, yaSmoothed)));
    tf.dispose([y, ys, yl, ya, ySim, yDis, yaSmoothed]);
  });

  test("crossentropy docstring: 1.6076053f0, agg=sum is 5×, smoothed 1.5776052f0", () => {
    // y_model = softmax(reshape(-7:7, 3, 5)); y_label = onehotbatch([0, 1, 2, 1, 0], 0:2)
    const model = softmaxRows(juliaColumns(range(-7, 7), 3, 5));
    expectClose(model[0]!, [0.0900306, 0.244728, 0.665241], 1e-5);
    const y = onehotbatch([0, 1, 2, 1, 0], [0, 1, 2]);
    const ce = value(crossentropy(model, y));
    expectClose(ce, 1.6076053);
    expectClose(value(crossentropy(model, y, { agg: "sum" })), 5 * ce);
    expectClose(value(crossentropy(model, y, { agg: tf.sum })), 5 * ce);
    const ys = labelSmoothing(y, 0.15);
    expectClose(values(ys), [0.9, 0.05, 0.05, 0.05, 0.9, 0.05, 0.05, 0.05, 0.9, 0.05, 0.9, 0.05, 0.9, 0.05, 0.05], 1e-6);
    expectClose(value(crossentropy(model, ys)), 1.5776052);
    tf.dispose([y, ys]);
  });

  test("logitCrossentropy docstring: 1.5791205f0 (crossentropy∘softmax 1.5791197f0)", () => {
    // y_model = reshape(vcat(-9:0, 0:9, 7.5f0), 3, 7); y_label = onehotbatch(collect("abcabaa"), 'a':'c')
    const model = juliaColumns([...range(-9, 0), ...range(0, 9), 7.5], 3, 7);
    expect(model[6]).toEqual([8, 9, 7.5]);
    const y = onehotbatch("abcabaa", "abc");
    expectClose(value(logitCrossentropy(model, y)), 1.5791205);
    expectClose(value(crossentropy(softmaxRows(model), y)), 1.5791197, 2e-6);
    // Flux's tests: logitcrossentropy(logŷ, y) ≈ lossvalue, and a single smoothed sample.
    const y2 = onehotbatch([1, 1, 0, 0], labels01);
    expectClose(value(logitCrossentropy(logRows, y2)), lossvalue);
    const yl = onehotbatch([1], labels01);
    const logp = [Math.log(1 / (1 + Math.exp(v))), v - Math.log(1 + Math.exp(v))];
    expectClose(value(logitCrossentropy([[0, v]], yl)), -logp[1]!);
    expectClose(value(logitCrossentropy([[0, v]], labelSmoothing(yl, 0.2))), -(0.1 * logp[0]! + 0.9 * logp[1]!));
    tf.dispose([y, y2, yl]);
  });

  test("binaryCrossentropy docstring: 0.43989f0, and crossentropy on the two-class form", () => {
    // y_prob = softmax(reshape(vcat(1:3, 3:5), 2, 3)); ŷ = y_prob[2, :]; y = Bool[1, 0, 1]
    const prob = softmaxRows(juliaColumns([1, 2, 3, 3, 4, 5], 2, 3));
    expectClose(value(binaryCrossentropy(prob.map((r) => r[1]!), [true, false, true])), 0.43989, 2e-5);
    const yHot = onehotbatch([true, false, true], [false, true]);
    expectClose(value(crossentropy(prob, yHot)), 0.43989, 2e-5);
    expectClose(value(binaryCrossentropy([0.1, 0.2, 0.9], 1)), -(Math.log(0.1) + Math.log(0.2) + Math.log(0.9)) / 3);
    // Flux's test: with ϵ = 0 it is the plain formula (here on fixed data).
    const logits = [0.3, -1.2, 2.1, 0.05];
    const y = [0.2, 0.9, 0.5, 0.0];
    const p = logits.map(sigma);
    const plain = p.reduce((s, pi, i) => s - y[i]! * Math.log(pi) - (1 - y[i]!) * Math.log(1 - pi), 0) / 4;
    expectClose(value(binaryCrossentropy(p, y, { eps: 0 })), plain);
    const withEps = p.reduce((s, pi, i) => s - y[i]! * Math.log(pi + EPS32) - (1 - y[i]!) * Math.log(1 - pi + EPS32), 0) / 4;
    expectClose(value(binaryCrossentropy(p, y)), withEps);
    // Label smoothing for binary labels (dims = 0) squeezes towards 0.5.
    const ls = labelSmoothing(y, 0.2, { dims: 0 });
    expectClose(values(ls), y.map((t) => t * 0.8 + 0.1), 1e-6);
    const bceLs = value(binaryCrossentropy(p, ls, { eps: 0 }));
    expectClose(value(logitBinaryCrossentropy(logits, ls)), bceLs, 1e-5);
    tf.dispose([yHot, ls]);
  });

  test("logitBinaryCrossentropy docstring: 0.160832f0 (binaryCrossentropy∘σ 0.16083185f0)", () => {
    const model = [2, -1, Math.PI];
    expectClose(value(logitBinaryCrossentropy(model, [true, false, true])), 0.160832, 2e-6);
    expectClose(value(binaryCrossentropy(model.map(sigma), [true, false, true])), 0.16083185, 2e-6);
    // Stable far out where σ saturates.
    expectClose(value(logitBinaryCrossentropy([100, -100], [0, 1])), 100);
  });

  test("kldivergence", () => {
    // Julia's 1×3 rows are [3, 1] here: each sample is a one-class "distribution".
    expectClose(value(kldivergence([[4], [5], [6]], [[1], [2], [3]])), -1.7661057888493457);
    expectClose(value(kldivergence([[1], [2], [3]], [[1], [2], [3]])), 0, 0, 1e-6);
    expectClose(value(kldivergence([[0.5, 0.5], [0.5, 0.5]], [[1, 0], [0, 1]])), Math.log(2));
    expectClose(value(kldivergence([[0.5, 0.5], [0.5, 0.5]], [[1, 0], [0, 1]], { agg: "sum" })), 2 * Math.log(2));
    expectClose(value(kldivergence([[0.5, 0.5], [0.5, 0.5]], [[0.5, 0.5], [0.5, 0.5]], { eps: 0 })), 0, 0, 1e-7);
    expect(value(kldivergence([[1, 0], [0, 1]], [[0.5, 0.5], [0.5, 0.5]], { eps: 0 }))).toBe(Infinity);
    expectClose(value(kldivergence([0.1, 0.0, 0.9], [0.1, 0.0, 0.9])), value(kldivergence([0.1, 0.9], [0.1, 0.9])), 1e-5, 1e-6);
  });

  test("binaryFocalLoss: 0.0728675615927385, 0.05691642237852222, γ = 0 is binaryCrossentropy", () => {
    // Julia's 2×3 ŷ and y, transposed.
    const yhat = transpose([[0.268941, 0.5, 0.268941], [0.731059, 0.5, 0.731059]]);
    const y = transpose([[0, 1, 0], [1, 0, 1]]);
    expectClose(value(binaryFocalLoss(yhat, y)), 0.0728675615927385);
    expectClose(value(binaryFocalLoss(transpose([[0.6, 0.3], [0.4, 0.7]]), transpose([[1, 0], [0, 1]]))), 0.05691642237852222);
    expectClose(value(binaryFocalLoss(yhat, y, { gamma: 0 })), value(binaryCrossentropy(yhat, y)), 1e-6);
  });

  test("focalLoss: 1.1277571935622628, 0.45990566879720157, γ = 0 is crossentropy", () => {
    const yhat = softmaxRows(juliaColumns(range(-7, 7), 3, 5));
    const y = transpose([[1, 0, 0, 0, 1], [0, 1, 0, 1, 0], [0, 0, 1, 0, 0]]);
    expectClose(value(focalLoss(yhat, y)), 1.1277571935622628);
    expectClose(value(focalLoss(transpose([[0.4, 0.2], [0.5, 0.5], [0.1, 0.3]]), transpose([[1, 0], [0, 0], [0, 1]]))), 0.45990566879720157);
    expectClose(value(focalLoss(yhat, y, { gamma: 0 })), value(crossentropy(yhat, y)), 1e-6);
    expectClose(value(focalLoss(yhat, y, { gamma: 1.5 })), (() => {
      let s = 0;
      yhat.forEach((row, i) => row.forEach((p, j) => (s -= y[i]![j]! * (1 - p - EPS32) ** 1.5 * Math.log(p + EPS32))));
      return s / 5;
    })());
  });

  test("labelSmoothing: Flux's examples and bad α / dims", () => {
    const y = onehotbatch([1], [0, 1]);
    const ys = labelSmoothing(y, 0.2);
    expect(ys.shape).toEqual([1, 2]);
    expectClose(values(ys), [0.1, 0.9], 1e-6);
    // dims = 0 is elementwise: y(1 − α) + α/2.
    expectClose(values(labelSmoothing(y, 0.2, { dims: 0 })), [0.1, 0.9], 1e-6);
    expectClose(values(labelSmoothing([0, 0, 1, 0], 0.2)), [0.05, 0.05, 0.85, 0.05], 1e-6);
    // The docstring example: onehotbatch([1, 1, 1, 0, 1, 0], 0:1) smoothed by 0.2.
    const y6 = onehotbatch([1, 1, 1, 0, 1, 0], [0, 1]);
    expectClose(values(labelSmoothing(y6, 0.2)), [0.1, 0.9, 0.1, 0.9, 0.1, 0.9, 0.9, 0.1, 0.1, 0.9, 0.9, 0.1], 1e-6);
    // The last axis' own index is accepted for Flux's dims = 1.
    expectClose(values(labelSmoothing(y6, 0.2, { dims: 1 })), values(labelSmoothing(y6, 0.2)), 1e-7);
    expect(() => labelSmoothing([0, 0, 1, 0], 1.2)).toThrow("α must be between 0 and 1");
    expect(() => labelSmoothing([0, 0, 1, 0], 0)).toThrow("α must be between 0 and 1");
    expect(() => labelSmoothing(y6, 0.1, { dims: 2 })).toThrow("dims should be either -1");
    tf.dispose([y, ys, y6]);
  });
});

describe("layout, dims and agg against float64 loops", () => {
  // A [2, 3, 4] batch: classes on the last axis by default.
  const shape = [2, 3, 4];
  const n = 24;
  const logits = Array.from({ length: n }, (_, i) => Math.sin(1.7 * i + 0.3) * 2);
  const target = Array.from({ length: n }, (_, i) => (i % 4 === (i >> 2) % 4 ? 1 : 0));

  function rowsOf(xs: number[], k: number): number[][] {
    return Array.from({ length: xs.length / k }, (_, r) => xs.slice(r * k, (r + 1) * k));
  }

  test("logitCrossentropy and crossentropy per sample with agg 'none', over the last axis", () => {
    const x = tf.tensor(logits, shape);
    const y = tf.tensor(target, shape);
    const none = logitCrossentropy(x, y, { agg: "none" });
    expect(none.shape).toEqual([2, 3, 1]);
    const expected = rowsOf(logits, 4).map((row, r) => {
      const lse = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
      return -row.reduce((s, v, j) => s + target[r * 4 + j]! * (v - lse), 0);
    });
    expectClose(values(none), expected);
    expectClose(value(logitCrossentropy(x, y)), expected.reduce((a, b) => a + b, 0) / 6);
    const p = tf.softmax(x);
    const ce = crossentropy(p, y, { agg: "none" });
    expectClose(values(ce), expected, 1e-5, 1e-6);
    tf.dispose([x, y, none, p, ce]);
  });

  test("dims over several axes, negative or not, and an aggregation function", () => {
    const x = tf.tensor(logits, shape);
    const y = tf.tensor(target, shape);
    // Classes spread over axes 1 and 2: one distribution per batch entry.
    const perBatch = rowsOf(logits, 12).map((row, b) => {
      const lse = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
      return -row.reduce((s, v, j) => s + target[b * 12 + j]! * (v - lse), 0);
    });
    expectClose(values(logitCrossentropy(x, y, { dims: [1, 2], agg: "none" })), perBatch);
    expectClose(values(logitCrossentropy(x, y, { dims: [-2, -1], agg: "none" })), perBatch);
    const weighted = (t: tf.Tensor) => tf.sum(tf.mul(t, tf.tensor([[[1]], [[3]]])));
    expectClose(value(logitCrossentropy(x, y, { dims: [1, 2], agg: weighted })), perBatch[0]! + 3 * perBatch[1]!);
    // Classes on axis 0 (Flux's layout) when asked for.
    const firstAxis = Array.from({ length: 12 }, (_, c) => {
      const col = [logits[c]!, logits[12 + c]!];
      const lse = Math.log(Math.exp(col[0]!) + Math.exp(col[1]!));
      return -(target[c]! * (col[0]! - lse) + target[12 + c]! * (col[1]! - lse));
    });
    expectClose(values(logitCrossentropy(x, y, { dims: 0, agg: "none" })), firstAxis);
    expect(() => logitCrossentropy(x, y, { dims: 3 })).toThrow("logitCrossentropy: dims = 3 is not an axis of a tensor of rank 3 (shape [2, 3, 4])");
    tf.dispose([x, y]);
  });

  test("elementwise losses with agg 'sum', 'none' and a function", () => {
    const a = logits.map(sigma);
    const b = target;
    const x = tf.tensor(a, shape);
    const y = tf.tensor(b, shape);
    const ref = {
      mse: a.map((v, i) => (v - b[i]!) ** 2),
      bce: a.map((v, i) => -b[i]! * Math.log(v + EPS32) - (1 - b[i]!) * Math.log(1 - v + EPS32)),
      lbce: logits.map((v, i) => (1 - b[i]!) * v + Math.log(1 + Math.exp(-v))),
      contrastive: a.map((v, i) => (1 - b[i]!) * v * v + b[i]! * Math.max(0, 1 - v) ** 2),
    };
    expectClose(values(mse(x, y, { agg: "none" })), ref.mse);
    expectClose(value(mse(x, y, { agg: "sum" })), ref.mse.reduce((s, v) => s + v, 0));
    expectClose(value(binaryCrossentropy(x, y, { agg: "sum" })), ref.bce.reduce((s, v) => s + v, 0));
    const lb = tf.tensor(logits, shape);
    expectClose(values(logitBinaryCrossentropy(lb, y, { agg: "none" })), ref.lbce, 1e-5, 1e-6);
    expectClose(value(siameseContrastiveLoss(x, y, { agg: (t) => tf.max(t) })), Math.max(...ref.contrastive));
    expect(() => mse(x, y, { agg: "median" as never })).toThrow('agg must be "mean", "sum", "none" or a function');
    tf.dispose([x, y, lb]);
  });
});

describe("inputs and size checks", () => {
  test("Flux's DimensionMismatch text, scalars pass, leading 1s pad as Julia's trailing ones", () => {
    const a = tf.zeros([2, 3]);
    const b = tf.zeros([3, 2]);
    expect(() => mse(a, b)).toThrow("loss function expects size(ŷ) = [2, 3] to match size(y) = [3, 2]");
    expect(() => crossentropy(a, b)).toThrow("loss function expects size(ŷ) = [2, 3] to match size(y) = [3, 2]");
    expect(() => diceCoeffLoss(a, b)).toThrow("loss function expects size(ŷ) = [2, 3] to match size(y) = [3, 2]");
    expect(() => mae([1, 2, 3], [1, 2])).toThrow("loss function expects size(ŷ) = [3] to match size(y) = [2]");
    expectClose(value(mse(a, 1)), 1);
    expectClose(value(mse(tf.scalar(0), tf.scalar(1))), 1);
    expectClose(value(mse([[1, 2, 3]], [1, 2, 3])), 0, 0, 0);
    tf.dispose([a, b]);
  });

  test("int32 and bool tensors are read as float32; the caller's tensors stay alive", () => {
    const yhat = tf.tensor1d([0.25, 0.75]);
    const yBool = tf.tensor1d([false, true], "bool");
    const yInt = tf.tensor1d([0, 1], "int32");
    expectClose(value(mse(yhat, yBool)), 0.0625);
    expectClose(value(mse(yhat, yInt)), 0.0625);
    expect(yhat.isDisposed || yBool.isDisposed || yInt.isDisposed).toBe(false);
    expect(() => mse(yhat, ["a", "b"] as never)).toThrow("mse: y: expected numbers, booleans or tensors, got an array with non-numeric entries");
    expect(() => mse(yhat, tf.tensor1d(["a", "b"]) as never)).toThrow("expected a numeric tensor, got dtype string");
    expect(() => huberLoss(yhat, yhat, { delta: NaN })).toThrow("huberLoss: delta must be a finite number, got NaN");
    tf.dispose([yhat, yBool, yInt]);
  });

  test("xlogx and xlogy: zero cases are 0, NaN propagates, no NaN gradients", () => {
    const x = tf.tensor1d([0, 2, NaN]);
    expectClose(values(xlogx(x)).slice(0, 2), [0, 2 * Math.log(2)]);
    expect(Number.isNaN(values(xlogx(x))[2]!)).toBe(true);
    const xs = tf.tensor1d([0, 0, 2, NaN, 1]);
    const ys = tf.tensor1d([1, 0, 3, 1, NaN]);
    const r = values(xlogy(xs, ys));
    expectClose(r.slice(0, 3), [0, 0, 2 * Math.log(3)]);
    expect(Number.isNaN(r[3]!) && Number.isNaN(r[4]!)).toBe(true);
    const xz = tf.tensor1d([0, 0, 2]);
    const yz = tf.tensor1d([5, 0, 3]);
    const [gx, gy] = gradient((a: tf.Tensor, b: tf.Tensor) => tf.sum(xlogy(a, b)), xz, yz) as tf.Tensor[];
    // ∂/∂x = log y where y > 0 (Flux's rule), 0 at the masked (0, 0); ∂/∂y = x / y.
    expectClose(values(gx), [Math.log(5), 0, Math.log(3)]);
    expectClose(values(gy), [0, 0, 2 / 3]);
    const [g0] = gradient((a: tf.Tensor) => tf.sum(xlogx(a)), xz) as tf.Tensor[];
    expectClose(values(g0), [0, 0, Math.log(2) + 1]);
    tf.dispose([x, xs, ys, xz, yz, gx!, gy!, g0!]);
  });

  test("xlogy at x ≠ 0, y = 0 is ∓Inf with Flux's gradients (∂/∂y = x/y = ±Inf, not NaN)", () => {
    const x = tf.tensor1d([0.5, -2, 0, 1]);
    const y = tf.tensor1d([0, 0, 0, 0.5]);
    expect(values(xlogy(x, y))).toEqual([-Infinity, Infinity, 0, Math.fround(Math.log(0.5))]);
    const [gx, gy] = gradient((a: tf.Tensor, b: tf.Tensor) => tf.sum(xlogy(a, b)), x, y) as tf.Tensor[];
    expect(values(gx)).toEqual([-Infinity, -Infinity, 0, Math.fround(Math.log(0.5))]);
    expect(values(gy)).toEqual([Infinity, -Infinity, 0, 2]);
    tf.dispose([x, y, gx!, gy!]);
  });

  test("zero probabilities and zero targets give finite gradients", () => {
    const p = tf.tensor2d([[0, 1], [0.5, 0.5]]);
    const y = tf.tensor2d([[0, 1], [1, 0]]);
    for (const f of [crossentropy, kldivergence, focalLoss, binaryCrossentropy, binaryFocalLoss, poissonLoss]) {
      const [gp, gy] = gradient((a: tf.Tensor, b: tf.Tensor) => f(a, b), p, y) as tf.Tensor[];
      expect([...values(gp), ...values(gy)].every(Number.isFinite)).toBe(true);
      tf.dispose([gp!, gy!]);
    }
    tf.dispose([p, y]);
  });
});

describe("gradients", () => {
  test("hand formulas: mse 2(ŷ − y)/n, logitCrossentropy (softmax − y)/batch, logitBCE (σ − y)/n, crossentropy −y/(ŷ+ϵ)/batch", () => {
    const yh = tf.tensor2d([[0.2, -0.5, 1.3], [0.7, 0.1, -0.9]]);
    const y = tf.tensor2d([[0, 1, 0], [1, 0, 0]]);
    const a = values(yh);
    const b = values(y);
    const [gm] = gradient((v: tf.Tensor) => mse(v, y), yh) as tf.Tensor[];
    expectClose(values(gm), a.map((v, i) => (2 * (v - b[i]!)) / 6));
    const [gl] = gradient((v: tf.Tensor) => logitCrossentropy(v, y), yh) as tf.Tensor[];
    const sm = softmaxRows([a.slice(0, 3), a.slice(3)]).flat();
    expectClose(values(gl), sm.map((s, i) => (s - b[i]!) / 2), 1e-5, 1e-7);
    const [gb] = gradient((v: tf.Tensor) => logitBinaryCrossentropy(v, y), yh) as tf.Tensor[];
    expectClose(values(gb), a.map((v, i) => (sigma(v) - b[i]!) / 6), 1e-5, 1e-7);
    const p = tf.tensor2d([[0.2, 0.5, 0.3], [0.6, 0.3, 0.1]]);
    const [gc] = gradient((v: tf.Tensor) => crossentropy(v, y), p) as tf.Tensor[];
    expectClose(values(gc), values(p).map((v, i) => -b[i]! / (v + EPS32) / 2));
    tf.dispose([yh, y, p, gm!, gl!, gb!, gc!]);
  });

  // ŷ chosen away from every kink (hinge at ŷ·y = 1, Huber at |e| = δ, margin − ŷ = 0).
  const cases: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, number[], number[]][] = [
    ["mae", (a, b) => mae(a, b), [0.3, 0.8, 0.1, 0.65], [0.5, 0.2, 0.4, 0.9]],
    ["mse", (a, b) => mse(a, b), [0.3, 0.8, 0.1, 0.65], [0.5, 0.2, 0.4, 0.9]],
    ["msle", (a, b) => msle(a, b), [0.3, 0.8, 0.1, 0.65], [0.5, 0.2, 0.4, 0.9]],
    ["huberLoss", (a, b) => huberLoss(a, b, { delta: 0.3 }), [0.3, 0.8, 0.1, 0.65], [0.5, 0.2, 0.4, 0.9]],
    ["crossentropy", (a, b) => crossentropy(a, b), [0.3, 0.7, 0.45, 0.55], [0, 1, 0.2, 0.8]],
    ["logitCrossentropy", (a, b) => logitCrossentropy(a, b), [0.3, -0.7, 1.2, 0.5], [0, 1, 0.2, 0.8]],
    ["binaryCrossentropy", (a, b) => binaryCrossentropy(a, b), [0.3, 0.8, 0.1, 0.65], [0, 1, 0.2, 0.8]],
    ["logitBinaryCrossentropy", (a, b) => logitBinaryCrossentropy(a, b), [0.3, -0.7, 1.2, 0.5], [0, 1, 0.2, 0.8]],
    ["kldivergence", (a, b) => kldivergence(a, b), [0.3, 0.7, 0.45, 0.55], [0.1, 0.9, 0.2, 0.8]],
    ["poissonLoss", (a, b) => poissonLoss(a, b), [0.3, 0.8, 0.1, 0.65], [0.5, 0.2, 0.4, 0.9]],
    ["hingeLoss", (a, b) => hingeLoss(a, b), [0.3, -0.8, 1.4, 0.65], [1, -1, -1, 1]],
    ["squaredHingeLoss", (a, b) => squaredHingeLoss(a, b), [0.3, -0.8, 1.4, 0.65], [1, -1, -1, 1]],
    ["diceCoeffLoss", (a, b) => diceCoeffLoss(a, b), [0.3, 0.8, 0.1, 0.65], [0.5, 0.2, 0.4, 0.9]],
    ["tverskyLoss", (a, b) => tverskyLoss(a, b), [0.3, 0.8, 0.1, 0.65], [0.5, 0.2, 0.4, 0.9]],
    ["binaryFocalLoss", (a, b) => binaryFocalLoss(a, b), [0.3, 0.8, 0.1, 0.65], [0, 1, 0.2, 0.8]],
    ["focalLoss", (a, b) => focalLoss(a, b), [0.3, 0.7, 0.45, 0.55], [0, 1, 0.2, 0.8]],
    ["siameseContrastiveLoss", (a, b) => siameseContrastiveLoss(a, b), [0.3, 1.8, 0.1, 0.65], [0, 1, 1, 0.5]],
  ];

  test.each(cases)("%s: gradient matches central differences, and no tensors leak", (_name, f, a, b) => {
    const yh = tf.tensor2d(a, [2, 2]);
    const y = tf.tensor2d(b, [2, 2]);
    const [g] = assertNoLeaks(() => gradient((v: tf.Tensor) => f(v, y), yh)) as tf.Tensor[];
    const h = 1e-2;
    const fd = a.map((_, i) => {
      const at = (d: number) => {
        const shifted = a.map((v, j) => (j === i ? v + d : v));
        const t = tf.tensor2d(shifted, [2, 2]);
        const out = value(f(t, y));
        tf.dispose(t);
        return out;
      };
      return (at(h) - at(-h)) / (2 * h);
    });
    expectClose(values(g), fd, 1e-2, 1e-3);
    const out = assertNoLeaks(() => f(yh, y));
    expect(out.shape).toEqual([]);
    expect(out.dtype).toBe("float32");
    tf.dispose([yh, y, g!, out]);
  });

  test("labelSmoothing and agg 'none' leave only their result", () => {
    const y = tf.tensor2d([[0, 1], [1, 0]]);
    tf.dispose(assertNoLeaks(() => labelSmoothing(y, 0.1)));
    tf.dispose(assertNoLeaks(() => crossentropy(y, y, { agg: "none" })));
    tf.dispose(assertNoLeaks(() => kldivergence(y, [[0.5, 0.5], [0.5, 0.5]], { agg: tf.sum })));
    expect(() => assertNoLeaks(() => mse(y, [[1, 2, 3]]), 0)).toThrow("loss function expects");
    tf.dispose(y);
  });

  test("the Hessian of logitCrossentropy for one sample is diag(p) − ppᵀ", () => {
    const x = tf.tensor1d([0.4, -1.1, 2.0]);
    const y = tf.tensor1d([0, 1, 0]);
    const h = assertNoLeaks(() => hessian((v) => logitCrossentropy(v, y), x));
    const p = softmaxRows([[0.4, -1.1, 2.0]])[0]!;
    const expected = p.flatMap((pi, i) => p.map((pj, j) => (i === j ? pi : 0) - pi * pj));
    expectClose(values(h), expected, 1e-4, 1e-6);
    tf.dispose([x, y, h]);
  });
});
