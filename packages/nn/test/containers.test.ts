import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import * as tfl from "@tensorflow/tfjs-layers";
import { concatFeatures, Maxout, PairwiseFusion, Parallel, plus, SkipConnection } from "../src/layers/basic/containers.js";
import { Chain } from "../src/layers/basic/chain.js";
import { Dense } from "../src/layers/basic/dense.js";
import { dispose } from "../src/core/dispose.js";
import { gradient } from "../src/autodiff/gradient.js";
import { glorotUniform } from "../src/functions/init.js";
import { Rng } from "../src/functions/rng.js";
import { relu, tanh } from "../src/functions/activations.js";
import { expectClose, fdClose, finiteDiff, values, wave } from "./helpers.js";

const close = (a: ArrayLike<number>, e: ArrayLike<number>, rtol = 1e-5, atol = 1e-6) => expectClose(a, e, rtol, atol);

/** A Dense layer with deterministic weights and a nonzero bias. */
function dense(nIn: number, nOut: number, k: number, sigma?: (x: tf.Tensor) => tf.Tensor): Dense {
  return new Dense(tf.tensor2d(wave(nIn * nOut, k), [nIn, nOut]), tf.tensor1d(wave(nOut, k + 0.5).map((v) => v / 2)), sigma);
}

/** Float64 reference of a Dense layer: rows of x [batch, in] → σ(x·W + b). */
function denseRef(d: Dense, x: number[], act: (v: number) => number = (v) => v): number[] {
  const [nIn, nOut] = d.weight.shape as [number, number];
  const W = values(d.weight);
  const b = d.bias ? values(d.bias) : new Array(nOut).fill(0);
  const out: number[] = [];
  for (let r = 0; r < x.length / nIn; r++) {
    for (let o = 0; o < nOut; o++) {
      let s = b[o]!;
      for (let i = 0; i < nIn; i++) s += x[r * nIn + i]! * W[i * nOut + o]!;
      out.push(act(s));
    }
  }
  return out;
}
const addv = (a: number[], b: number[]) => a.map((v, i) => v + b[i]!);

/** tfjs-layers' dense with our layer's weights. */
function tflDense(d: Dense, activation: "linear" | "tanh" | "relu" = "linear"): tfl.layers.Layer {
  const [nIn, nOut] = d.weight.shape as [number, number];
  const ref = tfl.layers.dense({ units: nOut, activation, useBias: d.bias !== false });
  ref.build([null, nIn]);
  ref.setWeights(d.bias ? [d.weight, d.bias] : [d.weight]);
  return ref;
}
const disposeTfl = (...ls: tfl.layers.Layer[]) => ls.forEach((l) => l.weights.forEach((w) => w.dispose()));

