// Edges of the tree walks nn runs through @fluxion/functors: the gradient tree, loadModel's
// two-tree walk and Stateful's state helpers.
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { Chain, Dense, dispose, gradient, loadModel, type GradTree } from "../src/index.js";
import { RNNCell } from "../src/layers/recurrent/cells.js";
import { Stateful } from "../src/layers/recurrent/stateful.js";

const values = (t: GradTree | unknown): number[] => Array.from((t as tf.Tensor).dataSync());

describe("the gradient tree", () => {
  test("a layer reached twice gets one gradient subtree, the same object at both places", () => {
    const d = new Dense(tf.tensor2d([[2]]), tf.tensor1d([1]));
    const x = tf.tensor2d([[3]]);
    const [g] = assertNoLeaks(() => gradient((m: Chain) => tf.sum(m.apply(x)), new Chain(d, d)));
    const [a, b] = (g as { layers: Record<string, GradTree>[] }).layers;
    expect(a).toBe(b);
    // y = w(w·x + b) + b: dy/dw = 2w·x + b = 13, dy/db = w + 1 = 3.
    expect(values(a!.weight)).toEqual([13]);
    expect(values(a!.bias)).toEqual([3]);
    tf.dispose([x, a!.weight as tf.Tensor, a!.bias as tf.Tensor]);
    dispose(d);
  });

  test("Maps keep their keys; an entry, and a Map, with no gradient collapse to null", () => {
    const w = tf.tensor1d([1, 2]);
    const tree = new Map<string, unknown>([["w", w], ["n", 3], ["sub", new Map([["k", tf.tensor1d([5])]])]]);
    const [g] = assertNoLeaks(() => gradient((t: Map<string, unknown>) => tf.sum(tf.square(t.get("w") as tf.Tensor)), tree));
    const gm = g as Map<string, GradTree>;
    expect([...gm.keys()]).toEqual(["w", "n", "sub"]);
    expect(values(gm.get("w"))).toEqual([2, 4]);
    expect(gm.get("n")).toBeNull();
    expect(gm.get("sub")).toBeNull();
    const [none] = gradient((t: Map<string, unknown>) => tf.scalar(t.size), new Map([["n", 1]]));
    expect(none).toBeNull();
    tf.dispose([w, (tree.get("sub") as Map<string, tf.Tensor>).get("k")!, gm.get("w") as tf.Tensor]);
  });
});

describe("loadModel's walk", () => {
  test("a shared layer in dst is walked at each place and tie-checked", () => {
    const d = new Dense(tf.variable(tf.zeros([1, 1])), tf.variable(tf.zeros([1])));
    const w = tf.tensor2d([[4]]);
    const b = tf.tensor1d([5]);
    loadModel(new Chain(d, d), { layers: [{ weight: w, bias: b, sigma: [] }, { weight: w, bias: b, sigma: [] }] });
    expect(values(d.weight)).toEqual([4]);
    expect(values(d.bias)).toEqual([5]);
    const other = tf.tensor1d([6]);
    expect(() => loadModel(new Chain(d, d), { layers: [{ weight: w, bias: b, sigma: [] }, { weight: w, bias: other, sigma: [] }] })).toThrow(
      "loadModel at layers.1.bias: Encountered tied destination parameters with untied and mismatched sources.",
    );
    tf.dispose([w, b, other]);
    dispose(d);
  });
});

describe("Stateful's state", () => {
  test("a tensor or nested non-empty arrays of tensors; anything else is refused", () => {
    const cell = new RNNCell([2, 3]);
    const h = tf.zeros([3]);
    const bad: unknown[] = [[], [h, 1], [[]], { h }, null, [h, [h, []]]];
    for (const s of bad) expect(() => new Stateful(cell, s)).toThrow("Stateful: the initial state must be a tensor or an array of tensors");
    const nested = assertNoLeaks(() => new Stateful(cell, [h, [h]]), 4);
    // Copies, which the wrapper owns: freeing the original leaves its state intact.
    expect(nested.state0[0]).not.toBe(h);
    tf.dispose(h);
    expect(values(nested.state0[1][0])).toEqual([0, 0, 0]);
    dispose(nested);
    dispose(cell);
  });
});
