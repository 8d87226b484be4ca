#!/usr/bin/env node
// The matrix product alone: fluxion's kernel (inside withFluxionKernels; its SIMD loops, or its
// JavaScript ones with --js) against the backend's stock BatchMatMul (outside), on the MLPs'
// products and their gradients' transposed forms, interleaved in one process, medians. On wasm
// (--wasm) the stock kernel is XNNPACK's, timed three ways: with the transpose flags, with the
// transposes made first (tf.transpose, then a plain product), and plain on operands stored
// already transposed (the lower bound for the explicit transposes; XNNPACK also keeps B packed
// between calls there, as it does for a weight that no optimiser step rewrote).
// `node dist/matmul-micro.js [--quick] [--js] [--wasm]` from apps/bench after a build (`pnpm --filter @fluxion/bench matmul`).
import { tf, useBackend } from "fluxion";
import { setSimdGemm, withFluxionKernels } from "@fluxion/backend/internal";
import { interleave } from "./timing.js";

interface Shape {
  /** op(a) is m×k, op(b) is k×n. */
  m: number;
  k: number;
  n: number;
  ta: boolean;
  tb: boolean;
  what: string;
}

// The forward product and the two gradient products of the MLPs' first and second layers (batch 128).
const SHAPES: Shape[] = [
  { m: 128, k: 784, n: 256, ta: false, tb: false, what: "x·W (784-256)" },
  { m: 784, k: 128, n: 256, ta: true, tb: false, what: "xᵀ·dy (784-256)" },
  { m: 128, k: 256, n: 784, ta: false, tb: true, what: "dy·Wᵀ (784-256)" },
  { m: 128, k: 1024, n: 1024, ta: false, tb: false, what: "x·W (1024-1024)" },
  { m: 1024, k: 128, n: 1024, ta: true, tb: false, what: "xᵀ·dy (1024-1024)" },
  { m: 128, k: 1024, n: 1024, ta: false, tb: true, what: "dy·Wᵀ (1024-1024)" },
];

function seededTensor(shape: number[], seed: number): tf.Tensor {
  let s = seed >>> 0;
  const n = shape.reduce((p, d) => p * d, 1);
  const values = Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
  return tf.tensor(values, shape);
}

/** The product's operands as stored (op(a) m×k, op(b) k×n). */
function operands(s: Shape): [tf.Tensor, tf.Tensor] {
  return [seededTensor(s.ta ? [s.k, s.m] : [s.m, s.k], 1), seededTensor(s.tb ? [s.n, s.k] : [s.k, s.n], 2)];
}

/** The stock kernel's ways to the product, by name: with the flags; on cpu that is all. */
function stockWays(s: Shape, a: tf.Tensor, b: tf.Tensor, plainA: tf.Tensor, plainB: tf.Tensor, wasm: boolean): Record<string, () => tf.Tensor> {
  const flags = () => tf.matMul(a, b, s.ta, s.tb);
  if (!wasm) return { tfjs: flags };
  const copy = () => tf.tidy(() => tf.matMul(s.ta ? tf.transpose(a) : a, s.tb ? tf.transpose(b) : b));
  return { "xnn flags": flags, "xnn copy": copy, "xnn plain": () => tf.matMul(plainA, plainB) };
}

async function main(): Promise<void> {
  const wasm = process.argv.includes("--wasm");
  await useBackend(wasm ? "wasm" : "cpu");
  const quick = process.argv.includes("--quick");
  setSimdGemm(!process.argv.includes("--js"));
  const gflops = (s: Shape, ms: number) => ((2 * s.m * s.k * s.n) / ms / 1e6).toFixed(1);
  for (const s of SHAPES) {
    const [a, b] = operands(s);
    // op(a), op(b) stored untransposed, for XNNPACK's plain product.
    const [plainA, plainB] = [s.ta ? tf.transpose(a) : tf.clone(a), s.tb ? tf.transpose(b) : tf.clone(b)];
    const before = tf.memory().numTensors;
    const ours = () => withFluxionKernels(() => tf.matMul(a, b, s.ta, s.tb));
    const ways = stockWays(s, a, b, plainA, plainB, wasm);
    const [x, y] = [ours(), ways[wasm ? "xnn flags" : "tfjs"]!()];
    // Largest difference relative to the largest entry (float32 sums in different orders differ by a few ulps of that).
    const diff = tf.tidy(() => tf.div(tf.max(tf.abs(tf.sub(x, y))), tf.max(tf.abs(y))).dataSync()[0]!);
    tf.dispose([x, y]);
    const contenders = [{ name: "fluxion", run: () => ours().dispose() }, ...Object.entries(ways).map(([name, f]) => ({ name, run: () => f().dispose() }))];
    const times = await interleave(contenders, quick ? { warmup: 1, reps: 5, minReps: 3, budgetMs: 3000 } : { warmup: 2, reps: 15, minReps: 5, budgetMs: 15000 });
    if (tf.memory().numTensors !== before) throw new Error(`matmul-micro: ${tf.memory().numTensors - before} tensor(s) leaked`);
    tf.dispose([a, b, plainA, plainB]);
    const shape = `[${s.ta ? `${s.k},${s.m}]ᵀ` : `${s.m},${s.k}]`}·[${s.tb ? `${s.n},${s.k}]ᵀ` : `${s.k},${s.n}]`}`;
    const cells = Object.entries(times).map(([name, ms]) => `${name} ${ms.toFixed(2)} ms (${gflops(s, ms)} GFLOP/s)`);
    console.log(`${shape.padEnd(24)} ${s.what.padEnd(18)} | ${cells.join(" | ")} | max |Δ|/max ${diff.toExponential(1)}`);
  }
}

main().catch((err: unknown) => {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
