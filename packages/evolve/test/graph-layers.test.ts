// Every supported layer kind under resizing, against hand-derived index lists: Conv 1-d and 2-d,
// flatten and global pooling into Dense, BatchNorm and LayerNorm parameters, Dropout and MaxPool
// passing sizes through, nested concatenations, a three-way add, a vertex read twice. Also the
// cases the property test found (see the report of issue 14's item 6).
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { Adam, setup } from "@fluxion/optimisers";
import { BatchNorm, Conv, Dense, Dropout, GlobalMeanPool, LayerNorm, MaxPool, Scale, dispose, flatten, identity, relu } from "@fluxion/nn";
import {
  CompGraph,
  addVertex,
  changeNout,
  checkGraph,
  concatVertex,
  featureSizes,
  inputVertex,
  insertAfter,
  removeEdge,
  removeVertex,
  resize,
  vertex,
  type Utility,
} from "../src/index.js";
import { copied, denseOf, expectClose, ramp, values } from "./helpers.js";

/** A Conv with weight [k…, in, out] filled with ramp values, and the given bias. */
function convOf(filter: number[], nin: number, nout: number, bias: number[], pad = 0): Conv {
  const n = filter.reduce((a, b) => a * b, 1) * nin * nout;
  const w = ramp(1, n, 0.1)[0]!;
  return copied([tf.tensor(w, [...filter, nin, nout]), tf.tensor1d(bias)], ([w, b]) => new Conv(w!, b!, relu, { pad }));
}
const weightOf = (g: CompGraph, name: string): any => values((g.layers[name] as Dense | Conv).weight);
const biasOf = (g: CompGraph, name: string): number[] => values((g.layers[name] as Dense | Conv).bias as tf.Tensor);
/** Rows `idx` of a matrix, -1 giving a row of zeros. */
const rows = (m: number[][], idx: number[]): number[][] => idx.map((i) => (i < 0 ? m[0]!.map(() => 0) : m[i]!));
/** A utility that prefers the given neurons of one vertex (others: their index, reversed). */
const prefer = (name: string, scores: number[]): Utility => (n, layer) => (n === name ? scores : Array.from({ length: (layer as Dense).weight.shape.at(-1)! }, () => 1));

function outputOf(g: CompGraph, x: tf.Tensor): number[] {
  return tf.tidy(() => Array.from((g.apply(x) as tf.Tensor).dataSync()));
}

