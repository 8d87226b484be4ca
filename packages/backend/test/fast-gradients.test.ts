// fluxion's BatchMatMul gradient (fast-gradients.ts, used inside valueAndGradients) against float64
// loops of the chain rule, against tfjs's stock gradient (tf.grads outside fluxion's calls), and to
// second order against a hand-derived Hessian. The registry tests check that fluxion's gradients
// are in place only during its own calls, whatever else (tfjs-layers) registered.
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { valueAndGradients, withFluxionKernels } from "@fluxion/backend/internal";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { seeded } from "./seeded.js";
import { fastMatMul } from "../src/fast-gradients.js";

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const strides = (shape: readonly number[]): number[] => shape.map((_, i) => size(shape.slice(i + 1)));

interface Case {
  a: number[];
  b: number[];
  ta: boolean;
  tb: boolean;
}

/**
 * dL/da and dL/db for L = Σ W ⊙ (op(a)·op(b)), batch axes broadcast, by the chain rule element by
 * element in float64: each product term a[..]·b[..] sends W·b to a's entry and W·a to b's.
 */
function reference(c: Case, av: number[], bv: number[], w: number[]): { da: number[]; db: number[]; outShape: number[] } {
  const [ra, ca] = c.a.slice(-2) as [number, number];
  const [rb, cb] = c.b.slice(-2) as [number, number];
  const [m, k] = c.ta ? [ca, ra] : [ra, ca];
  const n = c.tb ? rb : cb;
  const batchA = c.a.slice(0, -2);
  const batchB = c.b.slice(0, -2);
  const rank = Math.max(batchA.length, batchB.length);
  const padA = [...Array<number>(rank - batchA.length).fill(1), ...batchA];
  const padB = [...Array<number>(rank - batchB.length).fill(1), ...batchB];
  const batch = padA.map((d, i) => Math.max(d, padB[i]!));
  const [sA, sB, sOut] = [strides(padA), strides(padB), strides(batch)];
  const da = new Array<number>(av.length).fill(0);
  const db = new Array<number>(bv.length).fill(0);
  for (let t = 0; t < size(batch); t++) {
    let [offA, offB] = [0, 0];
    batch.forEach((_, i) => {
      const idx = Math.floor(t / sOut[i]!) % batch[i]!;
      offA += (padA[i] === 1 ? 0 : idx) * sA[i]!;
      offB += (padB[i] === 1 ? 0 : idx) * sB[i]!;
    });
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        const wij = w[t * m * n + i * n + j]!;
        for (let p = 0; p < k; p++) {
          const ia = offA * ra * ca + (c.ta ? p * ca + i : i * ca + p);
          const ib = offB * rb * cb + (c.tb ? j * cb + p : p * cb + j);
          da[ia]! += wij * bv[ib]!;
          db[ib]! += wij * av[ia]!;
        }
      }
  }
  return { da, db, outShape: [...batch, m, n] };
}

/** |got − want| ≤ tol · (1 + max |want|), element by element. */
function expectClose(got: tf.Tensor, want: number[], shape: readonly number[], tol = 2e-6): void {
  expect(got.shape).toEqual([...shape]);
  const g = got.dataSync();
  const scale = 1 + Math.max(...want.map(Math.abs));
  const worst = Math.max(...want.map((v, i) => Math.abs(g[i]! - v)));
  expect(worst).toBeLessThanOrEqual(tol * scale);
}

/** Inputs, the weights W of the loss, and the loss itself. */
function setUp(c: Case, seed: number) {
  const av = seeded(size(c.a), seed);
  const bv = seeded(size(c.b), seed + 1);
  const ref0 = reference(c, av, bv, []);
  const w = seeded(size(ref0.outShape), seed + 2);
  const [a, b, wt] = [tf.tensor(av, c.a), tf.tensor(bv, c.b), tf.tensor(w, ref0.outShape)];
  const loss = (x: tf.Tensor, y: tf.Tensor): tf.Tensor => tf.sum(tf.mul(wt, tf.matMul(x, y, c.ta, c.tb)));
  return { a, b, wt, loss, ref: reference(c, av, bv, w) };
}

const FLAGS: [boolean, boolean][] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];

