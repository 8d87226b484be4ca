// Flux 0.16's own tests (test/layers/basic.jl, conv.jl, normalisation.jl, show.jl, test/utils.jl)
// and docstrings, translated to our layout (batch first, channels last; Dense weight [in, out]),
// for the cases issue 18 found differing. Expected numbers are Flux's or derived by hand.
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import {
  BatchNorm,
  Chain,
  Conv,
  ConvTranspose,
  CrossCor,
  DepthwiseConv,
  Dense,
  Dropout,
  Rng,
  SamePad,
  dispose,
  gradient,
  hessian,
  identity,
  tanh,
} from "../src/index.js";
import * as I from "../src/functions/init.js";
import { expectClose, values } from "./helpers.js";

/** A tensor's nested values; the tensor is disposed. */
const take = (t: tf.Tensor): any => {
  const a = t.arraySync();
  t.dispose();
  return a;
};

const stats = (t: tf.Tensor) => {
  const v = values(t);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
  return { mean, std, min: v.reduce((a, b) => Math.min(a, b)), max: v.reduce((a, b) => Math.max(a, b)) };
};

describe("Chain (test/layers/basic.jl, show.jl)", () => {
  test("several arguments reach the first layer as one tuple: Chain(identity)(1,2,3) == (1,2,3)", () => {
    expect(new Chain(identity).apply(1, 2, 3)).toEqual([1, 2, 3]);
    expect(new Chain((xs: number[]) => xs.length, (n: number) => n * 10).apply(1, 2, 3)).toBe(30);
    expect(new Chain(identity).apply(1)).toBe(1);
  });

  test("Chain([...]) keeps its brackets in the multi-line show (_big_show of a Vector)", () => {
    const m = new Chain([new Dense([2, 3]), new Dense([3, 4])]);
    // Flux: the Vector is one child of Chain, printed as `[` … `],` two spaces in.
    const pad = " ".repeat(39 - 4 - "Dense(2 => 3)".length);
    expect(m.toString()).toBe(
      [
        "Chain(",
        "  [",
        `    Dense(2 => 3),${pad}# 9 parameters`,
        `    Dense(3 => 4),${pad}# 16 parameters`,
        "  ],",
        `)${" ".repeat(19)}# Total: 4 arrays, 25 parameters, 100 bytes.`,
      ].join("\n"),
    );
    // A splatted Chain is unchanged.
    expect(new Chain(...m.list()).toString().split("\n")[1]).toBe(`  Dense(2 => 3),${" ".repeat(39 - 2 - 13)}# 9 parameters`);
    dispose(m);
  });
});

