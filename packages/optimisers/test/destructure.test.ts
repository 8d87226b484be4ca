import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { registerFunctor } from "@fluxion/functors";
import { destructure } from "@fluxion/optimisers";
import { expectClose, values } from "./helpers.js";

describe("destructure", () => {
  test("docstring: (x=[1,2], y=(sin, [3])) → [1,2,3]; re([3,5,7]) rebuilds around non-trainables", () => {
    const m = { x: tf.tensor1d([1, 2]), y: [Math.sin, tf.tensor1d([3])] as const };
    const [flat, re] = assertNoLeaks(() => destructure(m), 1);
    expect(values(flat)).toEqual([1, 2, 3]);
    expect(re.length).toBe(3);
    expect(re.toString()).toBe("Restructure(Object, ..., 3)");
    const v = tf.tensor1d([3, 5, 7]);
    const m2 = assertNoLeaks(() => re(v), 2);
    expect(values(m2.x)).toEqual([3, 5]);
    expect(m2.y[0]).toBe(Math.sin);
    expect(values(m2.y[1] as tf.Tensor)).toEqual([7]);
    tf.dispose([m.x, m.y[1], flat, v, m2.x, m2.y[1] as tf.Tensor]);
  });

  test("registered classes: matrices flatten row-major (Julia is column-major) and shapes come back", () => {
    class Layer {
      constructor(public mat: tf.Tensor, public fun: (x: number) => number) {}
    }
    registerFunctor(Layer);
    const model = { lay: new Layer(tf.tensor2d([[1, 2], [3, 4]]), Math.sin), vec: tf.tensor1d([5, 6]) };
    const [flat, re] = destructure(model);
    // Julia gives [1, 3, 2, 4, 5, 6]: column-major. tfjs tensors are row-major.
    expect(values(flat)).toEqual([1, 2, 3, 4, 5, 6]);
    const v = tf.range(0, 6);
    const m2 = re(v);
    expect(m2.lay).toBeInstanceOf(Layer);
    expect(m2.lay.mat.shape).toEqual([2, 2]);
    expect(m2.lay.mat.arraySync()).toEqual([[0, 1], [2, 3]]);
    expect(m2.lay.fun).toBe(Math.sin);
    tf.dispose([model.lay.mat, model.vec, flat, v, m2.lay.mat, m2.vec]);
  });

  test("a tied tensor is stored once and re-tied; equal but distinct tensors are both stored", () => {
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.tensor1d([4, 5, 6]);
    const c = tf.tensor1d([4, 5, 6]);
    const [flat4, re4] = destructure({ x: a, y: b, z: a });
    expect(values(flat4)).toEqual([1, 2, 3, 4, 5, 6]);
    const [flat5] = destructure({ x: a, y: b, z: c });
    expect(values(flat5)).toEqual([1, 2, 3, 4, 5, 6, 4, 5, 6]);
    const m = re4(flat4);
    expect(m.x).toBe(m.z);
    tf.dispose([a, b, c, flat4, flat5, m.x, m.y]);
  });

  test("a bare tensor flattens to a copy and rebuilds to its shape", () => {
    const w = tf.tensor2d([[1, 2], [3, 4]]);
    const [flat, re] = destructure(w);
    expect(values(flat)).toEqual([1, 2, 3, 4]);
    const v = tf.tensor1d([5, 6, 7, 8]);
    const w2 = assertNoLeaks(() => re(v), 1);
    expect(w2.arraySync()).toEqual([[5, 6], [7, 8]]);
    tf.dispose([w, flat, v, w2]);
  });

  test("a vector of the wrong length or rank is a clear error", () => {
    const m = { w: tf.ones([2, 2]) };
    const [flat, re] = destructure(m);
    const short = tf.zeros([3]);
    const mat = tf.zeros([2, 2]);
    expect(() => re(short)).toThrow("Restructure expected a vector of length 4, got 3");
    expect(() => re(mat)).toThrow("Restructure expected a 1-D tensor of length 4, got shape [2,2]");
    const [empty, re0] = destructure({ f: Math.cos });
    expect(empty.shape).toEqual([0]);
    const one = tf.ones([1]);
    expect(() => re0(one)).toThrow("expected a vector of length 0, got 1");
    tf.dispose([m.w, flat, short, mat, empty, one]);
  });

  test("the gradient through re sums over tied appearances: 3·sum(x) + 13·sum(z) with z = x → [16, 16, 0, 0]", () => {
    const x = tf.tensor1d([1, 2]);
    const m = { x, y: tf.tensor1d([3, 4]), z: x };
    const [flat, re] = destructure(m);
    const g = tf.grad((v: tf.Tensor) => {
      const r = re(v);
      return tf.add(tf.mul(3, tf.sum(r.x)), tf.mul(13, tf.sum(r.z)));
    })(flat);
    expect(values(g)).toEqual([16, 16, 0, 0]);
    tf.dispose([x, m.y, flat, g]);
  });

  test("the gradient through destructure reaches the model's tensors", () => {
    const w = tf.tensor2d([[1, 2], [3, 4]]);
    const b = tf.tensor1d([5]);
    const [gw, gb] = tf.grads((w_: tf.Tensor, b_: tf.Tensor) => {
      const [flat] = destructure({ w: w_, b: b_ });
      return tf.sum(tf.mul(flat, tf.tensor1d([1, 2, 3, 4, 5])));
    })([w, b]);
    expect(gw!.arraySync()).toEqual([[1, 2], [3, 4]]);
    expect(values(gb!)).toEqual([5]);
    tf.dispose([w, b, gw!, gb!]);
  });
});

