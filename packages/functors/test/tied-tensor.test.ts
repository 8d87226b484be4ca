// A model with a tied weight (the SAME tensor in two layers) keeps its tie through fmap, and fmap
// makes exactly one new tensor per distinct tensor leaf.
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks, liveTensors } from "@fluxion/backend/testing";
import { fcollect, fleaves, fmap, fmapStructure, isLeaf, registerFunctor } from "../src/index.js";

class Dense {
  constructor(
    public weight: tf.Tensor,
    public bias: tf.Tensor,
  ) {}
}
registerFunctor(Dense);

let baseline: number;
let w: tf.Tensor2D;
let b1: tf.Tensor1D;
let b2: tf.Tensor1D;
let d1: Dense;
let d2: Dense;
let model: { layers: Dense[] };

// Tensors are made after the jest set-up has selected the cpu backend.
beforeAll(() => {
  baseline = liveTensors();
  w = tf.tensor2d([
    [1, 2],
    [3, 4],
  ]);
  b1 = tf.tensor1d([0.5, -1]);
  b2 = tf.tensor1d([2, 3]);
  d1 = new Dense(w, b1);
  d2 = new Dense(w, b2); // d2.weight === d1.weight: a tied weight
  model = { layers: [d1, d2] };
});

/** Every tensor a test made, disposed at the end. */
const made: tf.Tensor[] = [];

const double = (t: tf.Tensor): tf.Tensor => tf.mul(t, 2);

afterAll(() => {
  tf.dispose(made);
  tf.dispose([w, b1, b2]);
  expect(liveTensors()).toBe(baseline);
});

describe("tied tensors", () => {
  test("tensors are leaves", () => {
    expect(isLeaf(w)).toBe(true);
  });

  test("fmap doubles each distinct tensor once and keeps the tie", () => {
    let calls = 0;
    // 3 distinct tensors (w, b1, b2) -> exactly 3 new live tensors.
    const out: any = assertNoLeaks(
      () =>
        fmap((t: tf.Tensor) => {
          calls += 1;
          return double(t);
        }, model),
      3,
    );
    made.push(out.layers[0].weight, out.layers[0].bias, out.layers[1].bias);
    expect(calls).toBe(3);
    expect(out.layers[0]).toBeInstanceOf(Dense);
    expect(out.layers[1]).toBeInstanceOf(Dense);
    expect(out.layers[0].weight).toBe(out.layers[1].weight);
    expect(out.layers[0].weight).not.toBe(w);
    expect(out.layers[0].weight.arraySync()).toEqual([
      [2, 4],
      [6, 8],
    ]);
    expect(out.layers[0].bias.arraySync()).toEqual([1, -2]);
    expect(out.layers[1].bias.arraySync()).toEqual([4, 6]);
    // The input model is untouched.
    expect(w.isDisposed).toBe(false);
    expect(w.arraySync()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(model.layers[0]).toBe(d1);
    expect(d1.weight).toBe(w);
  });

  test("with an explicit exclude on tf.Tensor the result is the same", () => {
    const out: any = assertNoLeaks(() => fmap({ exclude: (x) => x instanceof tf.Tensor }, double, model), 3);
    made.push(out.layers[0].weight, out.layers[0].bias, out.layers[1].bias);
    expect(out.layers[0].weight).toBe(out.layers[1].weight);
    expect(out.layers[1].weight.arraySync()).toEqual([
      [2, 4],
      [6, 8],
    ]);
  });

  test("cache: null breaks the tie: 4 new tensors", () => {
    const out: any = assertNoLeaks(() => fmap({ cache: null }, double, model), 4);
    made.push(out.layers[0].weight, out.layers[1].weight, out.layers[0].bias, out.layers[1].bias);
    expect(out.layers[0].weight).not.toBe(out.layers[1].weight);
    expect(out.layers[0].weight.arraySync()).toEqual(out.layers[1].weight.arraySync());
  });

  test("fmapStructure keeps the tie in its plain-object result", () => {
    const out: any = assertNoLeaks(() => fmapStructure(double, model), 3);
    made.push(out.layers[0].weight, out.layers[0].bias, out.layers[1].bias);
    expect(out.layers[0]).not.toBeInstanceOf(Dense);
    expect(Object.keys(out.layers[0])).toEqual(["weight", "bias"]);
    expect(out.layers[0].weight).toBe(out.layers[1].weight);
  });

  test("fcollect lists the tied weight once, fleaves twice", () => {
    const nodes = fcollect(model);
    expect(nodes.filter((n) => n === w)).toHaveLength(1);
    expect(nodes.filter((n) => n instanceof tf.Tensor)).toHaveLength(3);
    const leaves = fleaves(model);
    expect(leaves).toHaveLength(4);
    expect(leaves[0]).toBe(w);
    expect(leaves[1]).toBe(b1);
    expect(leaves[2]).toBe(w);
    expect(leaves[3]).toBe(b2);
  });

  test("multi-tree fmap pairs a model with a gradient tree (plain objects where the model has Dense)", () => {
    const g = { layers: [{ weight: tf.onesLike(w), bias: tf.onesLike(b1) }, { weight: tf.onesLike(w), bias: tf.onesLike(b2) }] };
    made.push(g.layers[0]!.weight, g.layers[0]!.bias, g.layers[1]!.weight, g.layers[1]!.bias);
    // The cache is keyed on the model's nodes: w is updated once, with the first gradient.
    const out: any = assertNoLeaks(() => fmap((p: tf.Tensor, dp: tf.Tensor) => tf.sub(p, dp), model, g), 3);
    made.push(out.layers[0].weight, out.layers[0].bias, out.layers[1].bias);
    expect(out.layers[1]).toBeInstanceOf(Dense);
    expect(out.layers[0].weight).toBe(out.layers[1].weight);
    expect(out.layers[0].weight.arraySync()).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(out.layers[1].bias.arraySync()).toEqual([1, 2]);
  });
});