describe("second derivatives (test/layers/basic.jl, normalisation.jl)", () => {
  test("a gradient that does not depend on x gives a zero Hessian", () => {
    const x = tf.tensor1d([1, 2, 3]);
    const h = assertNoLeaks(() => hessian((v) => tf.sum(v), x));
    expect(h.shape).toEqual([3, 3]);
    expect(values(h)).toEqual(Array<number>(9).fill(0));
    // Zygote.hessian_reverse(sum∘Dropout(0.5), [1.0,2.0,3.0]) == zeros(3, 3)
    const drop = new Dropout(0.5);
    const hd = assertNoLeaks(() => hessian((v) => tf.sum(drop.apply(v) as tf.Tensor), x));
    expect(values(hd)).toEqual(Array<number>(9).fill(0));
    // f not reaching x at all
    const hc = assertNoLeaks(() => hessian(() => tf.scalar(2), x));
    expect(values(hc)).toEqual(Array<number>(9).fill(0));
    tf.dispose([x, h, hd, hc]);
  });

  test("Chain(BatchNorm(3), sum): zero Hessian (in training, each channel's outputs sum to 0)", () => {
    const m = new Chain(new BatchNorm(3), (y: tf.Tensor) => tf.sum(y));
    const x = tf.tensor2d([[1, 3, 5], [2, 4, 6]]); // Flux's Float32[1 2; 3 4; 5 6], batch first
    const h = assertNoLeaks(() => hessian((v) => m.apply(v) as tf.Tensor, x));
    expect(h.shape).toEqual([6, 6]);
    expectClose(h, Array<number>(36).fill(0), 0, 1e-4);
    tf.dispose([x, h]);
    dispose(m);
  });

  test("Chain of Dense and its vector form agree, and match differences of the gradient", () => {
    const d1 = new Dense(tf.tensor2d([[0.3, -0.2, 0.5, 0.1], [0.4, 0.2, -0.6, 0.3], [-0.1, 0.5, 0.2, -0.4]]), false, tanh);
    const d2 = new Dense(tf.tensor2d([[0.7, -0.3], [0.2, 0.5], [-0.4, 0.6], [0.1, 0.9]]));
    const m1 = new Chain(d1, d2);
    const m1v = new Chain([d1, d2]);
    const x = tf.tensor1d([0.1, 0.2, 0.3]);
    const loss = (m: Chain) => (v: tf.Tensor) => tf.sum(m.apply(tf.reshape(v, [1, 3])) as tf.Tensor);
    const h = hessian(loss(m1), x);
    const hv = hessian(loss(m1v), x);
    expect(values(hv)).toEqual(values(h));
    // central differences of the gradient, column by column
    const grad = (p: number[]): number[] => {
      const t = tf.tensor1d(p);
      const [g] = gradient(loss(m1), t);
      const out = values(g as tf.Tensor);
      tf.dispose([t, g as tf.Tensor]);
      return out;
    };
    const eps = 1e-2;
    const fd: number[][] = [0, 1, 2].map((j) => {
      const [up, down] = [[0.1, 0.2, 0.3], [0.1, 0.2, 0.3]];
      up[j]! += eps;
      down[j]! -= eps;
      const [a, b] = [grad(up), grad(down)];
      return a.map((v, i) => (v - b[i]!) / (2 * eps));
    });
    expectClose(h, fd.flat(), 1e-2, 2e-3); // symmetric, so rows or columns alike
    tf.dispose([x, h, hv]);
    dispose(m1);
  });
});