describe("fluxion's BatchMatMul gradient", () => {
  for (const [ta, tb] of FLAGS) {
    for (const [m, k, n] of [
      [3, 4, 5],
      [16, 33, 7],
    ] as const) {
      test(`transposeA=${ta}, transposeB=${tb}, [${m}×${k}]·[${k}×${n}]: float64 loops and tfjs's stock gradient agree`, () => {
        const c: Case = { a: ta ? [k, m] : [m, k], b: tb ? [n, k] : [k, n], ta, tb };
        const { a, b, wt, loss, ref } = setUp(c, 11 * m + n);
        const ours = assertNoLeaks(() => valueAndGradients(() => loss(a, b), [a, b]), 3);
        const stock = tf.grads(loss)([a, b]);
        expectClose(ours.grads[0]!, ref.da, c.a);
        expectClose(ours.grads[1]!, ref.db, c.b);
        expectClose(stock[0]!, ref.da, c.a);
        expectClose(stock[1]!, ref.db, c.b);
        expectClose(ours.grads[0]!, Array.from(stock[0]!.dataSync()), c.a);
        expectClose(ours.grads[1]!, Array.from(stock[1]!.dataSync()), c.b);
        tf.dispose([a, b, wt, ours.value, ...ours.grads, ...stock]);
      });
    }
  }

  const broadcasting: Case[] = [
    { a: [2, 3, 4], b: [4, 5], ta: false, tb: false },
    { a: [3, 4], b: [2, 4, 5], ta: false, tb: false },
    { a: [2, 3, 4, 3], b: [3, 5, 4], ta: true, tb: true },
    { a: [1, 3, 4], b: [2, 1, 5, 4], ta: false, tb: true },
    { a: [2, 3, 4, 3], b: [2, 3, 4, 5], ta: true, tb: false },
  ];
  for (const c of broadcasting) {
    test(`batch axes broadcast: a [${c.a}] (transposeA=${c.ta}), b [${c.b}] (transposeB=${c.tb})`, () => {
      const { a, b, wt, loss, ref } = setUp(c, c.a.length * 7 + c.b.length);
      const ours = assertNoLeaks(() => valueAndGradients(() => loss(a, b), [a, b]), 3);
      expectClose(ours.grads[0]!, ref.da, c.a);
      expectClose(ours.grads[1]!, ref.db, c.b);
      // tfjs's stock gradient returns the broadcast shape (the tape refuses it); broadcast the
      // inputs explicitly and it sums them back itself (BroadcastTo's gradient).
      const full = (x: tf.Tensor) => tf.broadcastTo(x, [...ref.outShape.slice(0, -2), ...x.shape.slice(-2)]);
      const stock = tf.grads((x: tf.Tensor, y: tf.Tensor) => loss(full(x), full(y)))([a, b]);
      expectClose(ours.grads[0]!, Array.from(stock[0]!.dataSync()), c.a);
      expectClose(ours.grads[1]!, Array.from(stock[1]!.dataSync()), c.b);
      tf.dispose([a, b, wt, ours.value, ...ours.grads, ...stock]);
    });
  }

  test("the backward pass keeps the transpose flags where fluxion's kernel runs them (cpu, wasm); on wasm outside it, the products run untransposed", async () => {
    const c: Case = { a: [3, 4], b: [4, 5], ta: false, tb: false };
    const { a, b, wt, loss } = setUp(c, 5);
    // A product runs untransposed when its inner sizes meet and the output is [rows of a, columns of b].
    const untransposed = (k: { inputShapes: number[][]; outputShapes: number[][] }) => {
      const [sa, sb] = k.inputShapes as [number[], number[]];
      const out = k.outputShapes[0]!;
      return sa.at(-1) === sb.at(-2) && out.at(-2) === sa.at(-2) && out.at(-1) === sb.at(-1);
    };
    const products = async (f: () => tf.Tensor[]) => {
      const info = await tf.profile(() => f());
      tf.dispose(info.result as tf.Tensor[]);
      return info.kernels.filter((k) => k.name === "BatchMatMul");
    };
    const ours = await products(() => {
      const r = valueAndGradients(() => loss(a, b), [a, b]);
      return [r.value, ...(r.grads as tf.Tensor[])];
    });
    const stock = await products(() => tf.grads(loss)([a, b]));
    expect(ours).toHaveLength(3);
    expect(stock).toHaveLength(3);
    // The two gradient products keep their flags: fluxion's kernel (cpu, wasm) packs its operands
    // whichever the flags, and webgl's shader reads them transposed for free.
    expect(ours.slice(1).some(untransposed)).toBe(false);
    expect(stock.slice(1).some(untransposed)).toBe(false);
    // Where the stock kernel runs (outside fluxion's calls), fastMatMul makes the transposes on wasm
    // (XNNPACK is 6-20x slower with the flags), and keeps the flags elsewhere.
    const outside = await products(() => [fastMatMul(a, a, true, false), fastMatMul(b, a, true, true)]);
    expect(outside.every(untransposed)).toBe(tf.getBackend() === "wasm");
    const inside = await products(() => withFluxionKernels(() => [fastMatMul(a, a, true, false), fastMatMul(b, a, true, true)]));
    expect(inside.some(untransposed)).toBe(false);
    tf.dispose([a, b, wt]);
  });
});