describe("Parallel", () => {
  test("one input goes to every layer: connection(a(x), b(x)), by hand and against tfjs-layers' add", () => {
    const a = dense(3, 2, 1, tanh);
    const b = dense(3, 2, 2);
    const m = new Parallel(plus, a, b);
    const xs = wave(12, 3);
    const x = tf.tensor2d(xs, [4, 3]);
    const y = assertNoLeaks(() => m.apply(x));
    close(values(y), addv(denseRef(a, xs, Math.tanh), denseRef(b, xs)));
    const [ra, rb] = [tflDense(a, "tanh"), tflDense(b)];
    const ref = tf.tidy(() => tfl.layers.add().apply([ra.apply(x), rb.apply(x)] as tf.Tensor[]) as tf.Tensor);
    close(values(y), values(ref));
    tf.dispose([x, y, ref]);
    disposeTfl(ra, rb);
    dispose(m);
  });

  test("N inputs and N layers are zipped; an array input is splatted; tfjs-layers' concatenate agrees", () => {
    const a = dense(3, 2, 4);
    const b = dense(2, 4, 5, relu);
    const m = new Parallel(concatFeatures, a, b);
    const [x1s, x2s] = [wave(6, 6), wave(4, 7)];
    const x1 = tf.tensor2d(x1s, [2, 3]);
    const x2 = tf.tensor2d(x2s, [2, 2]);
    const y = assertNoLeaks(() => m.apply(x1, x2));
    expect(y.shape).toEqual([2, 6]);
    const [ya, yb] = [denseRef(a, x1s), denseRef(b, x2s, (v) => Math.max(0, v))];
    close(values(y), [...ya.slice(0, 2), ...yb.slice(0, 4), ...ya.slice(2), ...yb.slice(4)]);
    const y2 = assertNoLeaks(() => m.apply([x1, x2]));
    close(values(y2), values(y));
    const [ra, rb] = [tflDense(a), tflDense(b, "relu")];
    const ref = tf.tidy(() => tfl.layers.concatenate().apply([ra.apply(x1), rb.apply(x2)] as tf.Tensor[]) as tf.Tensor);
    close(values(y), values(ref));
    tf.dispose([x1, x2, y, y2, ref]);
    disposeTfl(ra, rb);
    dispose(m);
  });

  test("N inputs and one layer: the layer runs on each", () => {
    const a = dense(2, 3, 8);
    const m = new Parallel(concatFeatures, a);
    const [x1s, x2s, x3s] = [wave(2, 1), wave(2, 2), wave(2, 3)];
    const xs = [tf.tensor2d(x1s, [1, 2]), tf.tensor2d(x2s, [1, 2]), tf.tensor2d(x3s, [1, 2])];
    const y = assertNoLeaks(() => m.apply(...xs));
    close(values(y), [...denseRef(a, x1s), ...denseRef(a, x2s), ...denseRef(a, x3s)]);
    const y1 = m.apply(xs[0]!);
    close(values(y1), denseRef(a, x1s));
    tf.dispose([...xs, y, y1]);
    dispose(m);
  });

  test("any function of N tensors is a connection: tf.maximum, a lambda", () => {
    const a = dense(2, 2, 1);
    const b = dense(2, 2, 2);
    const xs = wave(4, 9);
    const x = tf.tensor2d(xs, [2, 2]);
    const mx = new Parallel(tf.maximum, a, b);
    const y = assertNoLeaks(() => mx.apply(x));
    close(values(y), denseRef(a, xs).map((v, i) => Math.max(v, denseRef(b, xs)[i]!)));
    expect(mx.repr()).toBe("Parallel(maximum, Dense(2 => 2), Dense(2 => 2))");
    const lam = new Parallel((u: tf.Tensor, v: tf.Tensor) => tf.sub(tf.mul(u, 2), v), a, b);
    const z = assertNoLeaks(() => lam.apply(x)); // the lambda's temporaries are freed
    close(values(z), denseRef(a, xs).map((v, i) => 2 * v - denseRef(b, xs)[i]!));
    tf.dispose([x, y, z]);
    dispose([mx]);
  });

  test("named sub-layers: at, get, repr and the multi-line summary of Flux's Parallel docstring", () => {
    const m = new Parallel(plus, { α: new Dense([10, 2], tanh), β: new Dense([5, 2]) });
    expect(m.get("α")).toBe(m.at(0));
    expect(m.get("β")).toBe(m.at(-1));
    expect(m.length).toBe(2);
    expect(m.repr()).toBe("Parallel(+, α = Dense(10 => 2, tanh), β = Dense(5 => 2))");
    expect(m.toString()).toBe(
      [
        "Parallel(",
        "  +,",
        "  α = Dense(10 => 2, tanh),             # 22 parameters",
        "  β = Dense(5 => 2),                    # 12 parameters",
        ")                   # Total: 4 arrays, 34 parameters, 136 bytes.",
      ].join("\n"),
    );
    const x1 = tf.ones([3, 10]);
    const x2 = tf.ones([3, 5]);
    const y = m.apply(x1, x2);
    expect(y.shape).toEqual([3, 2]);
    expect(() => m.get("γ")).toThrow('Parallel.get: no sub-layer named "γ"; the names are α, β');
    expect(() => m.at(2)).toThrow("Parallel.at: index 2 is out of range for 2 sub-layers");
    const unnamed = new Parallel(tf.add, new Dense([2, 2]), new Dense([2, 2]));
    expect(unnamed.repr()).toBe("Parallel(add, Dense(2 => 2), Dense(2 => 2))");
    tf.dispose([x1, x2, y]);
    dispose([m, unnamed]);
  });

  test("gradients through Parallel: structure, by hand, and finite differences", () => {
    const a = dense(3, 2, 1);
    const b = dense(3, 2, 2);
    const m = new Parallel(plus, { a, b });
    const xs = wave(6, 4);
    const x = tf.variable(tf.tensor2d(xs, [2, 3]));
    // L = Σ (x·Wa + ba + x·Wb + bb): ∂L/∂Wa[i, o] = Σ_r x[r, i]; ∂L/∂ba = batch.
    const [g] = assertNoLeaks(() => gradient((l: Parallel) => tf.sum(l.apply(x)), m)) as any[];
    const colSums = [0, 1, 2].map((i) => xs[i]! + xs[3 + i]!);
    close(values(g.layers.a.weight), colSums.flatMap((s) => [s, s]));
    close(values(g.layers.b.bias), [2, 2]);
    expect(g.connection).toBeNull();
    const loss = () => tf.sum(tf.square(tf.tanh(m.apply(x))));
    const [gm, gx] = gradient((l: Parallel, u: tf.Tensor) => tf.sum(tf.square(tf.tanh(l.apply(u)))), m, x) as any[];
    fdClose(values(gm.layers.a.weight), finiteDiff(loss, a.weight));
    fdClose(values(gm.layers.b.bias), finiteDiff(loss, b.bias as tf.Variable));
    fdClose(values(gx), finiteDiff(loss, x));
    tf.dispose([g, gm, gx, x]);
    dispose(m);
  });

  test("errors", () => {
    const d = new Dense([2, 2]);
    expect(() => new Parallel(plus)).toThrow("Parallel: expected at least one sub-layer, got none");
    expect(() => new Parallel(plus, { layers: d })).toThrow('a Parallel layer cannot have a named sub-layer called "connection" or "layers", got "layers"');
    expect(() => new Parallel(plus, { connection: d })).toThrow('cannot have a named sub-layer called "connection" or "layers", got "connection"');
    expect(() => new Parallel(plus, d, 3 as any)).toThrow("Parallel: sub-layer 1 must be a layer or a function, got number");
    expect(() => new Parallel("+" as any, d)).toThrow("Parallel: the connection must be a layer or a function, got string");
    const m = new Parallel(plus, d, d);
    const x = tf.ones([1, 2]);
    expect(() => m.apply(x, x, x)).toThrow("Parallel with 2 > 1 sub-layers can take one input or 2 inputs, but got 3 inputs");
    expect(() => m.apply([x, x, x])).toThrow("Parallel with 2 > 1 sub-layers can take one input or 2 inputs, but got 3 inputs");
    expect(() => m.apply()).toThrow("but got 0 inputs");
    const one = new Parallel(plus, d);
    expect(() => one.apply()).toThrow("Parallel with 1 sub-layer needs at least one input, but got 0 inputs");
    expect(() => m.apply(tf.ones([1, 3]))).toThrow("layer Dense(2 => 2) expects size(input, -1) == 2");
    tf.dispose(x);
    dispose(m);
  });
});