describe("Conv (test/layers/conv.jl)", () => {
  test("an init of the wrong shape is an error naming both shapes (DimensionMismatch), leaking nothing", () => {
    const wrong = () => tf.zeros([3, 3, 1]);
    assertNoLeaks(() => {
      expect(() => new Conv([3, 3], [1, 1], identity, { init: wrong })).toThrow("Conv: init returned shape [3, 3, 1], expected [3, 3, 1, 1]");
      expect(() => new CrossCor([3, 3], [1, 2], identity, { init: wrong })).toThrow("CrossCor: init returned shape [3, 3, 1], expected [3, 3, 1, 2]");
      expect(() => new ConvTranspose([3, 3], [1, 2], identity, { init: wrong })).toThrow("ConvTranspose: init returned shape [3, 3, 1], expected [3, 3, 2, 1]");
      expect(() => DepthwiseConv([3, 3], [1, 2], identity, { init: wrong })).toThrow("Conv: init returned shape [3, 3, 1], expected [3, 3, 1, 2]");
      expect(() => new Conv([3], [1, 1], identity, { init: () => [1, 2, 3] as unknown as tf.Tensor })).toThrow("Conv: init must return a tensor");
    }, 0);
  });

  const kinds = [
    ["Conv", (k: number[], o: object) => new Conv(k, [1, 1], identity, o)],
    ["ConvTranspose", (k: number[], o: object) => new ConvTranspose(k, [1, 1], identity, o)],
    ["DepthwiseConv", (k: number[], o: object) => DepthwiseConv(k, [1, 1], identity, o)],
    ["CrossCor", (k: number[], o: object) => new CrossCor(k, [1, 1], identity, o)],
  ] as const;
  const sizes = [[1], [2], [3], [4, 5], [6, 7, 8]];
  for (const [name, make] of kinds) {
    test(`${name} SamePad keeps the size, with dilation k ÷ 2 (0 for k = 1) too; stride 3 gives ${name === "ConvTranspose" ? "3·size" : "cld(size, 3)"}`, () => {
      for (const k of sizes) {
        const spatial = k.map((kk) => kk + 3);
        const data = tf.ones([1, ...spatial, 1]);
        const shapeOf = (o: object): number[] => {
          const l = make(k, { pad: new SamePad(), ...o });
          const y = assertNoLeaks(() => l.apply(data));
          const shape = y.shape.slice(1, -1);
          tf.dispose(y);
          dispose(l);
          return shape;
        };
        expect(shapeOf({})).toEqual(spatial);
        expect(shapeOf({ dilation: k.map((kk) => Math.floor(kk / 2)) })).toEqual(spatial);
        expect(shapeOf({ stride: 3 })).toEqual(spatial.map((s) => (name === "ConvTranspose" ? 3 * s : Math.ceil(s / 3))));
        data.dispose();
      }
    });
  }

  test("ConvTranspose with SamePad and stride > kernel: negative padding adds zeros (hand-derived)", () => {
    const x = tf.tensor3d([1, 2, 3, 4], [1, 4, 1]);
    // k = 1, stride 3: pad (−1, −1); output i = 3o + 1 holds 2·x[o].
    const k1 = new ConvTranspose(tf.tensor3d([2], [1, 1, 1]), false, identity, { stride: 3, pad: new SamePad() });
    expect(k1.pad).toEqual([-1, -1]);
    expect(k1.repr()).toBe("ConvTranspose((1,), 1 => 1, pad=-1, stride=3, bias=false)");
    expect(values(assertNoLeaks(() => k1.apply(x)))).toEqual([0, 2, 0, 0, 4, 0, 0, 6, 0, 0, 8, 0]);
    // k = 2, w = [a, b] = [2, 3], stride 3: pad (0, −1); output i = 3o + k holds x[o]·w[1 − k] (flipped).
    const k2 = new ConvTranspose(tf.tensor3d([2, 3], [2, 1, 1]), false, identity, { stride: 3, pad: new SamePad() });
    expect(k2.pad).toEqual([0, -1]);
    const x2 = tf.tensor3d([1, 2], [1, 2, 1]);
    expect(values(assertNoLeaks(() => k2.apply(x2)))).toEqual([3, 2, 0, 6, 4, 0]);
    // and its gradient: ∂ sum(y ⊙ r) / ∂x[o] = Σ_k r[3o + k]·w[1 − k]
    const r = tf.tensor3d([1, 10, 100, 1000, 10000, 100000], [1, 6, 1]);
    const [, gx] = assertNoLeaks(() => gradient((m: ConvTranspose, v: tf.Tensor) => tf.sum(tf.mul(m.apply(v), r)), k2, x2));
    expect(values(gx as tf.Tensor)).toEqual([1 * 3 + 10 * 2, 1000 * 3 + 10000 * 2]);
    tf.dispose([x, x2, r, gx as tf.Tensor]);
    dispose([k1, k2]);
  });

  test("dilation 0 is accepted only at a filter size of 1 (where it equals 1)", () => {
    const l = new Conv([1, 3], [1, 1], identity, { dilation: [0, 1] });
    // Deliberate difference (README): stored and printed as 1; Flux prints dilation=(0, 1).
    expect(l.dilation).toEqual([1, 1]);
    expect(l.repr()).toBe("Conv((1, 3), 1 => 1)");
    dispose(l);
    expect(() => new Conv([3], [1, 1], identity, { dilation: 0 })).toThrow("Conv: dilation must be ≥ 1 where the filter size is above 1, got dilation 0 for filter size (3,)");
    expect(() => new Conv([3], [1, 1], identity, { dilation: -1 })).toThrow("Conv: dilation must be an integer ≥ 0");
  });
});

