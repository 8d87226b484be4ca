// WeightNorm against Flux 0.16's definition (w = g·v/√(Σv² + ε), g starting at ‖v‖), finite
// differences for its gradients, Flux's printing, and state / loadModel.
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { Chain } from "../src/layers/basic/chain.js";
import { Dense } from "../src/layers/basic/dense.js";
import { Conv } from "../src/layers/conv/conv.js";
import { WeightNorm, removeWeightNorms } from "../src/layers/normalise/weight-norm.js";
import { withGradient } from "../src/autodiff/gradient.js";
import { loadModel, state } from "../src/files/state.js";
import { EPS32 } from "../src/losses/loss-utils.js";
import { expectClose, fdClose, finiteDiff, values, wave } from "./helpers.js";

const dense = () => new Dense(tf.tensor2d(wave(6), [2, 3]), tf.tensor1d([0.1, -0.2, 0.3]), tf.tanh);

describe("WeightNorm", () => {
  test("computes what the wrapped layer computes, with g = ‖v‖ per output unit (Flux's dims = -1)", () => {
    const d = dense();
    const wn = new WeightNorm(d);
    const x = tf.tensor2d(wave(8, 2), [4, 2]);
    expectClose(assertNoLeaks(() => wn.apply(x)), d.apply(x), 1e-5, 1e-6);
    // Our [in, out] weight is Flux's [out, in]: its last dim (in) is our axis 0, one norm per output.
    const w = wave(6);
    const norms = [0, 1, 2].map((j) => Math.sqrt(w[j]! ** 2 + w[j + 3]! ** 2 + EPS32));
    expect(wn.g.shape).toEqual([1, 3]);
    expectClose(wn.g, norms, 1e-6);
    expect(wn.layer.weight).toBe(d.weight); // v is the layer's own weight
  });

  test("dims: a conv kernel is normed over its last axis by default (Flux's 3×1×1 g), or as asked", () => {
    expect(new WeightNorm(new Conv([3], [1, 2])).g.shape).toEqual([3, 1, 1]);
    expect(new WeightNorm(new Conv([3], [1, 2]), "weight", { dims: [0, 1] }).g.shape).toEqual([1, 1, 2]);
    expect(new WeightNorm(dense(), "weight", { dims: "all" }).g.shape).toEqual([1, 1]);
    expect(new WeightNorm(dense(), "bias").g.shape).toEqual([1]);
  });

  test("gradients with respect to g and v match finite differences", () => {
    const wn = new WeightNorm(dense());
    tf.tidy(() => wn.g.assign(tf.tensor2d([[0.5, 1.5, -2]])));
    const x = tf.tensor2d(wave(8, 3), [4, 2]);
    const loss = () => tf.sum(tf.square(wn.apply(x) as tf.Tensor));
    const { grad } = withGradient((m: WeightNorm) => tf.sum(tf.square(m.apply(x) as tf.Tensor)), wn);
    const g = grad[0] as { g: tf.Tensor; layer: { weight: tf.Tensor; bias: tf.Tensor } };
    fdClose(values(g.g), finiteDiff(loss, wn.g));
    fdClose(values(g.layer.weight), finiteDiff(loss, wn.layer.weight));
    fdClose(values(g.layer.bias), finiteDiff(loss, wn.layer.bias));
  });

  test("prints like Flux (its fields, then the one-line form)", () => {
    const wn = new WeightNorm(new Conv([3], [1, 2]));
    expect(wn.toString()).toBe(
      ["WeightNorm(", "  Conv((3,), 1 => 2),                   # 8 parameters", "  3×1×1 Variable{float32},              # 3 parameters", '  "weight",', "  2,", ")                   # Total: 3 arrays, 11 parameters, 44 bytes."].join("\n"),
    );
    expect(wn.repr()).toBe("WeightNorm(Conv((3,), 1 => 2), :weight; dims=2)");
  });

  test("state and loadModel carry g and v; removeWeightNorms bakes w = g·v/‖v‖ into a plain layer", () => {
    const a = new WeightNorm(dense());
    tf.tidy(() => a.g.assign(tf.tensor2d([[2, 3, 4]])));
    const b = new WeightNorm(new Dense([2, 3], tf.tanh));
    const s = state(a);
    expect(Object.keys(s)).toEqual(["layer", "g", "which", "dims"]);
    loadModel(b, s);
    const x = tf.tensor2d(wave(4, 5), [2, 2]);
    expectClose(b.apply(x), a.apply(x));
    const plain = removeWeightNorms(new Chain(a)) as Chain;
    expect(plain.layers).toHaveLength(1);
    expect((plain.layers as unknown[])[0]).toBeInstanceOf(Dense);
    expectClose(plain.apply(x), a.apply(x), 1e-5, 1e-6);
    expectClose((plain.layers as Dense[])[0]!.weight, a.weight());
  });

  test("errors as Flux's: a missing field, an all-zero weight, bad dims", () => {
    expect(() => new WeightNorm(dense(), "kernel")).toThrow('WeightNorm: Dense does not have field "kernel"');
    expect(() => new WeightNorm(new Dense([2, 3], undefined, { init: (s) => tf.zeros([...s]) }))).toThrow('WeightNorm: the field "weight" of Dense is all zero, which would give NaN');
    expect(() => new WeightNorm(dense(), "weight", { dims: 2 })).toThrow('WeightNorm: dims must be "all" or axes of the weight (rank 2), got 2');
    expect(() => new WeightNorm(new WeightNorm(dense()))).toThrow("is already weight-normalised");
  });
});