describe("SkipConnection", () => {
  test("connection(layers(x), x): residual sum by hand and against tfjs-layers' add", () => {
    const d = dense(3, 3, 2, tanh);
    const m = new SkipConnection(d, plus);
    const xs = wave(6, 5);
    const x = tf.tensor2d(xs, [2, 3]);
    const y = assertNoLeaks(() => m.apply(x));
    close(values(y), addv(denseRef(d, xs, Math.tanh), xs));
    const rd = tflDense(d, "tanh");
    const ref = tf.tidy(() => tfl.layers.add().apply([rd.apply(x) as tf.Tensor, x]) as tf.Tensor);
    close(values(y), values(ref));
    tf.dispose([x, y, ref]);
    disposeTfl(rd);
    dispose(m);
  });

  test("concatenation and an identity branch (the input itself may come back)", () => {
    const d = dense(2, 3, 3);
    const m = new SkipConnection(d, concatFeatures);
    const xs = wave(4, 2);
    const x = tf.tensor2d(xs, [2, 2]);
    const y = assertNoLeaks(() => m.apply(x));
    const yd = denseRef(d, xs);
    close(values(y), [...yd.slice(0, 3), ...xs.slice(0, 2), ...yd.slice(3), ...xs.slice(2)]);
    const same = new SkipConnection((u: tf.Tensor) => u, (_a: tf.Tensor, b: tf.Tensor) => b);
    const z = assertNoLeaks(() => same.apply(x), 0);
    expect(z).toBe(x);
    expect(x.isDisposed).toBe(false);
    tf.dispose([x, y]);
    dispose(m);
  });

  test("gradient by hand: L = Σ (x·W + b + x) gives ∂L/∂x = row sums of W + 1", () => {
    const d = dense(3, 3, 4);
    const m = new SkipConnection(d, plus);
    const x = tf.tensor2d(wave(6, 1), [2, 3]);
    const [gm, gx] = assertNoLeaks(() => gradient((l: SkipConnection, u: tf.Tensor) => tf.sum(l.apply(u)), m, x)) as any[];
    const W = values(d.weight);
    const rowSums = [0, 1, 2].map((i) => W[3 * i]! + W[3 * i + 1]! + W[3 * i + 2]! + 1);
    close(values(gx), [...rowSums, ...rowSums]);
    close(values(gm.layers.bias), [2, 2, 2]);
    expect(gm.connection).toBeNull();
    tf.dispose([x, gm, gx]);
    dispose(m);
  });

  test("printing and errors", () => {
    const m = new SkipConnection(new Chain(new Dense([5, 20], tanh), new Dense([20, 5])), plus);
    expect(m.repr()).toBe("SkipConnection(Chain(Dense(5 => 20, tanh), Dense(20 => 5)), +)");
    expect(m.toString()).toBe(
      [
        "SkipConnection(",
        "  Chain(",
        "    Dense(5 => 20, tanh),               # 120 parameters",
        "    Dense(20 => 5),                     # 105 parameters",
        "  ),",
        "  +,",
        ")                   # Total: 4 arrays, 225 parameters, 900 bytes.",
      ].join("\n"),
    );
    expect(() => new SkipConnection(m, undefined as any)).toThrow("SkipConnection: the connection must be a layer or a function, got undefined");
    expect(() => new SkipConnection(null as any, plus)).toThrow("SkipConnection: the layers must be a layer or a function, got null");
    dispose(m);
  });
});

