// fluxion's MaxPoolGrad kernel and its adjoint (max-pool-grad.ts) on cpu and wasm, through tf.maxPool
// inside fluxion's gradient calls: hand-worked values (ties, overlapping windows, padding, rows no
// window covers), a float64 loop over seeded inputs with ties (several batches and channels), the
// second derivative against the hand formula H = S·diag(2w)·Sᵀ, the kernel registry around
// fluxion's calls, what the kernel hands to the stock one, and bad shapes refused.
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { fluxionKernelFor, valueAndGradients, withFluxionKernels } from "@fluxion/backend/internal";
import { assertNoLeaks, refusal } from "@fluxion/backend/testing";
import { seeded } from "./seeded.js";
import { MAX_POOL_GATHER } from "../src/max-pool-grad.js";

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());
const kernelHere = () => tf.getBackend() === "cpu" || tf.getBackend() === "wasm";
type Pad = "valid" | "same" | number;

/** dL/dx for L = Σ w ⊙ maxPool(x), inside fluxion's gradient call. */
function poolGradient(x: tf.Tensor4D, w: tf.Tensor, k: [number, number], s: [number, number], pad: Pad): number[] {
  const r = assertNoLeaks(() => valueAndGradients(() => tf.sum(tf.mul(w, tf.maxPool(x, k, s, pad))), [x]), 2);
  const g = values(r.grads[0]!).map((v) => v + 0);
  tf.dispose([r.value, ...r.grads]);
  return g;
}

describe("fluxion's MaxPoolGrad by hand", () => {
  const hand: [string, number[], [number, number, number, number], [number, number], [number, number], Pad, number[], number[]][] = [
    // windows [1 3; 3 0] (max 3, twice) and [2 2; 1 0] (max 2, twice)
    ["ties in a window", [1, 3, 2, 2, 3, 0, 1, 0], [1, 2, 4, 1], [2, 2], [2, 2], "valid", [10, 100], [0, 10, 100, 100, 10, 0, 0, 0]],
    // 2x2 windows at stride 1 over [1 5 2; 4 5 0; 3 1 6]: maxima {5, 5}, {5, 5}, {5}, {6}
    ["overlapping windows add", [1, 5, 2, 4, 5, 0, 3, 1, 6], [1, 3, 3, 1], [2, 2], [1, 1], "valid", [1, 2, 4, 8], [0, 3, 0, 0, 7, 0, 0, 0, 8]],
    // one 2x2 window: the last row and column, though larger, get nothing
    ["rows and columns no window covers get 0", [1, 2, 9, 4, 3, 9, 9, 9, 9], [1, 3, 3, 1], [2, 2], [2, 2], "valid", [5], [0, 0, 0, 5, 0, 0, 0, 0, 0]],
    // "same", 3x3 at stride 2 over 1..9: one row and column of padding before, windows' maxima 5, 6, 8, 9
    ["'same' padding", [1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1], [3, 3], [2, 2], "same", [1, 2, 3, 4], [0, 0, 0, 0, 1, 2, 0, 3, 4]],
    // pad 1, 2x2 at stride 2 over −1..−9: windows {−1}, {−2, −3}, {−4, −7}, {−5, −6, −8, −9}; never the pad
    ["numeric padding never wins", [-1, -2, -3, -4, -5, -6, -7, -8, -9], [1, 3, 3, 1], [2, 2], [2, 2], 1, [1, 2, 3, 4], [1, 2, 0, 3, 4, 0, 0, 0, 0]],
  ];
  test.each(hand)("%s", (_, xv, shape, k, s, pad, wv, want) => {
    const x = tf.tensor4d(xv, shape);
    const y = tf.maxPool(x, k, s, pad);
    const w = tf.tensor(wv, y.shape);
    expect(poolGradient(x, w, k, s, pad)).toEqual(want);
    tf.dispose([x, y, w]);
  });

  test("several channels and batches: channel and batch kept apart", () => {
    // [2, 2, 2, 2]: batch 0 channel 0 has its maximum at (1, 1), channel 1 ties everywhere; batch 1 the reverse
    const xv = [0, 7, 1, 7, 2, 7, 3, 7, 7, 3, 7, 2, 7, 1, 7, 0];
    const x = tf.tensor4d(xv, [2, 2, 2, 2]);
    const w = tf.tensor4d([1, 2, 3, 4], [2, 1, 1, 2]);
    expect(poolGradient(x, w, [2, 2], [2, 2], "valid")).toEqual([0, 2, 0, 2, 0, 2, 1, 2, 3, 4, 3, 0, 3, 0, 3, 0]);
    tf.dispose([x, w]);
  });
});

