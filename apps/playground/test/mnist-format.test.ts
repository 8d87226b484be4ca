import { describe, expect, it } from "@jest/globals";
import { PIXELS, SIDE } from "../src/digits-format.js";
import { toMnist } from "../src/mnist-format.js";
import { encodeMnist } from "../vite/mnist-asset.js";
import { parseDigits } from "../src/digits-format.js";

const W = 280;

/** Ink in [x0, x1) × [y0, y1) on a W×W canvas. */
function rect(x0: number, y0: number, x1: number, y1: number): Float32Array {
  const g = new Float32Array(W * W);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) g[y * W + x] = 1;
  return g;
}

function stats(img: Float32Array) {
  let mass = 0, mx = 0, my = 0, x0 = SIDE, x1 = -1, y0 = SIDE, y1 = -1, max = 0, min = Infinity;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const v = img[y * SIDE + x]!;
      max = Math.max(max, v);
      min = Math.min(min, v);
      if (v > 0) {
        mass += v; mx += x * v; my += y * v;
        x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
      }
    }
  }
  return { cx: mx / mass, cy: my / mass, width: x1 - x0 + 1, height: y1 - y0 + 1, max, min };
}

describe("toMnist", () => {
  it("returns null for an empty drawing and rejects a wrong size", () => {
    expect(toMnist(new Float32Array(W * W), W, W)).toBeNull();
    expect(() => toMnist(new Float32Array(10), W, W)).toThrow(/280×280 needs 78400 values, got 10/);
  });

  it("keeps the aspect ratio: a tall bar fills 20 rows and only a few columns", () => {
    const img = toMnist(rect(100, 40, 120, 240), W, W)!; // 20 × 200 px
    expect(img).toHaveLength(PIXELS);
    const s = stats(img);
    expect(s.height).toBe(20);
    expect(s.width).toBe(2);
    expect(s.max).toBeCloseTo(1, 6);
    expect(s.min).toBeGreaterThanOrEqual(0);
  });

  it("puts the centre of mass at pixel (14, 14) as MNIST does, wherever the ink was drawn", () => {
    for (const [x, y] of [[0, 0], [200, 10], [30, 180]]) {
      const img = toMnist(rect(x, y, x + 80, y + 60), W, W)!;
      const s = stats(img);
      expect(Math.abs(s.cx - SIDE / 2)).toBeLessThanOrEqual(0.5);
      expect(Math.abs(s.cy - SIDE / 2)).toBeLessThanOrEqual(0.5);
      expect(s.width).toBe(20);
      expect(s.height).toBe(15);
    }
  });

  it("turns a real MNIST digit drawn 10× larger back into (nearly) itself", () => {
    const all = parseDigits(encodeMnist(`${__dirname}/..`));
    for (const k of [0, 1500, 4321, 9999]) {
      const original = Float32Array.from(all.pixels.subarray(k * PIXELS, (k + 1) * PIXELS), (v) => v / 255);
      const big = new Float32Array(W * W);
      for (let y = 0; y < W; y++) for (let x = 0; x < W; x++) big[y * W + x] = original[Math.floor(y / 10) * SIDE + Math.floor(x / 10)]!;
      const back = toMnist(big, W, W)!;
      expect(correlation(original, back)).toBeGreaterThan(0.95);
    }
  });
});

function correlation(a: Float32Array, b: Float32Array): number {
  const mean = (v: Float32Array) => v.reduce((s, x) => s + x, 0) / v.length;
  const ma = mean(a), mb = mean(b);
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i]! - ma) * (b[i]! - mb);
    aa += (a[i]! - ma) ** 2;
    bb += (b[i]! - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}