describe("PairwiseFusion", () => {
  test("y1 = l1(x1), yᵢ = lᵢ(connection(yᵢ₋₁, xᵢ)): every output, by hand and with tfjs-layers", () => {
    const [l1, l2, l3] = [dense(2, 3, 1, tanh), dense(3, 3, 2), dense(3, 3, 3, relu)];
    const m = new PairwiseFusion(plus, l1, l2, l3);
    const [s1, s2, s3] = [wave(4, 1), wave(6, 2), wave(6, 3)];
    const xs = [tf.tensor2d(s1, [2, 2]), tf.tensor2d(s2, [2, 3]), tf.tensor2d(s3, [2, 3])];
    const ys = assertNoLeaks(() => m.apply(...xs));
    expect(ys).toHaveLength(3);
    const y1 = denseRef(l1, s1, Math.tanh);
    const y2 = denseRef(l2, addv(y1, s2));
    const y3 = denseRef(l3, addv(y2, s3), (v) => Math.max(0, v));
    close(values(ys[0]), y1);
    close(values(ys[1]), y2);
    close(values(ys[2]), y3);
    const again = assertNoLeaks(() => m.apply(xs));
    close(values(again[2]), y3);
    const [r1, r2, r3] = [tflDense(l1, "tanh"), tflDense(l2), tflDense(l3, "relu")];
    const ref = tf.tidy(() => {
      const add = tfl.layers.add();
      const t1 = r1.apply(xs[0]!) as tf.Tensor;
      const t2 = r2.apply(add.apply([t1, xs[1]!])) as tf.Tensor;
      return r3.apply(add.apply([t2, xs[2]!])) as tf.Tensor;
    });
    close(values(ys[2]), values(ref));
    tf.dispose([...xs, ...ys, ...again, ref]);
    disposeTfl(r1, r2, r3);
    dispose(m);
  });

  test("a single input is used at every step", () => {
    const [l1, l2] = [dense(2, 2, 4), dense(2, 2, 5)];
    const m = new PairwiseFusion(plus, { l1, l2 });
    const s = wave(4, 6);
    const x = tf.tensor2d(s, [2, 2]);
    const ys = assertNoLeaks(() => m.apply(x));
    const y1 = denseRef(l1, s);
    close(values(ys[0]), y1);
    close(values(ys[1]), denseRef(l2, addv(y1, s)));
    expect(m.get("l2")).toBe(l2);
    expect(m.repr()).toBe("PairwiseFusion(+, l1 = Dense(2 => 2), l2 = Dense(2 => 2))");
    expect(m.toString()).toBe(
      [
        "PairwiseFusion(",
        "  +,",
        "  l1 = Dense(2 => 2),                   # 6 parameters",
        "  l2 = Dense(2 => 2),                   # 6 parameters",
        ")                   # Total: 4 arrays, 12 parameters, 48 bytes.",
      ].join("\n"),
    );
    tf.dispose([x, ...ys]);
    dispose(m);
  });

  test("gradient of all outputs by finite differences", () => {
    const [l1, l2] = [dense(2, 2, 7, tanh), dense(2, 2, 8)];
    const m = new PairwiseFusion(tf.mul, l1, l2);
    const x1 = tf.variable(tf.tensor2d(wave(4, 9), [2, 2]));
    const x2 = tf.tensor2d(wave(4, 10), [2, 2]);
    const f = (l: PairwiseFusion, u: tf.Tensor) => tf.addN(l.apply(u, x2).map((y: tf.Tensor) => tf.sum(tf.square(y))));
    const loss = () => f(m, x1);
    const [gm, gx] = assertNoLeaks(() => gradient(f, m, x1)) as any[];
    fdClose(values(gm.layers[0].weight), finiteDiff(loss, l1.weight));
    fdClose(values(gm.layers[1].weight), finiteDiff(loss, l2.weight));
    fdClose(values(gx), finiteDiff(loss, x1));
    tf.dispose([gm, gx, x1, x2]);
    dispose(m);
  });

  test("errors", () => {
    const d = new Dense([2, 2]);
    const m = new PairwiseFusion(plus, d, d, d);
    const x = tf.ones([1, 2]);
    expect(() => m.apply(x, x)).toThrow("PairwiseFusion with 3 sub-layers can take one input or 3 inputs, but got 2 inputs");
    expect(() => m.apply([x])).toThrow("PairwiseFusion with 3 sub-layers can take one input or 3 inputs, but got 1 inputs");
    expect(() => m.apply()).toThrow("but got 0 inputs");
    expect(() => new PairwiseFusion(plus)).toThrow("PairwiseFusion: expected at least one sub-layer, got none");
    expect(() => new PairwiseFusion(plus, { layers: d })).toThrow("a PairwiseFusion layer cannot have a named sub-layer called");
    tf.dispose(x);
    dispose(d);
  });
});