interface Case {
  name: string;
  shape: [number, number, number, number];
  k: [number, number];
  s: [number, number];
  pad: Pad;
}

/** For each window (flat output index), the flat input indices of its tied maxima, from the definition (padding never counts). */
function tiedMaxima(xv: readonly number[], c: Case, out: readonly number[]): number[][] {
  const [batch, h, w, ch] = c.shape;
  const [oh, ow] = [out[1]!, out[2]!];
  // tfjs's split of "same" padding: the smaller half first.
  const total = (o: number, i: number, kk: number, ss: number) => Math.max((o - 1) * ss + kk - i, 0);
  const [top, left] = c.pad === "same" ? [Math.floor(total(oh, h, c.k[0], c.s[0]) / 2), Math.floor(total(ow, w, c.k[1], c.s[1]) / 2)] : c.pad === "valid" ? [0, 0] : [c.pad, c.pad];
  const taps: number[][] = [];
  for (let b = 0; b < batch; b++)
    for (let r = 0; r < oh; r++)
      for (let q = 0; q < ow; q++)
        for (let d = 0; d < ch; d++) {
          const inside: number[] = [];
          for (let i = 0; i < c.k[0]; i++)
            for (let j = 0; j < c.k[1]; j++) {
              const [y, z] = [r * c.s[0] - top + i, q * c.s[1] - left + j];
              if (y >= 0 && y < h && z >= 0 && z < w) inside.push(((b * h + y) * w + z) * ch + d);
            }
          const m = Math.max(...inside.map((i) => xv[i]!));
          taps.push(inside.filter((i) => xv[i] === m));
        }
  return taps;
}

const cases: Case[] = [
  { name: "2x2", shape: [2, 6, 8, 3], k: [2, 2], s: [2, 2], pad: "valid" },
  { name: "3x3 stride 2", shape: [2, 7, 7, 2], k: [3, 3], s: [2, 2], pad: "valid" },
  { name: "(2, 3) windows, stride (1, 2)", shape: [1, 5, 7, 3], k: [2, 3], s: [1, 2], pad: "valid" },
  { name: "3x3 stride 2, 'same'", shape: [2, 6, 5, 2], k: [3, 3], s: [2, 2], pad: "same" },
  { name: "2x2 stride 3, pad 1", shape: [1, 8, 7, 2], k: [2, 2], s: [3, 3], pad: 1 },
];

describe("fluxion's MaxPoolGrad against a float64 loop (seeded, with ties)", () => {
  test.each(cases)("$name", (c) => {
    const n = c.shape.reduce((a, b) => a * b, 1);
    const xv = seeded(n, 3).map((v) => Math.round(3 * v)); // 7 values: many ties
    const x = tf.tensor4d(xv, c.shape);
    const y = tf.maxPool(x, c.k, c.s, c.pad);
    const wv = seeded(y.size, 4);
    const w = tf.tensor(wv, y.shape);
    const want = new Array<number>(n).fill(0);
    tiedMaxima(xv, c, y.shape).forEach((taps, o) => taps.forEach((i) => (want[i]! += wv[o]!)));
    const got = poolGradient(x, w, c.k, c.s, c.pad);
    got.forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 5));
    tf.dispose([x, y, w]);
  });
});

describe("second order through fluxion's MaxPoolGrad", () => {
  test.each(cases.slice(1, 4))("Hessian-vector product of Σ w ⊙ maxPool(x)² is S·(2w ⊙ Sᵀv): $name", (c) => {
    const n = c.shape.reduce((a, b) => a * b, 1);
    const xv = seeded(n, 5).map((v) => Math.round(3 * v));
    const x = tf.tensor4d(xv, c.shape);
    const y = tf.maxPool(x, c.k, c.s, c.pad);
    const [wv, vv] = [seeded(y.size, 6), seeded(n, 7)];
    const [w, v] = [tf.tensor(wv, y.shape), tf.tensor(vv, c.shape)];
    const f = () => tf.sum(tf.mul(w, tf.square(tf.maxPool(x, c.k, c.s, c.pad))));
    const r = assertNoLeaks(() => valueAndGradients(() => tf.sum(tf.mul(v, valueAndGradients(f, [x]).grads[0]!)), [x]), 2);
    const taps = tiedMaxima(xv, c, y.shape);
    const want = new Array<number>(n).fill(0);
    taps.forEach((t, o) => {
      const sv = t.reduce((acc, i) => acc + vv[i]!, 0); // (Sᵀv)_o
      t.forEach((i) => (want[i]! += 2 * wv[o]! * sv));
    });
    values(r.grads[0]!).forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 4));
    tf.dispose([x, y, w, v, r.value, ...r.grads]);
  });

  test("the gather's gradient is the scatter: d/du Σ w ⊙ gather(u) = MaxPoolGrad(w)", () => {
    if (!kernelHere()) return;
    const x = tf.tensor4d([1, 3, 2, 2, 3, 0, 1, 0], [1, 2, 4, 1]);
    const y = tf.maxPool(x, 2, 2, "valid");
    const u = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 4, 1]);
    const w = tf.tensor4d([10, 100], [1, 1, 2, 1]);
    const attrs = { filterSize: 2, strides: 2, pad: "valid" };
    const r = assertNoLeaks(() => valueAndGradients(() => tf.sum(tf.mul(w, tf.engine().runKernel(MAX_POOL_GATHER, { dx: u, input: x, output: y }, attrs) as tf.Tensor)), [u]), 2);
    // gather(u) = [u1 + u4, u2 + u3] = [7, 7]; Σ w ⊙ gather(u) = 770
    expect(values(r.value)).toEqual([770]);
    expect(values(r.grads[0]!)).toEqual([0, 10, 100, 100, 10, 0, 0, 0]);
    tf.dispose([x, y, u, w, r.value, ...r.grads]);
  });
});

