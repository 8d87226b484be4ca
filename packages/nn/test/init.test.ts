import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import * as I from "../src/functions/init.js";
import { Rng, seedRandom } from "../src/functions/rng.js";

const stats = (t: tf.Tensor) => {
  const v = Array.from(t.dataSync());
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return { mean, std, min: Math.min(...v), max: Math.max(...v) };
};

describe("initialisers", () => {
  test("nfan in our layouts", () => {
    expect(I.nfan([])).toEqual([1, 1]);
    expect(I.nfan([5])).toEqual([1, 5]);
    expect(I.nfan([3, 4])).toEqual([3, 4]); // Dense weight [in, out]
    expect(I.nfan([3, 3, 2, 8])).toEqual([18, 72]); // conv filter [kh, kw, in, out]
  });

  test("glorotUniform: bound √(6/(fi+fo)), variance bound²/3", () => {
    const t = assertNoLeaks(() => I.glorotUniform([200, 300], { rng: new Rng(1) }));
    const bound = Math.sqrt(6 / 500);
    const s = stats(t);
    expect(s.max).toBeLessThanOrEqual(bound);
    expect(s.min).toBeGreaterThanOrEqual(-bound);
    expect(s.max).toBeGreaterThan(0.99 * bound);
    expect(Math.abs(s.mean)).toBeLessThan(0.01 * bound);
    expect(s.std).toBeCloseTo(bound / Math.sqrt(3), 3);
    t.dispose();
    const g = I.glorotUniform([100, 100], { rng: new Rng(2), gain: 2 });
    expect(stats(g).max).toBeGreaterThan(Math.sqrt(6 / 200) * 1.9);
    g.dispose();
  });

  test("normal initialisers have the documented standard deviations", () => {
    const cases: [tf.Tensor, number][] = [
      [I.glorotNormal([200, 300], { rng: new Rng(3) }), Math.sqrt(2 / 500)],
      [I.kaimingNormal([400, 200], { rng: new Rng(4) }), Math.SQRT2 / Math.sqrt(400)],
      [I.kaimingUniform([400, 200], { rng: new Rng(5) }), ((Math.sqrt(3) * Math.SQRT2) / Math.sqrt(400)) / Math.sqrt(3)],
    ];
    for (const [t, std] of cases) {
      expect(stats(t).std / std).toBeCloseTo(1, 1);
      expect(Math.abs(stats(t).mean)).toBeLessThan(0.02 * std);
    }
    tf.dispose(cases.map(([t]) => t));
  });

  test("truncatedNormal and lecunNormal stay within their bounds", () => {
    const t = I.truncatedNormal([50000], { rng: new Rng(6), mean: 1, std: 2, lo: -1, hi: 2 });
    const s = stats(t);
    expect(s.min).toBeGreaterThanOrEqual(-1);
    expect(s.max).toBeLessThanOrEqual(2);
    // Flux's lecun_normal cuts at ±2 (absolute): at fan_in 1 (std 1) the extremes reach ±2.
    const l = I.lecunNormal([1, 20000], { rng: new Rng(7) });
    expect(stats(l).max).toBeLessThanOrEqual(2);
    expect(stats(l).max).toBeGreaterThan(1.95);
    expect(stats(l).min).toBeGreaterThanOrEqual(-2);
    expect(() => I.truncatedNormal([2], { lo: 1, hi: 0 })).toThrow("expected lo < hi");
    tf.dispose([t, l]);
  });

  test("orthogonal gives orthonormal columns (tall) or rows (wide), times gain", () => {
    for (const shape of [[6, 3], [3, 6], [4, 4]] as const) {
      const w = I.orthogonal([...shape], { rng: new Rng(8), gain: 2 });
      const a = w.arraySync() as number[][];
      const [r, c] = shape;
      const n = Math.min(r, c);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let dot = 0;
          for (let k = 0; k < Math.max(r, c); k++) dot += r >= c ? a[k]![i]! * a[k]![j]! : a[i]![k]! * a[j]![k]!;
          expect(dot).toBeCloseTo(i === j ? 4 : 0, 4);
        }
      }
      w.dispose();
    }
  });

  test("identityInit is the identity map; sparseInit zeroes a fraction of each column", () => {
    const e = I.identityInit([3, 3]);
    expect(e.arraySync()).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    const k = I.identityInit([3, 3, 2, 2]);
    const kv = k.arraySync() as number[][][][];
    expect(kv[1]![1]).toEqual([[1, 0], [0, 1]]);
    expect(kv[0]![0]).toEqual([[0, 0], [0, 0]]);
    const s = I.sparseInit([10, 4], { sparsity: 0.3, rng: new Rng(9) });
    const sv = s.arraySync() as number[][];
    for (let c = 0; c < 4; c++) expect(sv.filter((row) => row[c] === 0).length).toBe(3);
    tf.dispose([e, k, s]);
  });

  test("closures, seeds and bad shapes", () => {
    const init = I.glorotUniform({ rng: new Rng(10) });
    const a = init([2, 2]);
    const b = I.glorotUniform([2, 2], { rng: new Rng(10) });
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    seedRandom(11);
    const c = I.randn32([3]);
    seedRandom(11);
    const d = I.randn32([3]);
    expect(Array.from(c.dataSync())).toEqual(Array.from(d.dataSync()));
    expect(Array.from(I.zeros32([2]).dataSync())).toEqual([0, 0]);
    expect(() => I.glorotUniform([2, -1])).toThrow("glorotUniform: expected a shape (an array of non-negative integers), got [2,-1]");
    tf.dispose([a, b, c, d]);
  });
});

describe("Rng", () => {
  test("is reproducible, uniform enough, and restorable", () => {
    const r = new Rng(42);
    const first = Array.from({ length: 5 }, () => r.uint32());
    expect(Array.from({ length: 5 }, () => new Rng(42)).map((g) => g.uint32())).toEqual(Array(5).fill(first[0]));
    const u = new Rng(1).floats(100000);
    const mean = u.reduce((a, b) => a + b, 0) / u.length;
    expect(mean).toBeCloseTo(0.5, 2);
    const g = new Rng(5);
    g.normal();
    const saved = g.getState();
    const next = [g.normal(), g.float()];
    expect([new Rng(0).setState(saved).normal(), new Rng(0).setState(saved).normal()]).toEqual([next[0], next[0]]);
    const p = new Rng(3).permutation(10);
    expect([...p].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(() => new Rng(1).int(0)).toThrow("n must be a positive integer");
  });
});