describe("convolutions", () => {
  test("Conv 2-d: growing c1 adds a filter on its out axis (zero bias) and a zero slice on c2's in axis; the function is kept", () => {
    const img = inputVertex("img", [3, 3, 1]);
    const c1 = vertex("c1", convOf([3, 3], 1, 2, [0.1, -0.1], 1), img);
    const g = new CompGraph(img, vertex("c2", convOf([3, 3], 2, 2, [0, 0.2], 1), c1));
    const x = tf.tensor(ramp(1, 18, 0.3)[0]!, [2, 3, 3, 1]);
    const [w1, w2, y0] = [weightOf(g, "c1"), weightOf(g, "c2"), outputOf(g, x)];
    assertNoLeaks(() => changeNout(g, "c1", 1), 0);
    const n1 = weightOf(g, "c1");
    const n2 = weightOf(g, "c2");
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        expect(n1[i][j][0].slice(0, 2)).toEqual(w1[i][j][0]);
        expect(n1[i][j][0]).toHaveLength(3);
        expect(n2[i][j]).toEqual([...w2[i][j], [0, 0]]);
      }
    }
    expect(biasOf(g, "c1")).toEqual([0.1, -0.1, 0].map(Math.fround));
    expectClose(outputOf(g, x), y0);
    tf.dispose(x);
    dispose(g);
  });

  test("Conv 1-d: shrinking c1 to its channels 0 and 2 selects c1's out axis and c2's in axis", () => {
    const seq = inputVertex("seq", [5, 2]);
    const c1 = vertex("c1", convOf([3], 2, 3, [1, 2, 3]), seq);
    const g = new CompGraph(seq, vertex("c2", convOf([2], 3, 2, [0, 0]), c1));
    const [w1, w2] = [weightOf(g, "c1"), weightOf(g, "c2")];
    changeNout(g, "c1", -1, { utility: prefer("c1", [5, 1, 4]) });
    expect(weightOf(g, "c1")).toEqual(w1.map((k: number[][]) => k.map((r) => [r[0], r[2]])));
    expect(biasOf(g, "c1")).toEqual([1, 3]);
    expect(weightOf(g, "c2")).toEqual(w2.map((k: number[][]) => [k[0], k[2]]));
    expect(checkGraph(g).get("c2")).toEqual([1, 2, 2]);
    dispose(g);
  });

  test("Conv → flatten → Dense: the Dense's rows follow the channels at every spatial position", () => {
    // flatten runs channels fastest: feature p·C + c is channel c at position p (4 positions).
    const img = inputVertex("img", [2, 2, 1]);
    const conv = vertex("conv", convOf([1, 1], 1, 2, [0.5, -0.5]), img);
    const g = new CompGraph(img, vertex("out", denseOf(ramp(8, 1), [0]), vertex("flat", flatten, conv)));
    const w = weightOf(g, "out");
    const x = tf.tensor(ramp(1, 8, 0.4)[0]!, [2, 2, 2, 1]);
    const y0 = outputOf(g, x);
    changeNout(g, "conv", 1);
    expect(weightOf(g, "out")).toEqual(rows(w, [0, 1, -1, 2, 3, -1, 4, 5, -1, 6, 7, -1]));
    expect(featureSizes(g).get("flat")).toBe(12);
    expectClose(outputOf(g, x), y0);
    changeNout(g, "conv", -2, { utility: prefer("conv", [0, 9, 0]) }); // keep channel 1 only
    expect(weightOf(g, "out")).toEqual(rows(w, [1, 3, 5, 7]));
    tf.dispose(x);
    dispose(g);
  });

  test("Conv → GlobalMeanPool → Dense: one row per channel", () => {
    const img = inputVertex("img", [3, 3, 2]);
    const conv = vertex("conv", convOf([3, 3], 2, 3, [0, 0.1, 0.2], 1), img);
    const g = new CompGraph(img, vertex("out", denseOf(ramp(3, 2), [0, 0]), vertex("pool", new GlobalMeanPool(), conv)));
    const w = weightOf(g, "out");
    const x = tf.tensor(ramp(1, 36, 0.2)[0]!, [2, 3, 3, 2]);
    const y0 = outputOf(g, x);
    changeNout(g, "conv", 2);
    expect(weightOf(g, "out")).toEqual(rows(w, [0, 1, 2, -1, -1]));
    expectClose(outputOf(g, x), y0);
    changeNout(g, "conv", -3, { utility: prefer("conv", [1, 0, 3, 0, 2]) }); // keep channel 2 and the second new one
    expect(weightOf(g, "out")).toEqual(rows(w, [2, -1]));
    expect(checkGraph(g).get("out")).toEqual([1, 1, 1, 2]);
    tf.dispose(x);
    dispose(g);
  });

  test("MaxPool passes sizes through: growing the conv before it reaches the conv after it", () => {
    const img = inputVertex("img", [4, 4, 1]);
    const c1 = vertex("c1", convOf([1, 1], 1, 2, [0, 0]), img);
    const g = new CompGraph(img, vertex("c2", convOf([1, 1], 2, 1, [0]), vertex("pool", new MaxPool([2, 2]), c1)));
    const w2 = weightOf(g, "c2");
    changeNout(g, "c1", 2);
    expect(weightOf(g, "c2")).toEqual([[[...w2[0][0], [0], [0]]]]);
    expect(featureSizes(g).get("pool")).toBe(4);
    expect(checkGraph(g).get("c2")).toEqual([1, 2, 2, 1]);
    dispose(g);
  });
});

