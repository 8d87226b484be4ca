import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { Bilinear } from "../src/layers/basic/bilinear.js";
import { Embedding, EmbeddingBag } from "../src/layers/basic/embedding.js";
import { Scale } from "../src/layers/basic/scale.js";
import { dispose } from "../src/core/dispose.js";
import { gradient } from "../src/autodiff/gradient.js";
import { glorotUniform, ones32, randn32 } from "../src/functions/init.js";
import { Rng } from "../src/functions/rng.js";
import { relu, tanh } from "../src/functions/activations.js";
import { expectClose, fdClose, finiteDiff, values, wave } from "./helpers.js";

const close = (a: ArrayLike<number>, e: ArrayLike<number>, rtol = 1e-5, atol = 1e-6) => expectClose(a, e, rtol, atol);

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