describe("the MaxPoolGrad kernel around fluxion's calls", () => {
  const registered = () => tf.getKernel("MaxPoolGrad", tf.getBackend());
  const gatherHere = () => tf.getKernel(MAX_POOL_GATHER, tf.getBackend());

  test("fluxion's kernels inside its calls (cpu, wasm), the stock one and no gather after, also after a throw", () => {
    const stock = registered();
    expect(stock).toBeDefined();
    expect(fluxionKernelFor("MaxPoolGrad")).toBe(false);
    withFluxionKernels(() => {
      expect(fluxionKernelFor("MaxPoolGrad")).toBe(kernelHere());
      expect(registered() !== stock).toBe(kernelHere());
      expect(gatherHere() !== undefined).toBe(kernelHere());
    });
    expect(registered()).toBe(stock);
    expect(gatherHere()).toBeUndefined();
    expect(() =>
      withFluxionKernels(() => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(registered()).toBe(stock);
    expect(gatherHere()).toBeUndefined();
  });

  test("what it does not take (int32 tensors) goes to the stock kernel", () => {
    const xf = tf.tensor4d([1, 3, 2, 2, 3, 0, 1, 0], [1, 2, 4, 1]);
    const [x, y] = tf.tidy(() => [tf.cast(xf, "int32"), tf.cast(tf.maxPool(xf, 2, 2, "valid"), "int32")]);
    const dy = tf.tensor4d([10, 100], [1, 1, 2, 1]);
    const run = () => tf.engine().runKernel("MaxPoolGrad", { dy, input: x!, output: y! }, { filterSize: 2, strides: 2, pad: "valid" }) as tf.Tensor;
    // The stock result, or the stock error (tfjs-backend-wasm takes float32 only).
    const outcome = (f: () => tf.Tensor): number[] | string => {
      try {
        const t = f();
        const v = values(t);
        t.dispose();
        return v;
      } catch (err) {
        return (err as Error).message;
      }
    };
    const inside = outcome(() => withFluxionKernels(run));
    expect(inside).toEqual(outcome(run));
    // tfjs-backend-cpu sends each window's dy to one maximum, where fluxion's kernel sends it to every tie.
    if (tf.getBackend() === "cpu") expect((inside as number[]).filter((v) => v !== 0)).toHaveLength(2);
    tf.dispose([xf, x!, y!, dy]);
  });

  test("a dy or output that does not fit the windows is refused, naming it", () => {
    if (!kernelHere()) return;
    const x = tf.zeros([1, 4, 4, 2]);
    const y = tf.zeros([1, 2, 2, 2]);
    const bad = tf.zeros([1, 3, 2, 2]);
    const attrs = { filterSize: 2, strides: 2, pad: "valid" };
    const run = (inputs: Record<string, tf.Tensor>) => withFluxionKernels(() => tf.engine().runKernel("MaxPoolGrad", inputs, attrs));
    expect(refusal(() => run({ dy: bad, input: x, output: y })).message).toBe("MaxPoolGrad: dy has shape [1, 3, 2, 2], expected [1, 2, 2, 2] for an input of shape [1, 4, 4, 2] and these windows");
    expect(refusal(() => run({ dy: y, input: x, output: bad })).message).toContain("MaxPoolGrad: output has shape [1, 3, 2, 2], expected [1, 2, 2, 2]");
    tf.dispose([x, y, bad]);
  });
});