describe("normalisation and dropout", () => {
  /** x(3) → d1 Dense(3 => 2) → bn → d2 Dense(2 => 2) → ln → out Dense(2 => 1). */
  function normed(): CompGraph {
    const x = inputVertex("x", 3);
    const d1 = vertex("d1", denseOf(ramp(3, 2), [0.1, 0.2]), x);
    const bnLayer = new BatchNorm(2);
    tf.tidy(() => {
      bnLayer.beta!.assign(tf.tensor1d([0.5, -0.5]));
      bnLayer.gamma!.assign(tf.tensor1d([2, 3]));
      bnLayer.mu!.assign(tf.tensor1d([0.1, -0.2]));
      bnLayer.sigma2!.assign(tf.tensor1d([4, 9]));
    });
    const bn = vertex("bn", bnLayer, d1);
    const d2 = vertex("d2", denseOf(ramp(2, 2), [0, 0], relu), bn);
    const lnLayer = new LayerNorm(2);
    const diag = lnLayer.diag as Scale;
    tf.tidy(() => {
      diag.scale.assign(tf.tensor1d([1.5, 0.5]));
      (diag.bias as tf.Variable).assign(tf.tensor1d([0.25, -0.25]));
    });
    return new CompGraph(x, vertex("out", denseOf(ramp(2, 1), [0]), vertex("ln", lnLayer, d2)));
  }
  const bnParams = (g: CompGraph) => {
    const l = g.layers.bn as BatchNorm;
    return { beta: values(l.beta!), gamma: values(l.gamma!), mu: values(l.mu!), sigma2: values(l.sigma2!), chs: l.chs };
  };

  test("BatchNorm: new channels get γ = 1, β = 0, μ = 0, σ² = 1; kept ones their values; in test mode the function is kept", () => {
    const g = normed();
    const st = setup(new Adam(), g);
    const x = tf.tensor2d(ramp(4, 3, 0.5));
    const y0 = outputOf(g, x);
    changeNout(g, "d1", 2, { state: st });
    expect(bnParams(g)).toEqual({ beta: [0.5, -0.5, 0, 0], gamma: [2, 3, 1, 1], mu: [0.1, -0.2, 0, 0].map(Math.fround), sigma2: [4, 9, 1, 1], chs: 4 });
    expect((g.layers.bn as BatchNorm).mu!.trainable).toBe(false); // running statistics stay untrainable
    expectClose(outputOf(g, x), y0);
    changeNout(g, "d1", -3, { state: st, utility: prefer("d1", [0, 1, 0, 0]) });
    expect(bnParams(g)).toEqual({ beta: [-0.5], gamma: [3], mu: [Math.fround(-0.2)], sigma2: [9], chs: 1 });
    checkGraph(g);
    tf.dispose(x);
    dispose([g, st]);
  });

  test("LayerNorm: its Scale follows the neurons (new: scale 1, bias 0) and its size with them", () => {
    const g = normed();
    const ln = (): [number[], number[], number[]] => {
      const l = g.layers.ln as LayerNorm;
      return [values((l.diag as Scale).scale), values((l.diag as Scale).bias as tf.Tensor), l.size];
    };
    changeNout(g, "d2", 1);
    expect(ln()).toEqual([[1.5, 0.5, 1], [0.25, -0.25, 0], [3]]);
    // (LayerNorm normalises over all its features, so a new one changes the others' output: no function check.)
    changeNout(g, "d2", -2, { utility: prefer("d2", [0, 5, 1]) });
    expect(ln()).toEqual([[0.5], [-0.25], [1]]);
    dispose(g);
  });

  test("Dropout passes sizes through to the Dense after it", () => {
    const x = inputVertex("x", 2);
    const d1 = vertex("d1", denseOf(ramp(2, 3), [0, 0, 0]), x);
    const g = new CompGraph(x, vertex("out", denseOf(ramp(3, 2), [0, 0]), vertex("drop", new Dropout(0.5), d1)));
    const w = weightOf(g, "out");
    changeNout(g, "d1", 2);
    expect(weightOf(g, "out")).toEqual(rows(w, [0, 1, 2, -1, -1]));
    expect((g.layers.drop as Dropout).p).toBe(0.5);
    expect(featureSizes(g).get("drop")).toBe(5);
    dispose(g);
  });
});

