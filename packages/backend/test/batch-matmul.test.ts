// fluxion's BatchMatMul kernel (batch-matmul.ts, gemm.ts) on cpu and on wasm, through its SIMD
// loops and its JavaScript ones, against a float64 matrix product computed here (seeded inputs;
// edge sizes, transposes, broadcast batch axes, empty sides), and the kernel registry around
// fluxion's calls: fluxion's kernel inside them, the stock one outside (also after a throw), what
// it does not take (other dtypes; on wasm, plain products over fewer than 64 terms) handed to the stock kernel.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { valueAndGradients, withFluxionKernels } from "@fluxion/backend/internal";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { seeded } from "./seeded.js";
import { setSimdGemm, simdGemmRuns } from "../src/gemm.js";

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** op(a)·op(b) in float64, batch axes broadcast as numpy's (right-aligned, 1 stretches). */
function reference(aShape: number[], av: number[], bShape: number[], bv: number[], ta: boolean, tb: boolean): { shape: number[]; values: number[] } {
  const [ra, ca] = aShape.slice(-2) as [number, number];
  const [rb, cb] = bShape.slice(-2) as [number, number];
  const [m, k] = ta ? [ca, ra] : [ra, ca];
  const n = tb ? rb : cb;
  const rank = Math.max(aShape.length, bShape.length) - 2;
  const pad = (s: number[]) => [...Array<number>(rank - (s.length - 2)).fill(1), ...s.slice(0, -2)];
  const [pa, pb] = [pad(aShape), pad(bShape)];
  const batch = pa.map((d, i) => Math.max(d, pb[i]!));
  const values: number[] = [];
  for (let t = 0; t < size(batch); t++) {
    // The batch index t, digit by digit, mapped into each operand (a 1 there stays at 0).
    let [offA, offB, rest] = [0, 0, t];
    for (let axis = batch.length - 1, sa = 1, sb = 1; axis >= 0; axis--) {
      const at = rest % batch[axis]!;
      rest = Math.floor(rest / batch[axis]!);
      if (pa[axis] !== 1) offA += at * sa;
      if (pb[axis] !== 1) offB += at * sb;
      sa *= pa[axis]!;
      sb *= pb[axis]!;
    }
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += av[offA * ra * ca + (ta ? p * ca + i : i * ca + p)]! * bv[offB * rb * cb + (tb ? j * cb + p : p * cb + j)]!;
        values.push(sum);
      }
  }
  return { shape: [...batch, m, n], values };
}

interface Case {
  a: number[];
  b: number[];
  ta?: boolean;
  tb?: boolean;
}

// Blocks are 4 rows × 8 columns over 256 terms, in chunks of 128 rows × 512 columns: sizes below,
// at and across those edges (B's panels are packed once for all chunks of rows when k ≤ 256).
const CASES: Case[] = [
  { a: [130, 20], b: [20, 9] },
  { a: [20, 261], b: [20, 9], ta: true },
  { a: [140, 300], b: [10, 300], tb: true },
  { a: [5, 3], b: [3, 520] },
  { a: [260, 3], b: [530, 3], tb: true },
  { a: [1, 5], b: [5, 7] },
  { a: [6, 1], b: [1, 9] },
  { a: [9, 1], b: [9, 1], ta: true },
  { a: [4, 8], b: [8, 8] },
  { a: [7, 13], b: [13, 11] },
  { a: [33, 300], b: [300, 17] },
  { a: [13, 7], b: [13, 11], ta: true },
  { a: [7, 13], b: [11, 13], tb: true },
  { a: [300, 9], b: [10, 300], ta: true, tb: true },
  { a: [2, 1, 3, 4], b: [5, 4, 6] },
  { a: [3, 1, 4, 3], b: [2, 6, 4], ta: true, tb: true },
  { a: [3, 5, 4], b: [4, 6] },
  { a: [3, 4, 5], b: [4, 6], ta: true },
  { a: [5, 4], b: [3, 4, 6] },
  { a: [2, 3, 4], b: [2, 4, 5] },
  { a: [2, 3, 4], b: [1, 5, 4], tb: true },
];

