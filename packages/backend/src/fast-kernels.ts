// Kernels that fluxion's own calls use in place of a backend's stock ones, because the stock one is
// slow; each computes the same numbers (to float32 rounding) and hands what it does not cover to
// the kernel it displaced.
// - BatchMatMul on cpu (batch-matmul.ts): tfjs-backend-cpu 4.22 runs 0.6-0.8 GFLOP/s on the MLPs'
//   products, about two thirds of their training step; fluxion's blocked loops run 21-30 GFLOP/s
//   in WebAssembly SIMD (3.3-3.6 in JavaScript, where SIMD does not compile).
// - BatchMatMul on wasm (the same kernel in place on the wasm backend's heap), for transposed
//   operands and plain products over 64 terms or more: XNNPACK runs transposeA / transposeB at
//   1.5-2.6 GFLOP/s and, in a training step, repacks each weight the optimiser rewrote (the
//   784-1024-1024-10 MLP's plain products took 12-15 ms each there, 6-7.5 ms in fluxion's loops,
//   which run 34-38 GFLOP/s against XNNPACK's 31-34 with its packed weights kept: apps/bench
//   matmul-micro.ts, --wasm). Products over a few terms (a max-pool gradient's [N,1]·[1,4]) stay XNNPACK's.
// - Slice, SplitV, Unpack and Pack on cpu and wasm (slice-kernels.ts): runs of memory copied whole.
// - Identity on wasm (identity-kernel.ts): shares memory instead of copying it.
// - Sum over leading axes (a bias's gradient) on cpu and wasm (sum-kernel.ts): one pass, no transpose.
// - Add, Sub, Multiply, Relu, Step on cpu (elementwise-kernels.ts): plain loops for plain shapes.
// - MaxPoolGrad on cpu and wasm, and its adjoint for second order (max-pool-grad.ts): loops over
//   the backend's arrays: with tfjs's MaxPool forward, 2.5x (wasm) and 10x (cpu) faster than a max
//   over axes and its gradient (the CNN's pooling; numbers there), every tied maximum getting dy.
// webgl's matmul is a shader that reads transposed operands for free: nothing to replace there.
import { tf } from "./tf.js";
import { batchMatMulKernel, type MatMulAttrs, type Plan } from "./batch-matmul.js";
import { cpuKernelStorage, wasmKernelStorage } from "./buffers.js";
import { maxPoolGradKernels } from "./max-pool-grad.js";
import { SLICE_KERNELS, packKernel, sliceKernel } from "./slice-kernels.js";
import { sharingIdentity } from "./identity-kernel.js";
import { sumKernel } from "./sum-kernel.js";
import { ELEMENTWISE_KERNELS, elementwiseKernel } from "./elementwise-kernels.js";

// On wasm: products with a transpose, and plain ones over at least 64 terms (XNNPACK repacks a
// weight each training step, since the optimiser rewrites it; for a handful of terms its loops are faster).
const onWasm = ({ k }: Plan, { transposeA, transposeB }: MatMulAttrs): boolean => transposeA || transposeB || k >= 64;

/** fluxion's kernels for `name` on `backendName` (cpu or wasm), built around `displaced`: one, or for MaxPoolGrad two (with the gather its gradient runs). */
function build(name: string, backendName: string, displaced: tf.KernelConfig): tf.KernelConfig[] {
  const storage = backendName === "cpu" ? cpuKernelStorage : wasmKernelStorage;
  if (name === "BatchMatMul") return [batchMatMulKernel(backendName, storage, displaced, backendName === "wasm" ? onWasm : undefined)];
  if (name === "Identity") return [sharingIdentity(backendName, displaced)];
  if (name === "Sum") return [sumKernel(backendName, storage, displaced)];
  if (name === "MaxPoolGrad") return maxPoolGradKernels(backendName, storage, displaced);
  if (ELEMENTWISE_KERNELS.includes(name)) return [elementwiseKernel(name, backendName, storage, displaced)];
  if (name === "Pack") return [packKernel(backendName, storage, displaced)];
  return [sliceKernel(name, backendName, storage, displaced)];
}

// Built once per displaced kernel: fastKernels runs at every outermost fluxion call (each training step).
const built = new WeakMap<tf.KernelConfig, tf.KernelConfig[]>();
// Every kernel built here, to tell fluxion's from the stock ones in the registry.
const own = new WeakSet<tf.KernelConfig>();

/** The kernels fluxion swaps in for its calls on `backendName`, each built around the one it displaces; none where that is missing. */
export function fastKernels(backendName: string): tf.KernelConfig[] {
  if (backendName !== "cpu" && backendName !== "wasm") return [];
  const names = ["BatchMatMul", "Sum", "MaxPoolGrad", "Pack", ...SLICE_KERNELS, ...(backendName === "wasm" ? ["Identity"] : ELEMENTWISE_KERNELS)];
  return names.flatMap((name) => {
    const displaced = tf.getKernel(name, backendName);
    if (displaced === undefined) return [];
    let kernels = built.get(displaced);
    if (kernels === undefined) {
      kernels = build(name, backendName, displaced);
      kernels.forEach((k) => own.add(k));
      built.set(displaced, kernels);
    }
    return kernels;
  });
}

/**
 * Whether the `kernelName` kernel registered for `backendName` (the active backend by default) now
 * is one of fluxion's (inside fluxion's calls on cpu and wasm), so that a caller can pick the op whose kernel that is.
 */
export function fluxionKernelFor(kernelName: string, backendName = tf.getBackend()): boolean {
  const registered = tf.getKernel(kernelName, backendName);
  return registered !== undefined && own.has(registered);
}