describe("merges", () => {
  test("a concatenation of a concatenation: offsets add up", () => {
    const x = inputVertex("x", 2);
    const [a, b, c] = [vertex("a", denseOf(ramp(2, 2), [1, 2]), x), vertex("b", denseOf(ramp(2, 1), [3]), x), vertex("c", denseOf(ramp(2, 2), [4, 5]), x)];
    const g = new CompGraph(x, vertex("out", denseOf(ramp(5, 1), [0]), concatVertex("outer", concatVertex("inner", a, b), c)));
    const w = weightOf(g, "out");
    changeNout(g, "b", 1);
    expect(weightOf(g, "out")).toEqual(rows(w, [0, 1, 2, -1, 3, 4]));
    changeNout(g, "a", -1, { utility: prefer("a", [0, 1]) });
    expect(weightOf(g, "out")).toEqual(rows(w, [1, 2, -1, 3, 4]));
    expect([...featureSizes(g)].filter(([n]) => n === "inner" || n === "outer")).toEqual([["inner", 3], ["outer", 5]]);
    dispose(g);
  });

  test("an add of three inputs: all three change together, keeping the neurons of highest summed utility", () => {
    const x = inputVertex("x", 2);
    const [a, b, c] = ["a", "b", "c"].map((n, i) => vertex(n, denseOf(ramp(2, 3, 0.1 * (i + 1)), [i, i, i]), x));
    const g = new CompGraph(x, vertex("out", denseOf(ramp(3, 1), [0]), addVertex("sum", a!, b!, c!)));
    const before = { a: weightOf(g, "a"), c: weightOf(g, "c"), out: weightOf(g, "out") };
    const x0 = tf.tensor2d(ramp(3, 2, 0.5));
    const y0 = outputOf(g, x0);
    changeNout(g, "a", 1);
    expect(["a", "b", "c"].map((n) => biasOf(g, n))).toEqual([[0, 0, 0, 0], [1, 1, 1, 0], [2, 2, 2, 0]]);
    expect(weightOf(g, "out")).toEqual(rows(before.out, [0, 1, 2, -1]));
    expectClose(outputOf(g, x0), y0);
    // Summed utility per position: a [1, 0, 0, 0] + b [0, 0, 1, 0] + c [0, 0, 1, 0] = [1, 0, 2, 0] → keep 0 and 2.
    const utility: Utility = (n) => (n === "a" ? [1, 0, 0, 0] : [0, 0, 1, 0]);
    changeNout(g, "sum", -2, { utility });
    expect(weightOf(g, "a")).toEqual(before.a.map((r: number[]) => [r[0], r[2]]));
    expect(weightOf(g, "c")).toEqual(before.c.map((r: number[]) => [r[0], r[2]]));
    expect(weightOf(g, "out")).toEqual(rows(before.out, [0, 2]));
    tf.dispose(x0);
    dispose(g);
  });

  test("a vertex read twice (concat(a, a)): both copies of its neurons follow", () => {
    const x = inputVertex("x", 2);
    const a = vertex("a", denseOf(ramp(2, 2), [1, 2]), x);
    const g = new CompGraph(x, vertex("out", denseOf(ramp(4, 1), [0]), concatVertex("twice", a, a)));
    const w = weightOf(g, "out");
    changeNout(g, "a", 1);
    expect(weightOf(g, "out")).toEqual(rows(w, [0, 1, -1, 2, 3, -1]));
    changeNout(g, "a", -2, { utility: prefer("a", [0, 1, 0]) });
    expect(weightOf(g, "out")).toEqual(rows(w, [1, 3]));
    expect(() => changeNout(g, "twice", 1)).toThrow("resize: 'twice' repeats its neurons 2 times, so it can change only by multiples of 2, not 1");
    dispose(g);
  });
});