/** The Hessian of f at x, row i the gradient of (∂f/∂x)ᵢ, by nested valueAndGradients (as nn's hessian). */
function hessianOf(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor): tf.Tensor {
  const n = x.size;
  return tf.tidy(() => {
    const g = () => tf.reshape(valueAndGradients(() => f(x), [x]).grads[0]!, [n]);
    const rows = Array.from({ length: n }, (_, i) => tf.reshape(valueAndGradients(() => tf.reshape(tf.slice(g(), [i], [1]), []), [x]).grads[0]!, [n]));
    return tf.stack(rows);
  });
}

describe("second order through matMul", () => {
  test("f(A) = Σ W ⊙ (A·A): ∂²f/∂A_pq∂A_rs = W_ps·δ_qr + W_rq·δ_ps", () => {
    const d = 3;
    const av = seeded(d * d, 21);
    const w = seeded(d * d, 22);
    const [a, wt] = [tf.tensor2d(av, [d, d]), tf.tensor2d(w, [d, d])];
    const h = assertNoLeaks(() => hessianOf((x) => tf.sum(tf.mul(wt, tf.matMul(x, x))), a), 1);
    const want: number[] = [];
    for (let p = 0; p < d; p++)
      for (let q = 0; q < d; q++)
        for (let r = 0; r < d; r++)
          for (let s = 0; s < d; s++) want.push((q === r ? w[p * d + s]! : 0) + (p === s ? w[r * d + q]! : 0));
    expectClose(h, want, [d * d, d * d]);
    tf.dispose([a, wt, h]);
  });

  test("f(A) = Σ W ⊙ (Aᵀ·A) with transposeA: ∂²f/∂A_pq∂A_rs = δ_pr·(W_qs + W_sq)", () => {
    const [rows, cols] = [4, 2];
    const av = seeded(rows * cols, 31);
    const w = seeded(cols * cols, 32);
    const [a, wt] = [tf.tensor2d(av, [rows, cols]), tf.tensor2d(w, [cols, cols])];
    const h = assertNoLeaks(() => hessianOf((x) => tf.sum(tf.mul(wt, tf.matMul(x, x, true, false))), a), 1);
    const want: number[] = [];
    for (let p = 0; p < rows; p++)
      for (let q = 0; q < cols; q++)
        for (let r = 0; r < rows; r++) for (let s = 0; s < cols; s++) want.push(p === r ? w[q * cols + s]! + w[s * cols + q]! : 0);
    expectClose(h, want, [rows * cols, rows * cols]);
    tf.dispose([a, wt, h]);
  });
});

describe("where fluxion's gradients are registered", () => {
  const square = (x: tf.Tensor) => tf.sum(tf.matMul(x, x, false, true));

  test("only during fluxion's gradient calls: tfjs's stock gradient is back after, also after a throw", () => {
    const stock = tf.getGradient("BatchMatMul");
    let inside: unknown;
    const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const r = valueAndGradients(() => {
      inside = tf.getGradient("BatchMatMul");
      return square(x);
    }, [x]);
    expect(stock).toBeDefined();
    expect(inside).not.toBe(stock);
    expect(tf.getGradient("BatchMatMul")).toBe(stock);
    expect(() =>
      valueAndGradients(() => {
        throw new Error("planted");
      }, [x]),
    ).toThrow("planted");
    expect(tf.getGradient("BatchMatMul")).toBe(stock);
    tf.dispose([x, r.value, ...(r.grads as tf.Tensor[])]);
  });

  test("whatever was registered last (tfjs-layers imported after fluxion) does not reach fluxion's calls", () => {
    const saved = ["BatchMatMul", "Tanh"].map((k) => tf.getGradient(k)!);
    const planted = (kernelName: string): tf.GradConfig => ({
      kernelName,
      gradFunc: () => {
        throw new Error(`planted ${kernelName} gradient ran`);
      },
    });
    tf.registerGradient(planted("BatchMatMul"));
    tf.registerGradient(planted("Tanh"));
    try {
      // d/dX Σ tanh(X·Xᵀ) = 2·G·X with G = 1 − tanh²(X·Xᵀ) (symmetric); X = [[1, 0], [0, 0]] gives
      // X·Xᵀ = X, G = [[s, 1], [1, 1]] with s = 1 − tanh²1, so the gradient is [[2s, 0], [2, 0]].
      const x = tf.tensor2d([1, 0, 0, 0], [2, 2]);
      const r = valueAndGradients(() => tf.sum(tf.tanh(tf.matMul(x, x, false, true))), [x]);
      expectClose(r.grads[0]!, [2 * (1 - Math.tanh(1) ** 2), 0, 2, 0], [2, 2]);
      expect(() => tf.grad((v: tf.Tensor) => square(v))(x)).toThrow("planted BatchMatMul gradient ran");
      tf.dispose([x, r.value, ...(r.grads as tf.Tensor[])]);
    } finally {
      saved.forEach((c) => tf.registerGradient(c));
    }
  });
});
