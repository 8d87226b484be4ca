import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import * as tfl from "@tensorflow/tfjs-layers";
import { Embedding, EmbeddingBag } from "../src/layers/basic/embedding.js";
import { Chain } from "../src/layers/basic/chain.js";
import { dispose } from "../src/core/dispose.js";
import { gradient } from "../src/autodiff/gradient.js";
import { randn32 } from "../src/functions/init.js";
import { tanh } from "../src/functions/activations.js";
import { expectClose, fdClose, finiteDiff, values, wave } from "./helpers.js";

const close = (a: ArrayLike<number>, e: ArrayLike<number>, rtol = 1e-5, atol = 1e-6) => expectClose(a, e, rtol, atol);

describe("Embedding", () => {
  const table = (n: number, d: number) => tf.tensor2d(wave(n * d, 9), [n, d]);

  test("looks up rows of [in, out] for indices of any shape, by hand", () => {
    const W = table(5, 3);
    const m = new Embedding(W);
    const w = values(W);
    const row = (i: number) => w.slice(3 * i, 3 * i + 3);
    const idx = tf.tensor2d([[0, 4, 2], [2, 2, 1]], [2, 3], "int32");
    const y = assertNoLeaks(() => m.apply(idx));
    expect(y.shape).toEqual([2, 3, 3]);
    close(values(y), [0, 4, 2, 2, 2, 1].flatMap(row));
    const y1 = assertNoLeaks(() => m.apply(3));
    expect(y1.shape).toEqual([3]);
    close(values(y1), row(3));
    const y2 = m.apply([[[1]], [[0]]]);
    expect(y2.shape).toEqual([2, 1, 1, 3]);
    close(values(y2), [...row(1), ...row(0)]);
    const y3 = m.apply([]);
    expect(y3.shape).toEqual([0, 3]);
    tf.dispose([W, idx, y, y1, y2, y3]);
    dispose(m);
  });

  test("a float one-hot input gives x·W, equal to the lookup", () => {
    const W = table(4, 2);
    const m = new Embedding(W);
    const onehot = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d([3, 0, 1], "int32"), 4), "float32"));
    const yh = assertNoLeaks(() => m.apply(onehot));
    const yi = m.apply([3, 0, 1]);
    close(values(yh), values(yi));
    const mixed = tf.tensor2d([[0.5, 0.5, 0, 0]]);
    const ym = m.apply(mixed);
    const w = values(W);
    close(values(ym), [0.5 * (w[0]! + w[2]!), 0.5 * (w[1]! + w[3]!)]);
    tf.dispose([W, onehot, yh, yi, mixed, ym]);
    dispose(m);
  });

  test("agrees with tfjs-layers' embedding on the same weights", () => {
    const m = new Embedding([7, 3], { init: randn32 });
    const ref = tfl.layers.embedding({ inputDim: 7, outputDim: 3 });
    ref.build([null, 4]);
    ref.setWeights([m.weight]);
    const idx = tf.tensor2d([[0, 6, 3, 3], [1, 2, 5, 4]], [2, 4], "int32");
    const ours = m.apply(idx);
    const theirs = ref.apply(idx) as tf.Tensor;
    expect(ours.shape).toEqual(theirs.shape);
    close(values(ours), values(theirs));
    tf.dispose([idx, ours, theirs]);
    ref.weights.forEach((w) => w.dispose());
    dispose(m);
  });

  test("the gradient scatters back onto the looked-up rows (by hand and finite differences)", () => {
    const m = new Embedding(table(4, 2));
    const idx = [2, 0, 2, 3];
    const c = tf.tensor2d(wave(8, 11), [4, 2]);
    // L = Σ c ⊙ E(idx): ∂L/∂W[r] = Σ over positions p with idx[p] = r of c[p].
    const [g] = assertNoLeaks(() => gradient((l: Embedding) => tf.sum(tf.mul(c, l.apply(idx))), m)) as any[];
    const cv = values(c);
    const hand = [0, 1, 2, 3].flatMap((r) => [0, 1].map((k) => idx.reduce((s, v, p) => s + (v === r ? cv[2 * p + k]! : 0), 0)));
    close(values(g.weight), hand, 1e-5, 1e-6);
    expect(g.paddingIdx).toBeNull();
    const loss = () => tf.sum(tf.square(tf.tanh(m.apply(idx))));
    const [g2] = gradient((l: Embedding) => tf.sum(tf.square(tf.tanh(l.apply(idx)))), m) as any[];
    fdClose(values(g2.weight), finiteDiff(loss, m.weight));
    tf.dispose([c, g, g2]);
    dispose(m);
  });

  test("paddingIdx: the row is zeroed, looked up as zero and gets no gradient", () => {
    const W = table(5, 2);
    const m = new Embedding(W, { paddingIdx: 1 });
    expect(values(W).slice(2, 4)).not.toEqual([0, 0]); // the caller's tensor is untouched
    expect(values(m.weight).slice(2, 4).map((v) => v + 0)).toEqual([0, 0]);
    tf.tidy(() => m.weight.assign(tf.add(m.weight, 1))); // as if an optimiser had moved it
    const y = m.apply([1, 0, 1]);
    expect(values(y).slice(0, 2).map((v) => v + 0)).toEqual([0, 0]);
    close(values(y).slice(2, 4), values(W).slice(0, 2).map((v) => v + 1));
    const [g] = gradient((l: Embedding) => tf.sum(tf.square(l.apply([1, 0, 1, 4]))), m) as any[];
    const gw = values(g.weight);
    expect(gw.slice(2, 4).map((v) => v + 0)).toEqual([0, 0]);
    expect(gw.slice(0, 2).every((v) => v !== 0)).toBe(true);
    const onehot = tf.tensor2d([[0, 1, 0, 0, 0], [0, 0, 0, 0, 1]]);
    const [gh] = gradient((l: Embedding) => tf.sum(tf.square(l.apply(onehot))), m) as any[];
    expect(values(gh.weight).slice(2, 4).map((v) => v + 0)).toEqual([0, 0]);
    const m2 = new Embedding([5, 2], { paddingIdx: 4 });
    expect(values(m2.weight).slice(8).map((v) => v + 0)).toEqual([0, 0]);
    tf.dispose([W, y, g, onehot, gh]);
    dispose([m, m2]);
  });

  test("printing and trainable fields", () => {
    const a = new Embedding([26, 4]);
    expect(a.repr()).toBe("Embedding(26 => 4)");
    expect(a.toString()).toBe("Embedding(26 => 4)  # 104 parameters");
    const b = new Embedding([5, 2], { paddingIdx: 1 });
    expect(b.repr()).toBe("Embedding(5 => 2, paddingIdx=1)");
    const c = new Chain(a, b);
    expect(c.toString()).toBe(
      [
        "Chain(",
        "  Embedding(26 => 4),                   # 104 parameters",
        "  Embedding(5 => 2, paddingIdx=1),      # 10 parameters",
        ")",
      ].join("\n"),
    );
    dispose(c);
  });

  test("errors", () => {
    const m = new Embedding([5, 2]);
    expect(() => m.apply([0, 5])).toThrow("layer Embedding(5 => 2) got index 5, out of range: indices are 0-based, in [0, 4]");
    expect(() => m.apply(-1)).toThrow("got index -1, out of range");
    const bad = tf.tensor1d([1, 7], "int32");
    expect(() => m.apply(bad)).toThrow("got index 7");
    expect(() => m.apply([0.5])).toThrow("layer Embedding(5 => 2) expects integer indices, got 0.5");
    expect(() => m.apply([[1, 2], [3]])).toThrow("expects a rectangular (nested) array of integer indices");
    const f = tf.zeros([3, 4]);
    expect(() => m.apply(f)).toThrow("layer Embedding(5 => 2) expects int32 indices, or a float tensor with size(input, -1) == 5 (one-hot, features last), but got a float32 tensor of shape [3, 4]");
    expect(() => new Embedding([5, 0])).toThrow("Embedding: expected [in, out]");
    expect(() => new Embedding([5, 2], { paddingIdx: 5 })).toThrow("Embedding: paddingIdx must be a 0-based index in [0, 4], got 5");
    const v = tf.zeros([3]);
    expect(() => new Embedding(v)).toThrow("Embedding: the weight must be a matrix [in, out], got shape [3]");
    tf.dispose([bad, f, v]);
    dispose(m);
  });
});

