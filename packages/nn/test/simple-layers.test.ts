import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import * as tfl from "@tensorflow/tfjs-layers";
import { Bilinear } from "../src/layers/basic/bilinear.js";
import { Embedding, EmbeddingBag } from "../src/layers/basic/embedding.js";
import { Scale } from "../src/layers/basic/scale.js";
import { Chain } from "../src/layers/basic/chain.js";
import { dispose } from "../src/core/dispose.js";
import { gradient } from "../src/autodiff/gradient.js";
import { glorotUniform, ones32, randn32 } from "../src/functions/init.js";
import { Rng } from "../src/functions/rng.js";
import { relu, tanh } from "../src/functions/activations.js";

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());
const close = (a: ArrayLike<number>, e: ArrayLike<number>, rtol = 1e-5, atol = 1e-6) => {
  expect(a.length).toBe(e.length);
  for (let i = 0; i < a.length; i++) {
    if (!(Math.abs(a[i]! - e[i]!) <= atol + rtol * Math.abs(e[i]!))) throw new Error(`index ${i}: ${a[i]} vs ${e[i]}\n${Array.from(a)}\n${Array.from(e)}`);
  }
};
/** Deterministic "random" numbers in (−1, 1). */
const wave = (n: number, k = 1): number[] => Array.from({ length: n }, (_, i) => Math.sin(1.3 * i * k + 0.7 * k));

/** Central differences of `loss()` with respect to every element of the variable `v`. */
function finiteDiff(loss: () => tf.Tensor, v: tf.Variable, h = 1e-2): number[] {
  const base = values(v);
  const at = (i: number, delta: number): number => {
    const p = [...base];
    p[i]! += delta;
    tf.tidy(() => v.assign(tf.tensor(p, v.shape)));
    return tf.tidy(() => loss().dataSync()[0]!);
  };
  const fd = base.map((_, i) => (at(i, h) - at(i, -h)) / (2 * h));
  tf.tidy(() => v.assign(tf.tensor(base, v.shape)));
  return fd;
}
const fdClose = (analytic: ArrayLike<number>, fd: ArrayLike<number>) => close(analytic, fd, 1e-2, 2e-3);

function abs2(x: tf.Tensor): tf.Tensor {
  return tf.square(x);
}