const onWasm = () => tf.getBackend() === "wasm";
/** Whether fluxion has a BatchMatMul kernel for the backend the tests run on. */
const kernelHere = () => tf.getBackend() === "cpu" || onWasm();

/** The same product with B stored transposed (shape's last two axes swapped, transposeB flipped), equal by definition. */
const bTransposed = (c: Case): Case => ({ ...c, b: [...c.b.slice(0, -2), c.b.at(-1)!, c.b.at(-2)!], tb: !c.tb });
/** The forms of a case fluxion's kernel takes here: on wasm only products with a transpose (plain ones are XNNPACK's). */
const taken = (c: Case): Case[] => (!onWasm() ? [c, bTransposed(c)] : c.ta || c.tb ? [c] : [bTransposed(c)]);

/** Runs `f` with the stock BatchMatMul of the current backend wrapped to count its calls, and fluxion's kernels registered around it. */
function countingStock<T>(f: () => T): { result: T; calls: { ta: boolean; tb: boolean; dtype: string }[] } {
  const backend = tf.getBackend();
  const stock = tf.getKernel("BatchMatMul", backend)!;
  const calls: { ta: boolean; tb: boolean; dtype: string }[] = [];
  const counting: tf.KernelConfig = {
    ...stock,
    kernelFunc: (args) => {
      const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
      calls.push({ ta: attrs.transposeA, tb: attrs.transposeB, dtype: (args.inputs as { a: tf.TensorInfo }).a.dtype });
      return stock.kernelFunc(args);
    },
  };
  tf.unregisterKernel("BatchMatMul", backend);
  tf.registerKernel(counting);
  try {
    return { result: withFluxionKernels(f), calls };
  } finally {
    tf.unregisterKernel("BatchMatMul", backend);
    tf.registerKernel(stock);
  }
}