describe("found by the property test", () => {
  test("a flatten of a concatenation grows by a multiple of its positions, spread over both parts (it did nothing)", () => {
    const img = inputVertex("img", [2, 2, 1]);
    const [a, b] = [vertex("a", convOf([1, 1], 1, 2, [0, 0]), img), vertex("b", convOf([1, 1], 1, 3, [0, 0, 0]), img)];
    const g = new CompGraph(img, vertex("out", denseOf(ramp(20, 1), [0]), vertex("f", flatten, concatVertex("c", a, b))));
    resize(g, { f: 8 }); // 4 positions × 2 new channels: a (2 of 5) gets 0.8 → 1, b 1.2 → 1
    expect([...featureSizes(g)]).toEqual([["img", 1], ["a", 3], ["b", 4], ["c", 7], ["f", 28], ["out", 1]]);
    expect(() => resize(g, { f: 3 })).toThrow("resize: 'f' repeats its neurons 4 times, so it can change only by multiples of 4, not 3");
    dispose(g);
  });

  test("a shrink spread over a concatenation leaves every part at least one neuron (it refused)", () => {
    const x = inputVertex("x", 2);
    const [a, b] = [vertex("a", denseOf(ramp(2, 1), [0]), x), vertex("b", denseOf(ramp(2, 10), new Array(10).fill(0)), x)];
    const g = new CompGraph(x, vertex("out", denseOf(ramp(11, 1), [0]), concatVertex("c", a, b)));
    resize(g, { c: -9 });
    expect([featureSizes(g).get("a"), featureSizes(g).get("b")]).toEqual([1, 1]);
    expect(() => resize(g, { c: -1 })).toThrow("resize: cannot change the size of 'c' by -1: every size must stay at least 1");
    dispose(g);
  });

  test("removeVertex shrinks when growing is refused by a layer after it (it tried the shrink on a half-changed draft)", () => {
    const x = inputVertex("x", [2, 4]);
    const a = vertex("a", denseOf(ramp(4, 3), [0, 0, 0]), x);
    const b = vertex("b", denseOf(ramp(3, 5), [0, 0, 0, 0, 0]), a);
    const ln = vertex("ln", new LayerNorm([2, 3]), a); // over 2 dims: cannot be resized, so a cannot grow
    const g = new CompGraph(x, [vertex("o1", denseOf(ramp(5, 2), [0, 0]), b), vertex("o2", denseOf(ramp(3, 2), [0, 0]), ln)]);
    const o1 = weightOf(g, "o1");
    assertNoLeaks(() => removeVertex(g, "b", { utility: prefer("b", [3, 0, 2, 0, 1]) }), -2);
    expect(g.vertex("o1").inputs).toEqual(["a"]);
    expect(weightOf(g, "o1")).toEqual(rows(o1, [0, 2, 4]));
    checkGraph(g);
    dispose(g);
  });

  test("an operation may not change an output's shape beyond its features (removing a flatten did)", () => {
    const img = inputVertex("img", [2, 2, 1]);
    const pooled = vertex("pool", new GlobalMeanPool(), vertex("conv", convOf([1, 1], 1, 2, [0, 0]), img));
    const g = new CompGraph(img, vertex("out", denseOf(ramp(2, 1), [0]), vertex("flat", flatten, pooled)));
    const spec = g.spec;
    expect(() => assertNoLeaks(() => removeVertex(g, "flat"), 0)).toThrow("evolve: output 'out' would have shape [batch, 1, 1, features] instead of [batch, features]");
    expect(g.spec).toBe(spec);
    dispose(g);
  });

  test("an output that passes an input through is a copy the caller owns (it was the input itself)", () => {
    const x = inputVertex("x", 2);
    const g = new CompGraph(x, vertex("same", identity, x));
    const t = tf.tensor2d([[1, 2]]);
    const y = g.apply(t) as tf.Tensor;
    expect(y).not.toBe(t);
    y.dispose();
    expect(t.isDisposed).toBe(false);
    tf.dispose(t);
    dispose(g);
  });

  test("insertAfter refuses a vertex no output would read (it leaked the new vertex's optimiser state)", () => {
    const x = inputVertex("x", 2);
    const y = inputVertex("y", 2);
    const g = new CompGraph([x, y], concatVertex("c", vertex("d", denseOf(ramp(2, 2), [0, 0]), x), y));
    const st = setup(new Adam(), g);
    removeEdge(g, "y", "c", { state: st });
    const layer = new Dense([2, 2]);
    expect(() => assertNoLeaks(() => insertAfter(g, "y", "new", layer, { state: st }), 0)).toThrow("insertAfter: no output of the graph depends on 'y'");
    dispose([g, st, layer]);
  });
});
