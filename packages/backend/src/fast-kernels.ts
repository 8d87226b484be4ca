// Kernels that fluxion's own calls use in place of a backend's stock ones, because the stock one is
// slow; each computes the same numbers (to float32 rounding) and hands what it does not cover to
// the kernel it displaced.
// - BatchMatMul on cpu (batch-matmul.ts): tfjs-backend-cpu 4.22 runs 0.6-0.8 GFLOP/s on the MLPs'
//   products, about two thirds of their training step; fluxion's blocked loops run 21-30 GFLOP/s
//   in WebAssembly SIMD (3.3-3.6 in JavaScript, where SIMD does not compile).
// - BatchMatMul on wasm (the same kernel on the wasm backend's heap), for transposed operands only:
//   XNNPACK runs the MLPs' plain products at 28-31 GFLOP/s (fluxion's loops 25-28: plain products
//   stay XNNPACK's) but transposeA / transposeB at 1.5-2.3; fluxion's loops run those at 24-30,
//   as fast as or faster than a transpose then XNNPACK (apps/bench matmul-micro.ts, --wasm).
// webgl's matmul is a shader that reads transposed operands for free: nothing to replace there.
import { tf } from "./tf.js";
import { batchMatMulKernel, type MatMulAttrs, type Plan } from "./batch-matmul.js";
import { cpuKernelStorage, wasmKernelStorage } from "./buffers.js";

const transposed = (_: Plan, { transposeA, transposeB }: MatMulAttrs): boolean => transposeA || transposeB;

// Built once per displaced kernel: fastKernels runs at every outermost fluxion call (each training step).
const built = new WeakMap<tf.KernelConfig, tf.KernelConfig[]>();

/** The kernels fluxion swaps in for its calls on `backendName`, each built around the one it displaces; none where that is missing. */
export function fastKernels(backendName: string): tf.KernelConfig[] {
  const stock = tf.getKernel("BatchMatMul", backendName);
  if (!stock || (backendName !== "cpu" && backendName !== "wasm")) return [];
  let kernels = built.get(stock);
  if (kernels === undefined) {
    kernels = [backendName === "cpu" ? batchMatMulKernel("cpu", cpuKernelStorage, stock) : batchMatMulKernel("wasm", wasmKernelStorage, stock, transposed)];
    built.set(stock, kernels);
  }
  return kernels;
}