describe.each(["SIMD", "JavaScript"])("fluxion's matrix product, %s loops", (loops) => {
  const simd = loops === "SIMD";
  const product = (f: () => tf.Tensor): tf.Tensor => {
    setSimdGemm(simd);
    return withFluxionKernels(f);
  };
  afterAll(() => setSimdGemm(true));

  test("the loops asked for are the ones that run (Node has WebAssembly SIMD)", () => {
    setSimdGemm(simd);
    expect(simdGemmRuns()).toBe(simd);
  });

  test.each(CASES.map((c) => ({ ta: false, tb: false, ...c })))("$a · $b (transposeA $ta, transposeB $tb) agrees with a float64 product", (c) => {
    if (!kernelHere()) return;
    for (const { a, b, ta = false, tb = false } of taken(c)) {
      const av = seeded(size(a), 11);
      const bv = seeded(size(b), 23);
      const want = reference(a, av, b, bv, ta, tb);
      const [x, y] = [tf.tensor(av, a), tf.tensor(bv, b)];
      const { result: out, calls } = countingStock(() => assertNoLeaks(() => product(() => tf.matMul(x, y, ta, tb))));
      expect(calls).toEqual([]); // fluxion's kernel computed it, not the stock one
      expect(out.shape).toEqual(want.shape);
      const got = out.dataSync();
      expect(got.length).toBe(want.values.length);
      // float32 products of k terms: error within a few ulps of the sum of |terms|; 1e-5 of the size.
      const k = ta ? a.at(-2)! : a.at(-1)!;
      want.values.forEach((w, i) => expect(Math.abs(got[i]! - w)).toBeLessThanOrEqual(1e-6 * k + 1e-6 * Math.abs(w)));
      tf.dispose([x, y, out]);
    }
  });

  test("an empty shared dimension gives zeros, an empty side an empty product", () => {
    if (!kernelHere()) return;
    const zeros = onWasm() ? [] : [product(() => tf.matMul(tf.zeros([3, 0]), tf.zeros([0, 4])))];
    for (const c of [...zeros, product(() => tf.matMul(tf.zeros([3, 0]), tf.zeros([4, 0]), false, true)), product(() => tf.matMul(tf.zeros([0, 3]), tf.zeros([0, 4]), true))]) {
      expect(c.shape).toEqual([3, 4]);
      expect(Array.from(c.dataSync())).toEqual(new Array(12).fill(0));
      c.dispose();
    }
    const empties = onWasm() ? [] : [product(() => tf.matMul(tf.zeros([0, 5]), tf.ones([5, 4])))];
    for (const e of [...empties, product(() => tf.matMul(tf.zeros([0, 5]), tf.ones([4, 5]), false, true)), product(() => tf.matMul(tf.zeros([5, 0]), tf.ones([5, 4]), true))]) {
      expect(e.shape).toEqual([0, 4]);
      e.dispose();
    }
  });

  test("zeros times anything is zeros; ones times ones counts the shared dimension", () => {
    if (!kernelHere()) return;
    for (const tb of [false, true]) {
      const z = product(() => tf.matMul(tf.zeros([5, 300]), tf.tensor(seeded(300 * 9, 5), tb ? [9, 300] : [300, 9]), false, tb));
      expect(Array.from(z.dataSync())).toEqual(new Array(45).fill(0));
      const o = product(() => tf.matMul(tf.ones([5, 300]), tf.ones(tb ? [9, 300] : [300, 9]), false, tb));
      expect(Array.from(o.dataSync())).toEqual(new Array(45).fill(300));
      tf.dispose([z, o]);
    }
  });

  test("operands over 64 MB together (on cpu copied into a memory of their own, not kept) multiply right", () => {
    if (!kernelHere()) return;
    // 9e6 ones each: every partial sum is an integer below 2^24, exact in float32.
    const k = 9_000_000;
    const o = product(() => tf.matMul(tf.ones([1, k]), tf.ones([k, 2])));
    expect(Array.from(o.dataSync())).toEqual([k, k]);
    o.dispose();
  });

  test("int32 operands go to the stock kernel (cpu: exact; wasm: which refuses them)", () => {
    if (!kernelHere()) return;
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], "int32");
    const y = tf.tensor2d([7, 8, 9, 10, 11, 12], [3, 2], "int32");
    if (onWasm()) {
      const { calls } = countingStock(() => expect(() => product(() => tf.matMul(x, y, true))).toThrow("non-float32"));
      expect(calls).toEqual([{ ta: true, tb: false, dtype: "int32" }]);
    } else {
      const { result: c, calls } = countingStock(() => assertNoLeaks(() => product(() => tf.matMul(x, y, true))));
      expect(calls).toEqual([{ ta: true, tb: false, dtype: "int32" }]);
      expect(c.dtype).toBe("int32");
      expect(Array.from(c.dataSync())).toEqual([89, 98, 116, 128]);
      c.dispose();
    }
    tf.dispose([x, y]);
  });

  test("on wasm a plain product over fewer than 64 terms goes to XNNPACK, over 64 to fluxion's kernel", () => {
    if (!onWasm()) return;
    for (const k of [63, 64]) {
      const [x, y] = [tf.tensor(seeded(6 * k, 1), [6, k]), tf.tensor(seeded(k * 4, 2), [k, 4])];
      const { result, calls } = countingStock(() => product(() => tf.matMul(x, y)));
      expect(calls).toEqual(k < 64 ? [{ ta: false, tb: false, dtype: "float32" }] : []);
      tf.dispose([x, y, result]);
    }
  });

  test("gradients through fluxion's calls use the kernel, flags kept, and match a float64 product", () => {
    if (!kernelHere()) return;
    // L = Σ (a·b): dL/da = 1·bᵀ, each row the sums of b's rows; dL/db = aᵀ·1, each row a column sum of a.
    const [av, bv] = [seeded(33 * 300, 2), seeded(300 * 17, 3)];
    const [a, b] = [tf.tensor(av, [33, 300]), tf.tensor(bv, [300, 17])];
    setSimdGemm(simd);
    const { result, calls } = countingStock(() => valueAndGradients(() => tf.sum(tf.matMul(a, b)), [a, b]));
    // The forward product (300 terms) and both gradient products (transposed) ran in fluxion's kernel.
    expect(calls).toEqual([]);
    const { value, grads } = result;
    const rowSums = Array.from({ length: 300 }, (_, p) => bv.slice(p * 17, p * 17 + 17).reduce((s, v) => s + v, 0));
    const colSums = Array.from({ length: 300 }, (_, p) => Array.from({ length: 33 }, (_, i) => av[i * 300 + p]!).reduce((s, v) => s + v, 0));
    const [da, db] = [grads[0]!.dataSync(), grads[1]!.dataSync()];
    let worst = 0;
    for (let i = 0; i < 33; i++) for (let p = 0; p < 300; p++) worst = Math.max(worst, Math.abs(da[i * 300 + p]! - rowSums[p]!));
    for (let p = 0; p < 300; p++) for (let j = 0; j < 17; j++) worst = Math.max(worst, Math.abs(db[p * 17 + j]! - colSums[p]!));
    expect(worst).toBeLessThan(1e-5);
    tf.dispose([a, b, value, ...grads]);
  });
});