describe("Maxout", () => {
  test("elementwise max of the outputs: Flux's doc example, and a gradient by hand", () => {
    const m = new Maxout((x: tf.Tensor) => tf.square(x), (x: tf.Tensor) => tf.mul(x, 3));
    const x = tf.tensor2d([[-2, -1, 0, 1, 2]]);
    const y = assertNoLeaks(() => m.apply(x));
    expect(values(y)).toEqual([4, 1, 0, 3, 6]);
    // d/dx max(x², 3x): 2x where x² wins, 3 where 3x does.
    const xg = tf.tensor1d([-2, -1, 0.5, 1, 2]);
    const [, g] = assertNoLeaks(() => gradient((l: Maxout, u: tf.Tensor) => tf.sum(l.apply(u)), m, xg)) as any[];
    close(values(g), [-4, -2, 3, 3, 3]);
    tf.dispose([x, y, xg, g]);
  });

  test("Maxout(factory, n) against tfjs-layers' maximum, and finite differences", () => {
    const rng = new Rng(5);
    const m = new Maxout(() => new Dense([3, 2], tanh, { init: glorotUniform({ rng }) }), 3);
    expect(m.layers).toHaveLength(3);
    expect(new Set(m.layers).size).toBe(3);
    const x = tf.variable(tf.tensor2d(wave(12, 3), [4, 3]));
    const y = assertNoLeaks(() => m.apply(x));
    const refs = m.layers.map((l) => tflDense(l as Dense, "tanh"));
    const ref = tf.tidy(() => tfl.layers.maximum().apply(refs.map((r) => r.apply(x) as tf.Tensor)) as tf.Tensor);
    close(values(y), values(ref));
    const outs = m.layers.map((l) => denseRef(l as Dense, values(x), Math.tanh));
    close(values(y), outs[0]!.map((_, i) => Math.max(...outs.map((o) => o[i]!))));
    const loss = () => tf.sum(tf.square(m.apply(x)));
    const [gm, gx] = gradient((l: Maxout, u: tf.Tensor) => tf.sum(tf.square(l.apply(u))), m, x) as any[];
    fdClose(values(gm.layers[1].weight), finiteDiff(loss, (m.layers[1] as Dense).weight, 1e-3));
    fdClose(values(gx), finiteDiff(loss, x, 1e-3));
    tf.dispose([x, y, ref, gm, gx]);
    disposeTfl(...refs);
    dispose(m);
  });

  test("printing: the Total line with 6 arrays and 126 parameters", () => {
    const m = new Maxout(() => new Dense([5, 7], tanh), 3);
    expect(m.repr()).toBe("Maxout(Dense(5 => 7, tanh), Dense(5 => 7, tanh), Dense(5 => 7, tanh))");
    expect(m.toString()).toBe(
      [
        "Maxout(",
        "  Dense(5 => 7, tanh),                  # 42 parameters",
        "  Dense(5 => 7, tanh),                  # 42 parameters",
        "  Dense(5 => 7, tanh),                  # 42 parameters",
        ")                   # Total: 6 arrays, 126 parameters, 504 bytes.",
      ].join("\n"),
    );
    dispose(m);
  });

  test("errors", () => {
    expect(() => new Maxout()).toThrow("Maxout: expected at least one sub-layer, got none");
    expect(() => new Maxout(() => new Dense([2, 2]), 0)).toThrow("Maxout(f, n): n must be a positive integer, got 0");
    expect(() => new Maxout(3 as any, 2)).toThrow("Maxout(f, n): f must be a function that builds a layer, got number");
    expect(() => new Maxout(() => 7 as any, 2)).toThrow("Maxout: sub-layer 0 must be a layer or a function, got number");
  });
});