describe("EmbeddingBag", () => {
  test("reduces each bag: mean by default, any (x, axis) reduction; ragged bags, 2-d tensors, offsets", () => {
    const W = tf.tensor2d(wave(12, 13), [6, 2]);
    const w = values(W);
    const row = (i: number) => w.slice(2 * i, 2 * i + 2);
    const mean = (bag: number[]) => [0, 1].map((k) => bag.reduce((s, i) => s + row(i)[k]!, 0) / bag.length);
    const m = new EmbeddingBag(W);
    const one = assertNoLeaks(() => m.apply([1, 4, 4]));
    expect(one.shape).toEqual([2]);
    close(values(one), mean([1, 4, 4]));
    const ragged = assertNoLeaks(() => m.apply([[0, 1, 2], [5], [3, 3]]));
    expect(ragged.shape).toEqual([3, 2]);
    close(values(ragged), [[0, 1, 2], [5], [3, 3]].flatMap(mean));
    const t = tf.tensor2d([[0, 1], [2, 5]], [2, 2], "int32");
    const rows = m.apply(t);
    close(values(rows), [[0, 1], [2, 5]].flatMap(mean));
    const flat = m.apply([0, 1, 2, 5, 3, 3], [0, 3, 4]);
    close(values(flat), values(ragged));
    const s = new EmbeddingBag(W, tf.sum);
    const ys = s.apply([[0, 1, 2], [5]]);
    close(values(ys), [[0, 1, 2], [5]].flatMap((b) => mean(b).map((v) => v * b.length)));
    const mx = new EmbeddingBag(W, tf.max);
    const ym = mx.apply([2, 3]);
    close(values(ym), [0, 1].map((k) => Math.max(row(2)[k]!, row(3)[k]!)));
    expect(m.repr()).toBe("EmbeddingBag(6 => 2)");
    expect(new EmbeddingBag([26, 3]).toString()).toBe("EmbeddingBag(26 => 3)  # 78 parameters");
    tf.dispose([W, one, ragged, t, rows, flat, ys, ym]);
    dispose([m, s, mx]);
  });

  test("gradient by finite differences; errors", () => {
    const m = new EmbeddingBag([4, 2], tf.mean, { init: randn32 });
    const bags = [[0, 1], [3, 3, 1]];
    const loss = () => tf.sum(tf.square(tf.sin(m.apply(bags))));
    const [g] = assertNoLeaks(() => gradient((l: EmbeddingBag) => tf.sum(tf.square(tf.sin(l.apply(bags)))), m)) as any[];
    fdClose(values(g.weight), finiteDiff(loss, m.weight));
    expect(values(g.weight).slice(4, 6)).toEqual([0, 0]); // token 2 is in no bag
    expect(() => m.apply([[0], []])).toThrow("layer EmbeddingBag(4 => 2): bag 1 is empty");
    expect(() => m.apply([[0], [9]])).toThrow("got index 9, out of range");
    expect(() => m.apply([0, 1, 2], [1, 2])).toThrow("offsets must start at 0");
    expect(() => m.apply(2)).toThrow("expects a bag of indices, an array of bags, or a 2-d int32 tensor");
    tf.dispose(g);
    dispose(m);
  });
});
