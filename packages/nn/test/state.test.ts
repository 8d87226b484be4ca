import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { NO_STATE } from "@fluxion/optimisers";
import { relu, tanh } from "../src/functions/activations.js";
import { Chain } from "../src/layers/basic/chain.js";
import { layer } from "../src/core/declare.js";
import { Dense } from "../src/layers/basic/dense.js";
import { dispose } from "../src/core/dispose.js";
import { ones32 } from "../src/functions/init.js";
import { Layer } from "../src/core/layer.js";
import { param } from "../src/core/params.js";
import { Rng } from "../src/functions/rng.js";
import { loadModel, state } from "../src/files/state.js";

const values = (t: unknown): number[] => Array.from((t as tf.Tensor).dataSync() as ArrayLike<number>, Number);

// Ad-hoc layers with Flux's field layouts (BatchNorm's and Dropout's), built only for these tests.
class Norm extends Layer {
  lambda = tanh;
  beta = param(() => tf.zeros([1]));
  gamma = param(() => tf.ones([1]));
  mu = param(() => tf.zeros([1]), false);
  sigma2 = param(() => tf.ones([1]), false);
  epsilon = 1e-5;
  momentum = 0.1;
  affine = true;
  trackStats = true;
  active: boolean | null = null;
  chs = 1;
  apply(x: tf.Tensor): tf.Tensor {
    return tf.clone(x);
  }
  repr(): string {
    return "Norm(1)";
  }
}
layer(Norm, {
  fields: ["lambda", "beta", "gamma", "mu", "sigma2", "epsilon", "momentum", "affine", "trackStats", "active", "chs"],
  trainable: ["beta", "gamma"],
});

class Drop extends Layer {
  dims = new (class Colon {})();
  rng = new Rng(1);
  constructor(
    public p: number,
    public active: boolean | null = null,
  ) {
    super();
  }
  apply(x: tf.Tensor): tf.Tensor {
    return tf.clone(x);
  }
  repr(): string {
    return `Drop(${this.p})`;
  }
}
layer(Drop, { fields: ["p", "dims", "active", "rng"] });

const flux = () => new Chain(new Dense([1, 2], tanh, { init: ones32 }), new Dense([2, 1], undefined, { init: ones32 }));

describe("state", () => {
  test("Flux's docstring example: Chain(Dense(1 => 2, tanh; init=ones), Dense(2 => 1; init=ones))", () => {
    const m = flux();
    const s = assertNoLeaks(() => state(m), 0);
    expect(Object.keys(s)).toEqual(["layers"]);
    expect(Array.isArray(s.layers)).toBe(true);
    expect(s.layers.map((l: object) => Object.keys(l))).toEqual([
      ["weight", "bias", "sigma"],
      ["weight", "bias", "sigma"],
    ]);
    const [d1, d2] = m.layers as Dense[];
    // The same tensors, not copies.
    expect(s.layers[0].weight).toBe(d1!.weight);
    expect(s.layers[1].bias).toBe(d2!.bias);
    expect(s.layers[0].sigma).toBe(NO_STATE);
    expect(s.layers[1].sigma).toEqual([]);
    // Our weights are [in, out]: Flux's 2×1 [1.0; 1.0;;] is our [1, 2].
    expect([s.layers[0].weight.shape, values(s.layers[0].weight)]).toEqual([[1, 2], [1, 1]]);
    expect([s.layers[0].bias.shape, values(s.layers[0].bias)]).toEqual([[2], [0, 0]]);
    expect([s.layers[1].weight.shape, values(s.layers[1].weight)]).toEqual([[2, 1], [1, 1]]);
    expect(values(s.layers[1].bias)).toEqual([0]);
    expect(Object.getPrototypeOf(s.layers[0])).toBe(Object.prototype);
    dispose(m);
  });

  test("BatchNorm's layout: running statistics and hyper-parameters are kept, λ becomes ()", () => {
    const n = new Norm();
    const s = state(n);
    expect(Object.keys(s)).toEqual(["lambda", "beta", "gamma", "mu", "sigma2", "epsilon", "momentum", "affine", "trackStats", "active", "chs"]);
    expect(s).toEqual({ lambda: [], beta: n.beta, gamma: n.gamma, mu: n.mu, sigma2: n.sigma2, epsilon: 1e-5, momentum: 0.1, affine: true, trackStats: true, active: null, chs: 1 });
    expect(s.mu).toBe(n.mu);
    expect(s.sigma2).toBe(n.sigma2);
    dispose(n);
  });

  test("Dropout's layout: p and active are kept, dims and rng become ()", () => {
    expect(state(new Drop(0.2, true))).toEqual({ p: 0.2, dims: [], active: true, rng: [] });
  });

  test("Maps and plain data", () => {
    expect(state(new Map<string, unknown>([["a", 1], ["b", Math.tanh]]))).toEqual(new Map<string, unknown>([["a", 1], ["b", []]]));
    const t = tf.tensor1d([1, 2]);
    const plain = { a: 1, b: "two", c: [3, t, [4, null]], d: new Map([["k", false]]), e: null, f: { g: 5n } };
    const s = state(plain);
    expect(s).toEqual(plain);
    expect(s.c[1]).toBe(t);
    t.dispose();
  });

  test("a shared layer is one object in the state", () => {
    const d = new Dense([2, 2]);
    const s = state(new Chain(d, d));
    expect(s.layers[0]).toBe(s.layers[1]);
    dispose(d);
  });
});