describe("connections", () => {
  test("plus sums any number of tensors; concatFeatures joins the last axis", () => {
    const [a, b, c] = [tf.tensor1d([1, 2]), tf.tensor1d([10, 20]), tf.tensor1d([100, 200])];
    const s = assertNoLeaks(() => plus(a, b, c));
    expect(values(s)).toEqual([111, 222]);
    expect(plus(a)).toBe(a);
    const x = tf.ones([2, 3]);
    const y = tf.zeros([2, 1]);
    const z = tf.zeros([3, 1]);
    const xy = concatFeatures(x, y);
    expect(xy.shape).toEqual([2, 4]);
    expect(values(xy)).toEqual([1, 1, 1, 0, 1, 1, 1, 0]);
    expect(() => concatFeatures(x, z)).toThrow("concatFeatures: all inputs must agree on every dimension but the last, got shapes [2, 3], [3, 1]");
    expect(() => plus()).toThrow("plus: expected at least one tensor");
    tf.dispose([a, b, c, s, x, y, z, xy]);
  });

  test("containers compose inside a Chain and free their intermediates", () => {
    const m = new Chain(new Dense([3, 4], relu), new SkipConnection(new Parallel(plus, new Dense([4, 4]), new Dense([4, 4])), concatFeatures), new Maxout(new Dense([8, 2]), new Dense([8, 2])));
    const x = tf.ones([5, 3]);
    const y = tf.tidy(() => m.apply(x) as tf.Tensor);
    expect(y.shape).toEqual([5, 2]);
    const before = tf.memory().numTensors;
    const inner = (m.layers as any[])[1] as SkipConnection;
    const h = tf.ones([5, 4]);
    const z = inner.apply(h);
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([x, y, h, z]);
    dispose(m);
  });
});
