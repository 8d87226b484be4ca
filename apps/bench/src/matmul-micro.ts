#!/usr/bin/env node
// The cpu matrix product alone: fluxion's kernel (inside withFluxionKernels; its SIMD loops, or
// its JavaScript ones with --js) against tfjs-backend-cpu's stock BatchMatMul (outside), on the
// MLPs' products and their gradients' transposed forms, interleaved in one process, medians.
// `node dist/matmul-micro.js [--quick] [--js]` from apps/bench after a build (`pnpm --filter @fluxion/bench matmul`).
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

async function main(): Promise<void> {
  await useBackend("cpu");
  const quick = process.argv.includes("--quick");
  setSimdGemm(!process.argv.includes("--js"));
  console.log("shape                    | what               | fluxion ms | tfjs ms | fluxion GFLOP/s | tfjs GFLOP/s | ratio | max |Δ| / max |tfjs|");
  for (const s of SHAPES) {
    const a = seededTensor(s.ta ? [s.k, s.m] : [s.m, s.k], 1);
    const b = seededTensor(s.tb ? [s.n, s.k] : [s.k, s.n], 2);
    const before = tf.memory().numTensors;
    const ours = () => withFluxionKernels(() => tf.matMul(a, b, s.ta, s.tb));
    const theirs = () => tf.matMul(a, b, s.ta, s.tb);
    const [x, y] = [ours(), theirs()];
    // Largest difference relative to the largest entry (float32 sums in different orders differ by a few ulps of that).
    const diff = tf.tidy(() => tf.div(tf.max(tf.abs(tf.sub(x, y))), tf.max(tf.abs(y))).dataSync()[0]!);
    tf.dispose([x, y]);
    const times = await interleave(
      [
        { name: "fluxion", run: () => ours().dispose() },
        { name: "tfjs", run: () => theirs().dispose() },
      ],
      quick ? { warmup: 1, reps: 5, minReps: 3, budgetMs: 3000 } : { warmup: 2, reps: 15, minReps: 5, budgetMs: 15000 },
    );
    if (tf.memory().numTensors !== before) throw new Error(`matmul-micro: ${tf.memory().numTensors - before} tensor(s) leaked`);
    tf.dispose([a, b]);
    const gflops = (ms: number) => (2 * s.m * s.k * s.n) / ms / 1e6;
    const shape = `[${s.m},${s.k}]·[${s.k},${s.n}]${s.ta ? " tA" : ""}${s.tb ? " tB" : ""}`;
    const cells = [shape.padEnd(24), s.what.padEnd(18), times.fluxion!.toFixed(1).padStart(10), times.tfjs!.toFixed(1).padStart(7)];
    const rates = [gflops(times.fluxion!).toFixed(2).padStart(15), gflops(times.tfjs!).toFixed(2).padStart(12)];
    console.log([...cells, ...rates, `${(times.tfjs! / times.fluxion!).toFixed(2)}×`.padStart(5), diff.toExponential(1)].join(" | "));
  }
}

main().catch((err: unknown) => {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