describe("initialisers (test/utils.jl)", () => {
  const rng = () => new Rng(18);

  test("Basics: every initialiser makes shapes [3], [3, 4] and [3, 4, 5] (sparseInit only matrices)", () => {
    const inits = [I.glorotUniform, I.glorotNormal, I.kaimingUniform, I.kaimingNormal, I.orthogonal, I.truncatedNormal, I.lecunNormal, I.identityInit];
    for (const init of inits) {
      for (const shape of [[3], [3, 4], [3, 4, 5]]) {
        const t = assertNoLeaks(() => init(shape, { rng: rng() }));
        expect([t.shape, t.dtype]).toEqual([shape, "float32"]);
        t.dispose();
      }
    }
    const s = I.sparseInit([3, 4], { sparsity: 0.5, rng: rng() });
    expect(s.shape).toEqual([3, 4]);
    expect(() => I.sparseInit([100, 100, 100], { sparsity: 0.1 })).toThrow("sparseInit: only 2-d shapes are supported");
    s.dispose();
  });

  test("orthogonal of one dimension is a random unit vector (times gain)", () => {
    // Flux: rows = prod(()) = 1, so orthogonal(1, n) reshaped: one orthonormal row.
    for (const gain of [1, 2.5]) {
      const v = I.orthogonal([3], { rng: rng(), gain });
      expect(Math.hypot(...values(v))).toBeCloseTo(gain, 5);
      v.dispose();
    }
    const a = I.orthogonal([5], { rng: new Rng(1) });
    const b = I.orthogonal([5], { rng: new Rng(2) });
    expect(values(a)).not.toEqual(values(b));
    tf.dispose([a, b]);
  });

  test("sparseInit clamps the sparsity: below 0 no zeros, above 1 all zeros; ceil(rows·sparsity) per column", () => {
    const none = I.sparseInit([100, 100], { sparsity: -0.1, rng: rng() });
    expect(values(none).filter((v) => v === 0).length).toBe(0);
    const all = I.sparseInit([100, 100], { sparsity: 1.1, rng: rng() });
    expect(values(all).every((v) => v === 0)).toBe(true);
    for (const [nIn, nOut, sparsity, sigma] of [[100, 100, 0.25, 0.1], [100, 400, 0.75, 0.01]] as const) {
      // Flux's (n_in, n_out) matrix has n_in rows; columns are what get ceil(n_in·sparsity) zeros.
      const v = I.sparseInit([nIn, nOut], { sparsity, std: sigma, rng: rng() });
      const rows = v.arraySync() as number[][];
      for (let c = 0; c < nOut; c++) expect(rows.filter((r) => r[c] === 0).length).toBe(Math.ceil(nIn * sparsity));
      const nz = tf.tensor(values(v).filter((x) => x !== 0));
      expect(stats(nz).std).toBeGreaterThan(0.9 * sigma);
      expect(stats(nz).std).toBeLessThan(1.1 * sigma);
      tf.dispose([v, nz]);
    }
    const partial = I.sparseInit({ sparsity: 1 });
    const p = partial([8, 8]);
    expect(Math.max(...values(p))).toBe(0);
    expect(() => I.sparseInit([2, 2], { sparsity: Number.NaN })).toThrow("sparseInit: sparsity must be a number, got NaN");
    tf.dispose([none, all, p]);
  });

  test("truncatedNormal: bounds, mean and std as Flux's tests (a tenth of its 100³ samples)", () => {
    const m = I.truncatedNormal([100, 100], { rng: rng() });
    expect(Math.abs(stats(m).min + 2)).toBeLessThan(0.05);
    expect(Math.abs(stats(m).max - 2)).toBeLessThan(0.05);
    expect(Math.abs(stats(m).mean)).toBeLessThan(0.1);
    for (const [mean, std, lo, hi] of [[0, 1, -2, 3], [1, 2, -4, 5]] as const) {
      const v = I.truncatedNormal([100, 100, 10], { mean, std, lo, hi, rng: rng() });
      const s = stats(v);
      expect(Math.abs(s.mean - mean)).toBeLessThan(0.1);
      expect(Math.abs(s.min - lo)).toBeLessThan(0.01);
      expect(Math.abs(s.max - hi)).toBeLessThan(0.01);
      v.dispose();
    }
    const wide = I.truncatedNormal([100, 100, 10], { mean: -7, std: 10, lo: -100, hi: 100, rng: rng() });
    expect(Math.abs(stats(wide).mean + 7)).toBeLessThan(0.1);
    expect(Math.abs(stats(wide).std - 10)).toBeLessThan(0.1);
    tf.dispose([m, wide]);
  });

  test("lecunNormal: std ≈ √(1/fan_in), Flux's 0.032 and 0.317 (rtol 0.1): the cut is at ±2, not ±2 std", () => {
    // Flux's lecun_normal(10, 1000) is (out 10, in 1000); ours is [in, out].
    const a = I.lecunNormal([1000, 10], { rng: rng() });
    const b = I.lecunNormal([10, 1000], { rng: rng() });
    expect(Math.abs(stats(a).std / 0.032 - 1)).toBeLessThan(0.1);
    expect(Math.abs(stats(b).std / 0.317 - 1)).toBeLessThan(0.1);
    // closer than Flux's tolerance: the cut at ±2 is 6.3 std out for std √(1/10)
    expect(stats(b).std).toBeCloseTo(Math.sqrt(1 / 10), 2);
    tf.dispose([a, b]);
  });

  test("identityInit: Flux's sizes; an even filter's tap at cld(k, 2)", () => {
    expect(take(I.identityInit([3, 3], { gain: 3 }))).toEqual([[3, 0, 0], [0, 3, 0], [0, 0, 3]]);
    // identity_init(2, 3)[:, end] == zeros: the last column of a 2×3 identity
    expect((take(I.identityInit([2, 3])) as number[][]).map((r) => r[2])).toEqual([0, 0]);
    const lastOut = take(I.identityInit([1, 1, 3, 4])) as number[][][][];
    expect(lastOut[0]![0]!.map((r) => r[3])).toEqual([0, 0, 0]);
    // identity_init(2, 1, 3, 3)[end, :, :, :] == 0 and (1, 2, 3, 3)[:, end, :, :] == 0: the tap is at index 0 of 2
    const a = take(I.identityInit([2, 1, 3, 3])) as number[][][][];
    expect(a[1]!.flat(2).every((v) => v === 0)).toBe(true);
    expect(a[0]![0]).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    const b = take(I.identityInit([1, 2, 3, 3])) as number[][][][];
    expect(b[0]![1]!.flat().every((v) => v === 0)).toBe(true);
  });

  test("identityInit docstring: Conv((2,2), init = identity_init(gain = 10), pad = SamePad()) multiplies by 10", () => {
    const x4 = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const c = new Conv([2, 2], [1, 1], identity, { init: I.identityInit({ gain: 10 }), pad: new SamePad() });
    expect(c.repr()).toBe("Conv((2, 2), 1 => 1, pad=(1, 0, 1, 0))");
    expect(values(assertNoLeaks(() => c.apply(x4)))).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
    tf.dispose(x4);
    dispose(c);
  });

  test("identityInit is the identity for Conv, ConvTranspose and CrossCor with SamePad (odd kernels)", () => {
    const nch = 3;
    for (const make of [
      (k: number[]) => new Conv(k, [nch, nch], identity, { init: I.identityInit, pad: new SamePad() }),
      (k: number[]) => new ConvTranspose(k, [nch, nch], identity, { init: I.identityInit, pad: new SamePad() }),
      (k: number[]) => new CrossCor(k, [nch, nch], identity, { init: I.identityInit, pad: new SamePad() }),
    ]) {
      for (const k of [[1], [3], [1, 3], [3, 5], [3, 5, 7]]) {
        const l = make(k);
        const x = tf.tensor(new Rng(k.length).normals(nch * k.reduce((a, b) => a * b, 1) * nch), [nch, ...k, nch]);
        const y = l.apply(x);
        expect(values(y)).toEqual(values(x));
        tf.dispose([x, y]);
        dispose(l);
      }
    }
  });
});
