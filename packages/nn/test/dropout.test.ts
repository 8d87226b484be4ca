import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { functor } from "@fluxion/functors";
import { trainables } from "@fluxion/optimisers";
import { Chain } from "../src/layers/basic/chain.js";
import { Dense } from "../src/layers/basic/dense.js";
import { dispose } from "../src/core/dispose.js";
import { AlphaDropout, Dropout } from "../src/layers/normalise/dropout.js";
import { gradient } from "../src/autodiff/gradient.js";
import { testMode, trainMode } from "../src/core/modules.js";
import { Rng, seedRandom } from "../src/functions/rng.js";
import { expectClose } from "./helpers.js";

const values = (t: unknown): number[] => Array.from((t as tf.Tensor).dataSync());


const meanVar = (v: readonly number[]): [number, number] => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return [m, v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length];
};

describe("Dropout", () => {
  test("fields, no trainables, p checks", () => {
    const d = new Dropout(0.4);
    expect(Object.keys(functor(d)[0])).toEqual(["p", "dims", "active", "rng"]);
    expect([d.p, d.dims, d.active, d.rng]).toEqual([0.4, null, null, null]);
    expect(trainables(d)).toEqual([]);
    expect(() => new Dropout(1.5)).toThrow("Dropout expects 0 ≤ p ≤ 1, got p = 1.5");
    expect(() => new Dropout(-0.1)).toThrow("Dropout expects 0 ≤ p ≤ 1, got p = -0.1");
    expect(() => new Dropout(Number.NaN)).toThrow("Dropout expects 0 ≤ p ≤ 1, got p = NaN");
    expect(() => new Dropout(0.5, { dims: 1.5 })).toThrow("Dropout: dims must be an axis or an array of axes (integers), got 1.5");
    expect(() => new Dropout(0.5, { rng: {} as any })).toThrow("Dropout: rng must be an Rng, got object");
  });

  test("repr, printing, and testMode / trainMode", () => {
    expect(new Dropout(0.4).repr()).toBe("Dropout(0.4)");
    expect(new Dropout(0.4, { dims: 3 }).repr()).toBe("Dropout(0.4, dims=3)");
    expect(new Dropout(0.4, { dims: [1, 2] }).repr()).toBe("Dropout(0.4, dims=(1, 2))");
    expect(new Dropout(0.3, { active: false }).repr()).toBe("Dropout(0.3, active=false)");
    const d = new Dropout(0.3);
    expect(d.toString()).toBe("Dropout(0.3)");
    expect(testMode(d).toString()).toBe("Dropout(0.3, active=false)");
    expect(trainMode(d).toString()).toBe("Dropout(0.3, active=true)");
    expect(testMode(d, "auto").toString()).toBe("Dropout(0.3)");
    expect(d.active).toBeNull();
  });

  test("the reference's Trio-like Chain: Dropout gets a line without a count", () => {
    const c = new Chain(new Dense([2, 1]), new Dropout(0.4));
    expect(c.toString().split("\n")[2]).toBe("  Dropout(0.4),");
    dispose(c);
  });

  test("inactive (test mode, or automatic outside gradient): the identity, as a new tensor", () => {
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    for (const d of [new Dropout(0.5), new Dropout(0.5, { active: false })]) {
      const y = assertNoLeaks(() => d.apply(x));
      expect(y).not.toBe(x);
      expect(values(y)).toEqual([1, 2, 3, 4]);
      y.dispose();
    }
    expect(x.isDisposed).toBe(false);
    x.dispose();
  });

  test("active: the mask is u > p from the given Rng, scaled by 1/(1 − p)", () => {
    const shape = [3, 4, 5];
    const n = 60;
    const xv = Array.from({ length: n }, (_, i) => i - 30.5);
    const x = tf.tensor(xv, shape);
    const d = new Dropout(0.3, { active: true, rng: new Rng(42) });
    const y = assertNoLeaks(() => d.apply(x));
    const u = new Rng(42).floats(n);
    const expected = xv.map((v, i) => (u[i]! > 0.3 ? v * Math.fround(1 / 0.7) : 0));
    expectClose(values(y), expected);
    // the generator advances: a second call draws a new mask
    const y2 = d.apply(x);
    const u2 = (() => {
      const r = new Rng(42);
      r.floats(n);
      return r.floats(n);
    })();
    expectClose(values(y2), xv.map((v, i) => (u2[i]! > 0.3 ? v * Math.fround(1 / 0.7) : 0)));
    tf.dispose([x, y, y2]);
  });

  test("the default generator follows seedRandom", () => {
    const x = tf.ones([50]);
    const d = new Dropout(0.5, { active: true });
    seedRandom(7);
    const a = values(tf.tidy(() => d.apply(x)));
    seedRandom(7);
    const b = values(tf.tidy(() => d.apply(x)));
    expect(a).toEqual(b);
    const u = new Rng(7).floats(50);
    expect(a).toEqual(Array.from(u, (v) => (v > 0.5 ? 2 : 0)));
    x.dispose();
  });

  test("dims: the mask varies only along the given axes (per-channel dropout)", () => {
    const x = tf.ones([2, 3, 3, 4]); // NHWC
    const d = new Dropout(0.5, { dims: 3, active: true, rng: new Rng(3) });
    const y = d.apply(x);
    const u = new Rng(3).floats(4);
    const perChannel = Array.from(u, (v) => (v > 0.5 ? 2 : 0));
    expect(values(y)).toEqual(Array.from({ length: 72 }, (_, i) => perChannel[i % 4]));
    // negative axes and several axes: [batch, channels] varies, space broadcast
    const d2 = new Dropout(0.5, { dims: [0, -1], active: true, rng: new Rng(4) });
    const y2 = d2.apply(x);
    const u2 = new Rng(4).floats(8);
    expect(values(y2)).toEqual(Array.from({ length: 72 }, (_, i) => (u2[Math.floor(i / 36) * 4 + (i % 4)]! > 0.5 ? 2 : 0)));
    const bad = new Dropout(0.5, { dims: 4, active: true });
    expect(() => bad.apply(x)).toThrow("layer Dropout(0.5, dims=4, active=true) got an input of rank 4 (shape [2, 3, 3, 4]), which has no axis 4");
    tf.dispose([x, y, y2]);
  });

  test("p = 1 zeroes everything (Flux's docstring: Chain(Dense(1 => 1), Dropout(1)) gives [0]); p = 0 keeps x", () => {
    const m = new Chain(new Dense([1, 1]), new Dropout(1));
    trainMode(m);
    const x = tf.tensor2d([[1]]);
    const y = m.apply(x) as tf.Tensor;
    expect(values(y)[0] === 0).toBe(true); // Julia's y == [0] (−0 == 0)
    const z = new Dropout(0, { active: true }).apply(x);
    expect(values(z)).toEqual([1]);
    tf.dispose([x, y, z]);
    dispose(m);
  });

  test("statistics: about p of the entries are zero and the mean is kept (Flux's docstring)", () => {
    const x = tf.fill([2, 10_000], 2);
    const y = new Dropout(0.4, { active: true, rng: new Rng(1) }).apply(x);
    const v = values(y);
    const zeros = v.filter((e) => e === 0).length / v.length;
    expect(Math.abs(zeros - 0.4)).toBeLessThan(0.02);
    expect(Math.abs(meanVar(v)[0] - 2)).toBeLessThan(0.05);
    tf.dispose([x, y]);
  });

  test("automatic mode is active inside gradient; the gradient is the mask", () => {
    const x = tf.tensor1d([1, 2, 3, 4, 5, 6, 7, 8]);
    const d = new Dropout(0.5, { rng: new Rng(9) });
    const [gx] = assertNoLeaks(() => gradient((v: tf.Tensor) => tf.sum(d.apply(v)), x)) as tf.Tensor[];
    const u = new Rng(9).floats(8);
    expect(values(gx)).toEqual(Array.from(u, (e) => (e > 0.5 ? 2 : 0)));
    // outside gradient it is the identity again (and draws nothing)
    const y = d.apply(x);
    expect(values(y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    tf.dispose([x, gx!, y]);
  });
});

describe("AlphaDropout", () => {
  const alphaPrime = Math.fround(-1.0507009873554804934193349852946 * 1.6732632423543772848170429916717);
  const coeffs = (p: number) => {
    const A = 1 / Math.sqrt((1 - p) * (1 + p * alphaPrime ** 2));
    return { A, B: -A * alphaPrime * p };
  };

  test("fields, repr, checks", () => {
    const d = new AlphaDropout(0.2);
    expect(Object.keys(functor(d)[0])).toEqual(["p", "active", "rng"]);
    expect(d.repr()).toBe("AlphaDropout(0.2)");
    expect(d.toString()).toBe("AlphaDropout(0.2)");
    expect(trainables(d)).toEqual([]);
    expect(() => new AlphaDropout(2)).toThrow("AlphaDropout expects 0 ≤ p ≤ 1, got p = 2");
    // Flux's constants: α′ = selu(−∞) = −λα
    expect(d.coefficients.alphaPrime).toBe(Math.fround(-1.7580993408473766));
    expect(d.coefficients.A).toBeCloseTo(coeffs(0.2).A, 6);
    expect(d.coefficients.B).toBeCloseTo(coeffs(0.2).B, 6);
  });

  test("exact values with a fixed mask: A·(u > p ? x : α′) + B", () => {
    const xv = [-2, -1, -0.5, 0, 0.5, 1, 2, 3, -3, 0.25];
    const x = tf.tensor(xv, [2, 5]);
    const d = new AlphaDropout(0.4, { active: true, rng: new Rng(5) });
    const y = assertNoLeaks(() => d.apply(x));
    const u = new Rng(5).floats(10);
    const { A, B } = coeffs(0.4);
    expectClose(values(y), xv.map((v, i) => A * (u[i]! > 0.4 ? v : alphaPrime) + B), 1e-6, 1e-6);
    tf.dispose([x, y]);
  });

  test("keeps the mean and variance of SELU-distributed inputs", () => {
    const n = 200_000;
    const rng = new Rng(123);
    const lambda = 1.0507009873554804934193349852946;
    const alpha = 1.6732632423543772848170429916717;
    // selu(z), z ~ N(0, 1) has mean 0 and variance 1 (the SELU fixed point, up to sampling)
    const xv = Array.from(rng.normals(n), (z) => lambda * (z > 0 ? z : alpha * (Math.exp(z) - 1)));
    const [mx, vx] = meanVar(xv);
    const x = tf.tensor1d(xv);
    for (const p of [0.1, 0.5]) {
      const y = new AlphaDropout(p, { active: true, rng: new Rng(77) }).apply(x);
      const [my, vy] = meanVar(values(y));
      expect(Math.abs(my - mx)).toBeLessThan(0.01);
      expect(Math.abs(vy - vx)).toBeLessThan(0.02);
      y.dispose();
    }
    x.dispose();
  });

  test("p = 0 and inactive: identity; p = 1: zeros (NaN stays NaN)", () => {
    const x = tf.tensor1d([1, -2, Number.NaN]);
    const id = new AlphaDropout(0, { active: true }).apply(x);
    expect(values(id)).toEqual([1, -2, Number.NaN]);
    const off = assertNoLeaks(() => new AlphaDropout(0.5).apply(x));
    expect(values(off)).toEqual([1, -2, Number.NaN]);
    const all = new AlphaDropout(1, { active: true }).apply(x);
    expect(values(all).map((v) => (Object.is(v, -0) ? 0 : v))).toEqual([0, 0, Number.NaN]);
    tf.dispose([x, id, off, all]);
  });

  test("testMode / trainMode, and the gradient inside gradient is A on kept entries", () => {
    const d = new AlphaDropout(0.3, { rng: new Rng(8) });
    expect(trainMode(d).active).toBe(true);
    testMode(d, "auto");
    const x = tf.tensor1d([0.5, -1, 2, 0.1, -0.3, 1.2]);
    const [gx] = assertNoLeaks(() => gradient((v: tf.Tensor) => tf.sum(d.apply(v)), x)) as tf.Tensor[];
    const u = new Rng(8).floats(6);
    const { A } = coeffs(0.3);
    expectClose(values(gx), Array.from(u, (e) => (e > 0.3 ? A : 0)), 1e-6, 1e-7);
    tf.dispose([x, gx!]);
  });
});