// The seed's model: Chain(Dense(2 => 1, tanh), Dense(1 => 1)), written out by hand (nn comes later).
describe("Hessian of a loss through re(flat) (seed example)", () => {
  type Model = { l1: { weight: tf.Tensor2D; bias: tf.Tensor1D }; l2: { weight: tf.Tensor2D; bias: tf.Tensor1D } };
  let model: Model;
  let xs: tf.Tensor2D; // a batch of 3 inputs, one per row
  beforeAll(() => {
    model = {
      l1: { weight: tf.tensor2d([[0.3, -0.7]]), bias: tf.tensor1d([0.1]) },
      l2: { weight: tf.tensor2d([[1.5]]), bias: tf.tensor1d([-0.2]) },
    };
    xs = tf.tensor2d([[0.5, -1.0], [1.5, 0.25], [-0.8, 0.9]]);
  });
  afterAll(() => tf.dispose([model.l1.weight, model.l1.bias, model.l2.weight, model.l2.bias, xs]));
  const forward = (m: Model) =>
    tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(xs, m.l1.weight, false, true), m.l1.bias)), m.l2.weight, false, true), m.l2.bias);
  const lossOfModel = (m: Model) => tf.sum(tf.square(forward(m)));

  test("destructure gives 5 numbers, and the gradient through re equals the gradient wrt the model", () => {
    const [flat, re] = destructure(model);
    expect(flat.size).toBe(5);
    const viaRe = tf.grad((v: tf.Tensor) => lossOfModel(re(v)))(flat);
    const direct = tf.grads((w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor) =>
      lossOfModel({ l1: { weight: w1 as tf.Tensor2D, bias: b1 as tf.Tensor1D }, l2: { weight: w2 as tf.Tensor2D, bias: b2 as tf.Tensor1D } }),
    )([model.l1.weight, model.l1.bias, model.l2.weight, model.l2.bias]);
    expectClose(viaRe, direct.flatMap((g) => values(g)), 1e-5, 1e-6);
    tf.dispose([flat, viaRe, ...direct]);
  });

  test("the Hessian (by Hessian-vector products) is symmetric and matches finite differences", () => {
    const [flat, re] = destructure(model);
    const n = flat.size;
    const gradAt = (v: tf.Tensor) => tf.grad((u: tf.Tensor) => lossOfModel(re(u)))(v);
    const before = tf.memory().numTensors;
    const H = tf.tidy(() =>
      Array.from({ length: n }, (_, i) => {
        const e = tf.reshape(tf.oneHot(tf.tensor1d([i], "int32"), n), [n]);
        return values(tf.grad((u: tf.Tensor) => tf.sum(tf.mul(gradAt(u), e)))(flat));
      }),
    );
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(Math.abs(H[i]![j]! - H[j]![i]!)).toBeLessThan(1e-4 * (1 + Math.abs(H[i]![j]!)));
    // Central differences of the gradient, column by column (float32: h = 1e-2, loose tolerance).
    const h = 1e-2;
    const base = values(flat);
    for (const j of [0, 2, 4]) {
      const plus = tf.tensor1d(base.map((b, k) => (k === j ? b + h : b)));
      const minus = tf.tensor1d(base.map((b, k) => (k === j ? b - h : b)));
      const [gp, gm] = [gradAt(plus), gradAt(minus)];
      const fd = values(gp).map((g, k) => (g - values(gm)[k]!) / (2 * h));
      fd.forEach((v, i) => expect(Math.abs(v - H[i]![j]!)).toBeLessThan(2e-2 * (1 + Math.abs(v))));
      tf.dispose([plus, minus, gp, gm]);
    }
    // The output layer's bias enters linearly: ∂²L/∂b2² = 2·(batch size) exactly.
    expect(H[4]![4]).toBeCloseTo(6, 4);
    flat.dispose();
  });
});