describe("Bilinear", () => {
  // z[b, o] = σ(Σᵢⱼ x[b, i] W[o, i, j] y[b, j] + bias[o]) in float64.
  function reference(W: number[], bias: number[], [out, in1, in2]: number[], x: number[], y: number[], sigma = (v: number) => v): number[] {
    const batch = x.length / in1!;
    const z: number[] = [];
    for (let b = 0; b < batch; b++) {
      for (let o = 0; o < out!; o++) {
        let s = bias[o] ?? 0;
        for (let i = 0; i < in1!; i++) for (let j = 0; j < in2!; j++) s += x[b * in1! + i]! * W[(o * in1! + i) * in2! + j]! * y[b * in2! + j]!;
        z.push(sigma(s));
      }
    }
    return z;
  }

  test("forward matches a float64 loop, for (x, y), [x, y] and x alone", () => {
    const [out, in1, in2] = [3, 2, 4];
    const W = wave(out * in1 * in2, 1);
    const bias = [0.1, -0.2, 0.3];
    const m = new Bilinear(tf.tensor3d(W, [out, in1, in2]), tf.tensor1d(bias), tanh);
    const xs = wave(5 * in1, 2);
    const ys = wave(5 * in2, 3);
    const x = tf.tensor2d(xs, [5, in1]);
    const y = tf.tensor2d(ys, [5, in2]);
    const z = assertNoLeaks(() => m.apply(x, y));
    expect(z.shape).toEqual([5, out]);
    close(values(z), reference(W, bias, [out, in1, in2], xs, ys, Math.tanh));
    const z2 = assertNoLeaks(() => m.apply([x, y]));
    close(values(z2), values(z));
    tf.dispose([x, y, z, z2]);
    dispose(m);

    const sq = new Bilinear(tf.tensor3d(W.slice(0, out * in1 * in1), [out, in1, in1]), false);
    const x1 = tf.tensor2d(xs, [5, in1]);
    const z3 = assertNoLeaks(() => sq.apply(x1));
    close(values(z3), reference(W.slice(0, out * in1 * in1), [], [out, in1, in1], xs, xs));
    tf.dispose([x1, z3]);
    dispose(sq);
  });

  test("a vector gives a vector, and N-d inputs keep their leading dims", () => {
    const m = new Bilinear([[2, 3], 4], undefined, { init: glorotUniform({ rng: new Rng(1) }) });
    const xv = tf.tensor1d([0.5, -1]);
    const yv = tf.tensor1d([1, 2, 3]);
    const zv = m.apply(xv, yv);
    expect(zv.shape).toEqual([4]);
    close(values(zv), reference(values(m.weight), [0, 0, 0, 0], [4, 2, 3], [0.5, -1], [1, 2, 3]));
    const x = tf.tensor3d(wave(12, 4), [2, 3, 2]);
    const y = tf.tensor3d(wave(18, 5), [2, 3, 3]);
    const z = m.apply(x, y);
    expect(z.shape).toEqual([2, 3, 4]);
    close(values(z), reference(values(m.weight), [0, 0, 0, 0], [4, 2, 3], values(x), values(y)));
    tf.dispose([xv, yv, zv, x, y, z]);
    dispose(m);
  });

  test("gradients: by hand for W and bias, and by finite differences for all", () => {
    const [out, in1, in2] = [2, 3, 2];
    const m = new Bilinear(tf.tensor3d(wave(out * in1 * in2, 6), [out, in1, in2]), tf.tensor1d([0.2, -0.1]));
    const xs = wave(4 * in1, 7);
    const ys = wave(4 * in2, 8);
    const x = tf.variable(tf.tensor2d(xs, [4, in1]));
    const y = tf.variable(tf.tensor2d(ys, [4, in2]));
    // L = Σ z: ∂L/∂W[o,i,j] = Σ_b x[b,i] y[b,j]; ∂L/∂bias[o] = batch.
    const [g] = assertNoLeaks(() => gradient((l: Bilinear) => tf.sum(l.apply(x, y)), m)) as any[];
    const hand: number[] = [];
    for (let o = 0; o < out; o++) for (let i = 0; i < in1; i++) for (let j = 0; j < in2; j++) {
      let s = 0;
      for (let b = 0; b < 4; b++) s += xs[b * in1 + i]! * ys[b * in2 + j]!;
      hand.push(s);
    }
    close(values(g.weight), hand, 1e-5, 1e-5);
    close(values(g.bias), [4, 4]);
    expect(g.sigma).toBeNull();

    const loss = () => tf.sum(tf.square(tf.tanh(m.apply(x, y))));
    const [gm, gx, gy] = gradient((l: Bilinear, u: tf.Tensor, v: tf.Tensor) => tf.sum(tf.square(tf.tanh(l.apply(u, v)))), m, x, y) as any[];
    fdClose(values(gm.weight), finiteDiff(loss, m.weight));
    fdClose(values(gm.bias), finiteDiff(loss, m.bias as tf.Variable));
    fdClose(values(gx), finiteDiff(loss, x));
    fdClose(values(gy), finiteDiff(loss, y));
    tf.dispose([g, gm, gx, gy, x, y]);
    dispose(m);
  });

  test("keeps Flux's [out, in1, in2] weight and glorot fans", () => {
    const m = new Bilinear([[8, 16], 4], tanh, { bias: false, init: glorotUniform({ rng: new Rng(2) }) });
    expect(m.weight.shape).toEqual([4, 8, 16]);
    const bound = Math.sqrt(6 / (4 * 8 + 4 * 16));
    const w = values(m.weight);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.9 * bound);
    expect(m.bias).toBe(false);
    dispose(m);
  });

  test("printing", () => {
    const a = new Bilinear([5, 7]);
    expect(a.repr()).toBe("Bilinear(5 => 7)");
    expect(a.toString()).toBe("Bilinear(5 => 7)    # 182 parameters");
    const b = new Bilinear([[8, 16], 4], tanh, { bias: false });
    expect(b.repr()).toBe("Bilinear((8, 16) => 4, tanh; bias=false)");
    expect(b.toString()).toBe("Bilinear((8, 16) => 4, tanh; bias=false)  # 512 parameters");
    const c = new Bilinear(tf.zeros([4, 8, 16]), false, tanh);
    expect(c.repr()).toBe("Bilinear((8, 16) => 4, tanh; bias=false)");
    dispose([a, b, c]);
  });

  test("errors", () => {
    expect(() => new Bilinear([[2, 0], 3])).toThrow("Bilinear: expected [[in1, in2], out]");
    expect(() => new Bilinear([2, 3.5] as [number, number])).toThrow("Bilinear: expected [in, out]");
    const w2 = tf.zeros([2, 3]);
    expect(() => new Bilinear(w2)).toThrow("the weight must be a 3-d tensor [out, in1, in2], got shape [2, 3]");
    const w3 = tf.zeros([2, 3, 3]);
    expect(() => new Bilinear(w3, tf.zeros([3]))).toThrow("expected bias of size [2], got size [3]");
    const m = new Bilinear([[2, 3], 4]);
    const x = tf.zeros([5, 2]);
    const y = tf.zeros([5, 2]);
    const y4 = tf.zeros([4, 3]);
    expect(() => m.apply(x, y)).toThrow("layer Bilinear((2, 3) => 4) expects size(x, -1) == 2 and size(y, -1) == 3 (features last), but got tensors of shape [5, 2] and [5, 2]");
    expect(() => m.apply(x, y4)).toThrow("the inputs must agree on their batch dims, got shapes [5, 2] and [4, 3]");
    expect(() => m.apply([x, y, y] as any)).toThrow("takes x, (x, y) or [x, y], got an array of 3 inputs");
    tf.dispose([w2, w3, x, y, y4]);
    dispose(m);
  });
});