describe("the kernel registry around fluxion's calls", () => {
  const registered = () => tf.getKernel("BatchMatMul", tf.getBackend());

  test("fluxion's kernel inside its calls (cpu, wasm), the stock one after, also after a throw", () => {
    const stock = registered();
    expect(stock).toBeDefined();
    let inside: unknown;
    let nested: unknown;
    withFluxionKernels(() => {
      inside = registered();
      withFluxionKernels(() => (nested = registered()));
      expect(registered()).toBe(inside);
    });
    if (kernelHere()) expect(inside).not.toBe(stock);
    else expect(inside).toBe(stock);
    expect(nested).toBe(inside);
    expect(registered()).toBe(stock);
    expect(() =>
      withFluxionKernels(() => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(registered()).toBe(stock);
    const x = tf.ones([2, 2]);
    let taped: unknown;
    const { value, grads } = valueAndGradients(() => {
      taped = registered();
      return tf.sum(tf.matMul(x, x));
    }, [x]);
    if (kernelHere()) expect(taped).not.toBe(stock);
    expect(registered()).toBe(stock);
    tf.dispose([x, value, ...grads]);
  });

  test("only the active backend's entry is swapped: the other backend's stays what it was", () => {
    const other = onWasm() ? "cpu" : "wasm";
    const before = tf.getKernel("BatchMatMul", other);
    const during = withFluxionKernels(() => tf.getKernel("BatchMatMul", other));
    expect(during).toBe(before);
  });

  test("a kernel registered over the stock one (by someone else) is what fluxion displaces and puts back", () => {
    if (!kernelHere()) return;
    const backend = tf.getBackend();
    const stock = tf.getKernel("BatchMatMul", backend)!;
    const other: tf.KernelConfig = { ...stock };
    tf.unregisterKernel("BatchMatMul", backend);
    tf.registerKernel(other);
    try {
      withFluxionKernels(() => expect(tf.getKernel("BatchMatMul", backend)).not.toBe(other));
      expect(tf.getKernel("BatchMatMul", backend)).toBe(other);
    } finally {
      tf.unregisterKernel("BatchMatMul", backend);
      tf.registerKernel(stock);
    }
  });
});

test("simd-bytes.ts is what simd.wat assembles to", () => {
  const script = fileURLToPath(new URL("../scripts/assemble-simd.mjs", import.meta.url));
  const check = spawnSync(process.execPath, [script, "--check"], { encoding: "utf8" });
  expect(check.stderr).toBe("");
  expect(check.status).toBe(0);
});
