// MaxPool's gradient inside fluxion's calls, where cpu and wasm run tf.maxPool and fluxion's
// MaxPoolGrad kernel (@fluxion/backend): equal to the tiled formula (every tied maximum of a window
// gets its dy, padding never) from a float64 loop on seeded inputs with ties, its Hessian equal to
// the hand formula H = S·diag(2w)·Sᵀ, and the kernels it runs.
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { MaxPool } from "../src/layers/conv/pooling.js";
import { gradient, hessian } from "../src/autodiff/gradient.js";
import { Rng } from "../src/functions/rng.js";
import { flatIndex, indices, prod } from "./conv-reference.js";

interface Case {
  name: string;
  shape: number[];
  k: number[];
  stride?: number[];
  pad?: number[];
}

const cases: Case[] = [
  { name: "2x2", shape: [2, 6, 8, 3], k: [2, 2] },
  { name: "3x3 stride 2", shape: [2, 7, 7, 2], k: [3, 3], stride: [2, 2] },
  { name: "(2, 3) windows", shape: [1, 6, 9, 3], k: [2, 3] },
  { name: "2x2 padded [1, 0, 0, 1], stride 1", shape: [1, 5, 6, 2], k: [2, 2], stride: [1, 1], pad: [1, 0, 0, 1] },
  { name: "3x3 stride 2 pad 1", shape: [2, 5, 6, 2], k: [3, 3], stride: [2, 2], pad: [1, 1, 1, 1] },
  { name: "1-d, window 3 stride 2", shape: [2, 9, 2], k: [3], stride: [2] },
];

/** Integer values in [-2, 2]: windows hold ties. */
function tiedValues(n: number, seed: number): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => rng.int(5) - 2);
}

/** For each output element (flat), the flat input indices of its window's tied maxima, padding never counted (NNlib's loops). */
function tiedMaxima(xv: readonly number[], c: Case): { taps: number[][]; outShape: number[] } {
  const n = c.k.length;
  const stride = c.stride ?? c.k;
  const pad = c.pad ?? Array<number>(2 * n).fill(0);
  const spatial = c.shape.slice(1, n + 1);
  const out = spatial.map((l, i) => Math.floor((l + pad[2 * i]! + pad[2 * i + 1]! - c.k[i]!) / stride[i]!) + 1);
  const outShape = [c.shape[0]!, ...out, c.shape[n + 1]!];
  const taps = indices(outShape).map(([b, ...rest]) => {
    const [o, ch] = [rest.slice(0, n), rest[n]!];
    const inside = indices(c.k)
      .map((kk) => o.map((oi, i) => oi * stride[i]! + kk[i]! - pad[2 * i]!))
      .filter((pos) => pos.every((p, i) => p >= 0 && p < spatial[i]!))
      .map((pos) => flatIndex([b!, ...pos, ch], c.shape));
    const m = Math.max(...inside.map((i) => xv[i]!));
    return inside.filter((i) => xv[i] === m);
  });
  return { taps, outShape };
}

const layerOf = (c: Case) => new MaxPool(c.k, { ...(c.stride ? { stride: c.stride } : {}), ...(c.pad ? { pad: c.pad } : {}) });

describe("MaxPool's gradient inside fluxion's calls", () => {
  test.each(cases)("$name: every tied maximum gets its window's dy (float64 loop)", (c) => {
    const xv = tiedValues(prod(c.shape), 11);
    const { taps, outShape } = tiedMaxima(xv, c);
    const wv = Array.from(new Rng(12).normals(prod(outShape)));
    const [x, w] = [tf.tensor(xv, c.shape), tf.tensor(wv, outShape)];
    const layer = layerOf(c);
    const [g] = assertNoLeaks(() => gradient((v: tf.Tensor) => tf.sum(tf.mul(w, layer.apply(v))), x), 1) as [tf.Tensor];
    const want = new Array<number>(xv.length).fill(0);
    taps.forEach((t, o) => t.forEach((i) => (want[i]! += wv[o]!)));
    Array.from(g.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    tf.dispose([x, w, g]);
  });

  test("on cpu and wasm it runs tf.maxPool and MaxPoolGrad, not a max over axes", async () => {
    const x = tf.tensor(tiedValues(2 * 6 * 6 * 2, 13), [2, 6, 6, 2]);
    const layer = new MaxPool([2, 2]);
    let g: tf.Tensor[] = [];
    const { kernelNames } = await tf.profile(() => {
      g = gradient((v: tf.Tensor) => tf.sum(layer.apply(v)), x) as tf.Tensor[];
    });
    const fast = tf.getBackend() === "cpu" || tf.getBackend() === "wasm";
    expect(kernelNames.includes("MaxPoolGrad")).toBe(fast);
    expect(kernelNames.includes("Max")).toBe(!fast);
    tf.dispose([x, ...g]);
  });
});

describe("MaxPool's second derivative inside fluxion's calls", () => {
  test.each([cases[1]!, cases[3]!].map((c) => ({ ...c, shape: [1, ...c.shape.slice(1, 3), 2] })))("$name: hessian of Σ w ⊙ MaxPool(x)² is S·diag(2w)·Sᵀ", (c) => {
    const n = prod(c.shape);
    const xv = tiedValues(n, 21);
    const { taps, outShape } = tiedMaxima(xv, c);
    const wv = Array.from(new Rng(22).normals(prod(outShape)));
    const [x, w] = [tf.tensor(xv, c.shape), tf.tensor(wv, outShape)];
    const layer = layerOf(c);
    const h = assertNoLeaks(() => hessian((v) => tf.sum(tf.mul(w, tf.square(layer.apply(v)))), x), 1);
    const want = new Array<number>(n * n).fill(0);
    taps.forEach((t, o) => t.forEach((i) => t.forEach((j) => (want[i * n + j]! += 2 * wv[o]!))));
    expect(h.shape).toEqual([n, n]);
    Array.from(h.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 4));
    tf.dispose([x, w, h]);
  });
});