describe("Scale", () => {
  test("forward is σ(scale ⊙ x + bias) on the last dims, by hand", () => {
    const m = new Scale(tf.tensor2d([[1, 2, 3], [-1, 0.5, 2]]), tf.tensor2d([[0.1, 0, -0.1], [0, 0.2, 0]]), relu);
    const xs = wave(4 * 6, 1);
    const x = tf.tensor3d(xs, [4, 2, 3]);
    const y = assertNoLeaks(() => m.apply(x));
    expect(y.shape).toEqual([4, 2, 3]);
    const s = [1, 2, 3, -1, 0.5, 2];
    const b = [0.1, 0, -0.1, 0, 0.2, 0];
    close(values(y), xs.map((v, i) => Math.max(0, s[i % 6]! * v + b[i % 6]!)));
    tf.dispose([x, y]);
    dispose(m);
  });

  test("Scale(3) acts on features of [batch, 3]; size-1 dims broadcast", () => {
    const m = new Scale(1, 3, undefined, { bias: false });
    expect(m.scale.shape).toEqual([1, 3]);
    tf.tidy(() => m.scale.assign(tf.tensor2d([[2, 3, 4]])));
    const x = tf.tensor3d(wave(12, 2), [2, 2, 3]);
    const y = m.apply(x);
    close(values(y), values(x).map((v, i) => [2, 3, 4][i % 3]! * v));
    tf.dispose([x, y]);
    dispose(m);
  });

  test("constructor forms and defaults", () => {
    const a = new Scale(2);
    expect(values(a.scale)).toEqual([1, 1]);
    expect(values(a.bias as tf.Tensor)).toEqual([0, 0]);
    const b = new Scale(1, 4, abs2, { bias: false });
    expect(b.scale.shape).toEqual([1, 4]);
    expect(b.bias).toBe(false);
    expect(b.sigma).toBe(abs2);
    const c = new Scale(3, { init: randn32 });
    expect(c.scale.shape).toEqual([3]);
    const d = new Scale(2, 2, tanh);
    expect(d.sigma).toBe(tanh);
    dispose([a, b, c, d]);
  });

  test("gradients: by hand and by finite differences", () => {
    const m = new Scale(tf.tensor1d([0.5, -1.5, 2]), tf.tensor1d([0.1, 0.2, -0.3]));
    const xs = wave(12, 3);
    const x = tf.variable(tf.tensor2d(xs, [4, 3]));
    // L = Σ y: ∂L/∂scale[k] = Σ_b x[b, k]; ∂L/∂bias[k] = 4; ∂L/∂x[b, k] = scale[k].
    const [g, gx] = assertNoLeaks(() => gradient((l: Scale, u: tf.Tensor) => tf.sum(l.apply(u)), m, x)) as any[];
    close(values(g.scale), [0, 1, 2].map((k) => xs.filter((_, i) => i % 3 === k).reduce((a, b) => a + b, 0)), 1e-5, 1e-6);
    close(values(g.bias), [4, 4, 4]);
    close(values(gx), xs.map((_, i) => [0.5, -1.5, 2][i % 3]!));
    const loss = () => tf.sum(tf.square(tf.sin(m.apply(x))));
    const [gm, gx2] = gradient((l: Scale, u: tf.Tensor) => tf.sum(tf.square(tf.sin(l.apply(u)))), m, x) as any[];
    fdClose(values(gm.scale), finiteDiff(loss, m.scale));
    fdClose(values(gm.bias), finiteDiff(loss, m.bias as tf.Variable));
    fdClose(values(gx2), finiteDiff(loss, x));
    tf.dispose([g, gx, gm, gx2, x]);
    dispose(m);
  });

  test("printing", () => {
    const a = new Scale(2);
    expect(a.repr()).toBe("Scale(2)");
    expect(a.toString()).toBe("Scale(2)            # 4 parameters");
    const b = new Scale(1, 4, abs2, { bias: false });
    expect(b.repr()).toBe("Scale(1, 4, abs2; bias=false)");
    expect(b.toString()).toBe("Scale(1, 4, abs2; bias=false)  # 4 parameters");
    dispose([a, b]);
  });

  test("errors", () => {
    expect(() => new Scale()).toThrow("Scale: expected one or more positive integer sizes");
    expect(() => new Scale(2, 0)).toThrow("Scale: expected one or more positive integer sizes, then optionally σ and options, got (2, 0)");
    const s = tf.ones([3]);
    expect(() => new Scale(s, tf.zeros([2]))).toThrow("expected bias of size [3], got size [2]");
    const m = new Scale(3);
    const x = tf.zeros([2, 4]);
    expect(() => m.apply(x)).toThrow("layer Scale(3) expects an input whose last dims broadcast with [3], but got a tensor of shape [2, 4]");
    expect(() => m.apply([1, 2, 3] as any)).toThrow("layer Scale(3) expects a tensor input");
    tf.dispose([s, x]);
    dispose(m);
  });
});

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

describe("disposal", () => {
  test("dispose frees every parameter", () => {
    const before = tf.memory().numTensors;
    const ms = [new Bilinear([3, 2]), new Scale(2, 3), new Embedding([4, 2], { paddingIdx: 0 }), new EmbeddingBag([4, 2])];
    dispose(ms);
    expect(tf.memory().numTensors).toBe(before);
  });

  test("ones32 init for Scale gives the identity map", () => {
    const m = new Scale(3, { init: ones32, bias: false });
    const x = tf.tensor2d([[1, 2, 3]]);
    const y = m.apply(x);
    expect(values(y)).toEqual([1, 2, 3]);
    tf.dispose([x, y]);
    dispose(m);
  });
});