describe("loadModel", () => {
  test("Flux's state docstring example: load state(m1) into a random m2 with bias=false", () => {
    const m1 = flux();
    const m2 = new Chain(new Dense([1, 2], tanh), new Dense([2, 1], undefined, { bias: false }));
    const out = assertNoLeaks(() => loadModel(m2, state(m1)), 0);
    expect(out).toBe(m2);
    const [a, b] = m2.layers as Dense[];
    expect(values(a!.weight)).toEqual([1, 1]);
    expect(values(a!.bias)).toEqual([0, 0]);
    expect(values(b!.weight)).toEqual([1, 1]);
    expect(b!.bias).toBe(false); // a false destination ignores its source
    // Loaded by value: the Variables are still m2's own.
    expect(a!.weight).not.toBe((m1.at(0) as Dense).weight);
    dispose(m1);
    dispose(m2);
  });

  test("Flux's loadmodel! docstring example: model to model; a false source zero-fills", () => {
    const dst = new Chain(new Dense(tf.ones([5, 2]), tf.ones([2]), tanh), new Dense([2, 1], undefined, { bias: tf.tensor1d([1]) }));
    const src = new Chain(new Dense([5, 2], relu), new Dense([2, 1], undefined, { bias: false }));
    loadModel(dst, src);
    const [d1, d2] = dst.layers as Dense[];
    const [s1, s2] = src.layers as Dense[];
    expect(values(d1!.weight)).toEqual(values(s1!.weight));
    expect(values(d1!.weight).every((v) => v === 1)).toBe(false);
    expect(values(d2!.weight)).toEqual(values(s2!.weight));
    expect(values(d2!.bias)).toEqual([0]);
    expect(d1!.sigma).toBe(tanh); // activations are not copied
    dispose(dst);
    dispose(src);
  });

  test("BatchNorm's running statistics load too", () => {
    const a = new Norm();
    const b = new Norm();
    tf.tidy(() => {
      a.mu.assign(tf.tensor1d([0.25]));
      a.sigma2.assign(tf.tensor1d([3]));
      a.gamma.assign(tf.tensor1d([-2]));
    });
    a.momentum = 0.5;
    loadModel(b, state(a));
    expect([values(b.mu), values(b.sigma2), values(b.gamma)]).toEqual([[0.25], [3], [-2]]);
    expect(b.momentum).toBe(0.1); // numbers are not copied (Flux: non-array leaves are ignored)
    dispose(a);
    dispose(b);
  });

  test("structure mismatches name both key lists", () => {
    const two = new Chain(new Dense([2, 2]), new Dense([2, 2]));
    const one = new Chain(new Dense([2, 2]));
    expect(() => loadModel(one, two)).toThrow("loadModel at layers: Tried to load [0, 1] into [0] but the structures do not match.");
    expect(() => loadModel(one.at(0), { weight: (two.at(0) as Dense).weight })).toThrow(
      `loadModel: Tried to load ["weight"] into ["weight", "bias", "sigma"] but the structures do not match.`,
    );
    expect(() => loadModel(one, { layers: [NO_STATE] })).toThrow(`loadModel at layers.0: Tried to load [] into ["weight", "bias", "sigma"] but the structures do not match.`);
    dispose(two);
    dispose(one);
  });

  test("keys may come in any order; a Map source matches Map keys", () => {
    const d = new Dense([1, 1]);
    const w = tf.tensor2d([[7]]);
    loadModel(d, { sigma: [], bias: false, weight: w });
    expect([values(d.weight), values(d.bias)]).toEqual([[7], [0]]);
    const m = new Map<string, unknown>([["w", tf.variable(tf.zeros([2]))], ["f", Math.sin]]);
    const v = tf.tensor1d([1, 2]);
    loadModel(m, new Map<string, unknown>([["f", 3], ["w", v]]));
    expect(values(m.get("w"))).toEqual([1, 2]);
    expect(() => loadModel(m, new Map([["w", v]]))).toThrow(`Tried to load ["w"] into ["w", "f"] but the structures do not match.`);
    tf.dispose([w, v, m.get("w") as tf.Tensor]);
    dispose(d);
  });

  test("leaf rules: sizes, booleans, non-tensors", () => {
    const d = new Dense([2, 3]);
    const e = new Dense([3, 2]);
    expect(() => loadModel(d, e)).toThrow("loadModel at weight: Tried to load size [3, 2] array into size [2, 3]");
    const w = d.weight;
    expect(() => loadModel(d, { weight: true, bias: false, sigma: [] })).toThrow("loadModel at weight: Cannot copy boolean parameter == true to non-zero parameter.");
    expect(() => loadModel(d, { weight: 3, bias: false, sigma: [] })).toThrow("loadModel at weight: Tried to copy the number 3 into an array destination; this is not allowed.");
    expect(() => loadModel(d, { weight: [], bias: false, sigma: [] })).toThrow("Tried to copy an array of length 0 into an array destination; this is not allowed.");
    expect(() => loadModel(d, { weight: w, bias: false, sigma: w })).toThrow("loadModel at sigma: Tried to copy an array to a function (identity); this is not allowed.");
    const t = tf.ones([2]);
    expect(() => loadModel({ b: true }, { b: t })).toThrow("loadModel at b: Cannot copy non-zero parameter to boolean parameter == true.");
    // false ignores even a non-zero source; two non-tensors are ignored.
    expect(loadModel({ b: false, f: Math.sin, p: 0.5 }, { b: t, f: "x", p: 2 })).toEqual({ b: false, f: Math.sin, p: 0.5 });
    t.dispose();
    dispose(d);
    dispose(e);
  });

  test("a failing load writes nothing (checks run before any write)", () => {
    const src = new Chain(new Dense([2, 2]), new Dense([2, 2]), new Dense([3, 2]));
    const dst = new Chain(new Dense([2, 2]), new Dense([2, 2]), new Dense([2, 2]));
    const before = (dst.layers as Dense[]).map((l) => [values(l.weight), values(l.bias)]);
    expect(() => assertNoLeaks(() => loadModel(dst, src), 0)).toThrow("loadModel at layers.2.weight: Tried to load size [3, 2] array into size [2, 2]");
    expect((dst.layers as Dense[]).map((l) => [values(l.weight), values(l.bias)])).toEqual(before);
    dispose(src);
    dispose(dst);
  });

  test("tied destinations need equal sources", () => {
    const d = new Dense([2, 2]);
    const tied = new Chain(d, d);
    const a = new Dense([2, 2]);
    const b = new Dense([2, 2]);
    const before = values(d.weight);
    expect(() => loadModel(tied, new Chain(a, b))).toThrow("loadModel at layers.1.weight: Encountered tied destination parameters with untied and mismatched sources.");
    expect(values(d.weight)).toEqual(before);
    // Equal values (not the same object) are fine; so is a tied source.
    const w = tf.clone(a.weight);
    const bias = tf.clone(a.bias as tf.Tensor);
    loadModel(tied, { layers: [{ weight: a.weight, bias: a.bias, sigma: [] }, { weight: w, bias, sigma: [] }] });
    expect(values(d.weight)).toEqual(values(a.weight));
    loadModel(tied, new Chain(b, b));
    expect(values(d.weight)).toEqual(values(b.weight));
    // A tied Variable zero-filled by a false source takes only zeros or false elsewhere.
    const z = tf.zeros([2]);
    const one = tf.ones([2]);
    loadModel(tied, { layers: [{ weight: a.weight, bias: false, sigma: [] }, { weight: a.weight, bias: z, sigma: [] }] });
    expect(values(d.bias)).toEqual([0, 0]);
    expect(() => loadModel(tied, { layers: [{ weight: a.weight, bias: false, sigma: [] }, { weight: a.weight, bias: one, sigma: [] }] })).toThrow(
      "Encountered tied destination parameters with untied and mismatched sources.",
    );
    expect(() => loadModel(tied, { layers: [{ weight: a.weight, bias: one, sigma: [] }, { weight: a.weight, bias: false, sigma: [] }] })).toThrow(
      "loadModel at layers.1.bias: Encountered tied parameter with boolean source at some nodes and non-boolean sources at others.",
    );
    // An untied destination takes tied sources.
    const untied = new Chain(new Dense([2, 2]), new Dense([2, 2]));
    loadModel(untied, tied);
    for (const l of untied.layers as Dense[]) expect(values(l.weight)).toEqual(values(d.weight));
    // … but a zero source and false agree.
    loadModel(tied, { layers: [{ weight: a.weight, bias: z, sigma: [] }, { weight: a.weight, bias: false, sigma: [] }] });
    tf.dispose([w, bias, z, one]);
    for (const x of [d, a, b, untied]) dispose(x);
  });

  test("only Variables can be loaded into; a tensor loaded into itself is fine", () => {
    const t = tf.ones([2]);
    const u = tf.zeros([2]);
    expect(() => loadModel({ t }, { t: u })).toThrow("loadModel at t: the destination is a plain tf.Tensor, which cannot be overwritten; loadModel loads into tf.Variable parameters only");
    expect(loadModel({ t }, { t })).toEqual({ t });
    const d = new Dense([2, 2]);
    const before = values(d.weight);
    loadModel(d, d);
    expect(values(d.weight)).toEqual(before);
    tf.dispose([t, u]);
    dispose(d);
  });

  test("dtypes are cast to the destination's; a bare Variable loads too", () => {
    const v = tf.variable(tf.zeros([3]));
    const i = tf.tensor1d([1, -2, 3], "int32");
    loadModel({ v }, { v: i });
    expect(v.dtype).toBe("float32");
    expect(values(v)).toEqual([1, -2, 3]);
    expect(loadModel(v, false)).toBe(v);
    expect(values(v)).toEqual([0, 0, 0]);
    const four = tf.ones([4]);
    expect(() => loadModel(v, four)).toThrow("loadModel: Tried to load size [4] array into size [3]");
    tf.dispose([v, i, four]);
  });

  test("filter skips children, e.g. an extra Dropout", () => {
    const dst = new Chain(new Dense([2, 2]), new Drop(0.5), new Dense([2, 1]));
    const src = new Chain(new Dense([2, 2]), new Dense([2, 1]));
    expect(() => loadModel(dst, src)).toThrow("Tried to load [0, 1] into [0, 1, 2] but the structures do not match.");
    loadModel(dst, src, { filter: (x) => !(x instanceof Drop) });
    expect(values((dst.at(2) as Dense).weight)).toEqual(values((src.at(1) as Dense).weight));
    dispose(dst);
    dispose(src);
  });

  test("a save/load cycle through state leaks nothing and restores outputs", () => {
    const a = new Chain(new Dense([3, 4], tanh), new Dense([4, 2]));
    const b = new Chain(new Dense([3, 4], tanh), new Dense([4, 2]));
    const s = assertNoLeaks(() => state(a), 0);
    assertNoLeaks(() => loadModel(b, s), 0);
    const x = tf.tensor2d([[0.5, -1, 2]]);
    const [ya, yb] = [a.apply(x) as tf.Tensor, b.apply(x) as tf.Tensor];
    expect(values(yb)).toEqual(values(ya));
    // Later changes to a do not reach b.
    tf.tidy(() => (a.at(0) as Dense).weight.assign(tf.zeros([3, 4])));
    expect(values((b.at(0) as Dense).weight).some((v) => v !== 0)).toBe(true);
    tf.dispose([x, ya, yb]);
    dispose(a);
    dispose(b);
  });
});
