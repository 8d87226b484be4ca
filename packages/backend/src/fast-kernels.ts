// Kernels that fluxion's own calls use in place of a backend's stock ones, because the stock one is
// slow; each computes the same numbers (to float32 rounding) and hands what it does not cover to
// the kernel it displaced.
// - BatchMatMul on cpu (cpu-matmul.ts): tfjs-backend-cpu 4.22 runs 0.6-0.8 GFLOP/s on the MLPs'
//   products, about two thirds of their training step; fluxion's blocked loops run 14-21 GFLOP/s
//   in WebAssembly SIMD (3.4-3.5 in JavaScript, where SIMD does not compile).
// The wasm backend's matmul is XNNPACK's and webgl's a shader: nothing to replace there.
import { tf } from "./tf.js";
import { cpuBatchMatMulKernel } from "./cpu-matmul.js";

/** The kernels fluxion swaps in for its calls on `backendName`, each built around the one it displaces; none where that is missing. */
export function fastKernels(backendName: string): tf.KernelConfig[] {
  if (backendName !== "cpu") return [];
  const stock = tf.getKernel("BatchMatMul", "cpu");
  return stock ? [cpuBatchMatMulKernel(stock)] : [];
}
