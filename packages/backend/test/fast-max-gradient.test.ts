// fluxion's Max gradient (fast-gradients.ts; wasm spreads the maximum by a product with ones)
// against tfjs's stock gradient and hand-derived values, ties and the pooling shape included.
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { valueAndGradients } from "@fluxion/backend/internal";
import { assertNoLeaks } from "@fluxion/backend/testing";

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());

describe("fluxion's Max gradient", () => {
  test("by hand: every tied maximum gets the output's gradient, the rest zero", () => {
    // rows [3, 1, 3] and [-2, -5, -4]; max over axis 1 = [3, -2]; weights 2 and -1.
    const x = tf.tensor2d([3, 1, 3, -2, -5, -4], [2, 3]);
    const w = tf.tensor1d([2, -1]);
    const r = assertNoLeaks(() => valueAndGradients(() => tf.sum(tf.mul(w, tf.max(x, 1))), [x]), 2);
    expect(values(r.grads[0]!).map((v) => v + 0)).toEqual([2, 0, 2, -1, 0, 0]); // + 0: −1·0 is −0
    tf.dispose([x, w, r.value, ...r.grads]);
  });

  const shapes: [string, number[], number[], boolean][] = [
    ["2x2 max-pool view [2,3,2,3,2,4], axes [2, 4]", [2, 3, 2, 3, 2, 4], [2, 4], false],
    ["axes [0, 2] of [3, 4, 5], keepDims", [3, 4, 5], [0, 2], true],
    ["the last axis of [6, 7]", [6, 7], [1], false],
    ["axes [2, 0] (unsorted) of [4, 3, 2]", [4, 3, 2], [2, 0], false],
  ];
  for (const [name, shape, axes, keepDims] of shapes) {
    test(`${name}: equal to tfjs's stock gradient`, () => {
      const n = shape.reduce((a, b) => a * b, 1);
      // Rounded values so that windows hold ties.
      const x = tf.tensor(Array.from({ length: n }, (_, i) => Math.round(4 * Math.sin(i * 1.7))), shape);
      const outShape = tf.max(x, axes, keepDims).shape;
      const w = tf.tensor(Array.from({ length: outShape.reduce((a, b) => a * b, 1) }, (_, i) => 1 + (i % 5)), outShape);
      const loss = (v: tf.Tensor) => tf.sum(tf.mul(w, tf.max(v, axes, keepDims)));
      const ours = assertNoLeaks(() => valueAndGradients(() => loss(x), [x]), 2);
      const stock = tf.grad(loss)(x);
      expect(values(ours.grads[0]!)).toEqual(values(stock));
      expect(values(stock).some((v) => v === 0)).toBe(true);
      tf.dispose([x, w, stock, ours.value, ...ours.grads]);
    });
  }
});
