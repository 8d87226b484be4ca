// ctcLoss against Flux's test/ctc.jl values (its classes × time matrices transposed to time ×
// classes, its 1-based labels made 0-based) and finite differences.
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { ctcLoss } from "../src/losses/ctc.js";
import { gradient, withGradient } from "../src/autodiff/gradient.js";
import { Rng } from "../src/functions/rng.js";
import { expectClose, values } from "./helpers.js";

const T = (rows: number[][]) => tf.transpose(tf.tensor2d(rows));
const grad = (x: tf.Tensor, y: number[]) => gradient((t: tf.Tensor) => ctcLoss(t, y), x)[0] as tf.Tensor;

describe("ctcLoss", () => {
  test("Flux's hand-calculated values: loss and gradient", () => {
    const x = T([[1, 2, 3], [2, 1, 1], [3, 3, 2]]);
    expectClose(assertNoLeaks(() => ctcLoss(x, [0, 1])), 3.6990738275138035, 1e-6);
    const g = assertNoLeaks(() => grad(x, [0, 1]));
    expectClose(tf.transpose(g), [-0.317671, -0.427729, 0.665241, 0.244728, -0.0196172, -0.829811, 0.0729422, 0.447346, 0.16457], 1e-5, 1e-5);

    const x2 = T([[-3, 12, 8, 15], [4, 20, -2, 20], [8, -33, 6, 5]]);
    expectClose(ctcLoss(x2, [0, 1]), 8.02519869363453, 1e-6);
    const g2 = [
      -2.29294774655333e-6, -0.999662657278862, 1.75500863563993e-6, 0.00669284889063, 0.017985914969696, 0.999662657278861, -1.9907078755387e-6,
      -0.006693150917307, -0.01798362202195, -2.52019580677916e-20, 2.35699239251042e-7, 3.02026677058789e-7,
    ];
    expectClose(tf.transpose(grad(x2, [0, 1])), g2, 1e-5, 1e-5);
  });

  test("the gradient matches finite differences (Flux's ctc_ngradient test, with repeated labels)", () => {
    const rng = new Rng(3);
    const [steps, classes] = [12, 5];
    const data = Array.from(rng.floats(steps * classes), (v) => 2 * v);
    const y = [0, 0, 2, 1, 3, 3];
    const x = tf.tensor2d(data, [steps, classes]);
    const g = values(grad(x, y));
    const h = 1e-2;
    const at = (i: number, d: number) => tf.tidy(() => ctcLoss(tf.tensor2d(data.map((v, j) => (j === i ? v + d : v)), [steps, classes]), y).dataSync()[0]!);
    expectClose(g, data.map((_, i) => (at(i, h) - at(i, -h)) / (2 * h)), 1e-2, 2e-3);
  });

  test("a batch [batch, time, classes] takes one label list per sequence and aggregates", () => {
    const a = [[1, 2, 3], [2, 1, 1], [3, 3, 2]];
    const b = [[-3, 4, 8], [12, 20, -33], [8, -2, 6]];
    const xb = tf.stack([T(a), tf.tensor2d(b)]);
    const single = [ctcLoss(T(a), [0, 1]).dataSync()[0]!, ctcLoss(tf.tensor2d(b), [1]).dataSync()[0]!];
    expectClose(assertNoLeaks(() => ctcLoss(xb, [[0, 1], [1]], { agg: "none" })), single, 1e-6);
    expectClose(ctcLoss(xb, [[0, 1], [1]]), (single[0]! + single[1]!) / 2, 1e-6);
    const { grad: gb } = withGradient((t: tf.Tensor) => ctcLoss(t, [[0, 1], [1]], { agg: "sum" }), xb);
    expectClose(tf.slice(gb[0] as tf.Tensor, [0, 0, 0], [1, 3, 3]), grad(T(a), [0, 1]), 1e-5, 1e-6);
  });

  test("empty labels: −Σ log p(blank); labels that cannot fit give Inf, as in Flux", () => {
    const x = tf.tensor2d([[0, 1], [2, 0]]);
    const logBlank = [1 - Math.log(1 + Math.E), 0 - Math.log(1 + Math.exp(2))];
    expectClose(ctcLoss(x, []), -(logBlank[0]! + logBlank[1]!), 1e-6);
    expect(values(ctcLoss(tf.zeros([2, 3]), [0, 0]))).toEqual([Infinity]);
  });

  test("errors name the argument", () => {
    expect(() => ctcLoss(tf.zeros([3]), [0])).toThrow("ctcLoss: ŷ must be [time, classes] or [batch, time, classes] with no empty axis, got shape [3]");
    expect(() => ctcLoss(tf.zeros([3, 3]), [2])).toThrow("ctcLoss: labels must be integers in [0, 1] (0-based; the last class, 2, is the blank), got 2");
    expect(() => ctcLoss(tf.zeros([2, 3, 3]), [[0]])).toThrow("ctcLoss: y must be an array of 2 label arrays (one per sequence), got an array of length 1");
  });
});
