// fluxion's MaxPoolGrad kernel for tfjs-backend-cpu and tfjs-backend-wasm, loops over the backend's
// own float32 storage (buffers.ts), swapped into tfjs's kernel registry only inside fluxion's own
// calls (fast-kernels.ts), with its adjoint (the kernel FluxionMaxPoolGather) for second order.
// Every tied maximum of a window gets that window's dy (as nn's tiled pooling gives: a max over
// axes), overlapping windows add; tfjs's kernels give one position per window instead.
// Why (medians of 15 on this 2-core machine, tfjs 4.22, Node 20): nn's MaxPool([2,2]) of
// [64,26,26,16], forward + gradient of Σ w ⊙ y through valueAndGradients: as a max over axes of a
// rank-6 reshape and Max's gradient, 15.9 ms on wasm and 283 ms on cpu (tfjs's own MaxPool +
// MaxPoolGrad: 15.9 and 165 ms); as tfjs's MaxPool (XNNPACK on wasm: 0.8 ms; cpu 6 ms) and these
// loops (4 ms for the gradient, 2.9 ms for the gather), 6.3 ms on wasm and 26.7 ms on cpu. The
// bench CNN's training step (apps/bench, batch 64, Adam; with the Sum, Slice and Identity kernels):
// wasm 22.5 -> 14.9 ms, cpu 377 -> 147 ms (6.8x tfjs-layers' trainOnBatch there, from 2.7x).
// The loops are JavaScript (no SIMD): about 3 ns per input element and window.
import { tf } from "./tf.js";
import type { KernelStorage } from "./buffers.js";

/** MaxPoolGrad's attributes (tfjs's; the gather kernel takes the same). */
interface PoolAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: "floor" | "round" | "ceil";
}

interface KernelArgs {
  inputs: Record<string, tf.TensorInfo>;
  attrs: PoolAttrs;
  backend: unknown;
}

/** The name of the adjoint kernel: for each window, the sum of a tensor shaped like the input over the window's tied maxima. */
export const MAX_POOL_GATHER = "FluxionMaxPoolGather";

/** The windows' geometry, NHWC, dilation 1. */
function geometry(input: tf.TensorInfo, attrs: PoolAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
}

/**
 * The loops of both kernels, over every window o and every input element i inside it (padding
 * skipped) where x[i] = y[o]: the scatter (`toInput`) adds a[o] to out[i], the gather adds a[i] to
 * out[o]. NHWC, channels innermost: contiguous in every array. `out` is zeroed first.
 */
function tiedMaxima(g: tf.backend_util.Conv2DInfo, a: Float32Array, x: Float32Array, y: Float32Array, out: Float32Array, toInput: boolean): void {
  out.fill(0);
  const c = g.inChannels;
  for (let b = 0; b < g.batchSize; b++)
    for (let oh = 0; oh < g.outHeight; oh++)
      for (let ow = 0; ow < g.outWidth; ow++) {
        const o = ((b * g.outHeight + oh) * g.outWidth + ow) * c;
        for (let kh = 0; kh < g.filterHeight; kh++) {
          const ih = oh * g.strideHeight - g.padInfo.top + kh;
          if (ih < 0 || ih >= g.inHeight) continue;
          for (let kw = 0; kw < g.filterWidth; kw++) {
            const iw = ow * g.strideWidth - g.padInfo.left + kw;
            if (iw < 0 || iw >= g.inWidth) continue;
            const i = ((b * g.inHeight + ih) * g.inWidth + iw) * c;
            // A product with the match (0 or 1), not a branch: which element of a window is its
            // maximum is unpredictable, and the branch took 1.5-2x as long.
            if (toInput) {
              for (let k = 0; k < c; k++) out[i + k] += a[o + k]! * +(x[i + k] === y[o + k]);
            } else {
              for (let k = 0; k < c; k++) out[o + k] += a[i + k]! * +(x[i + k] === y[o + k]);
            }
          }
        }
      }
}

/** dx[i] = Σ over windows o holding i where x[i] = y[o] of dy[o]. */
const scatter = (g: tf.backend_util.Conv2DInfo, dy: Float32Array, x: Float32Array, y: Float32Array, dx: Float32Array) => tiedMaxima(g, dy, x, y, dx, true);

/** out[o] = Σ over i in window o where x[i] = y[o] of dx[i]: scatter's adjoint. */
const gather = (g: tf.backend_util.Conv2DInfo, dx: Float32Array, x: Float32Array, y: Float32Array, out: Float32Array) => tiedMaxima(g, dx, x, y, out, false);

const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** Throws unless the pooled tensors fit the input's windows. */
function checkShapes(kernel: string, g: tf.backend_util.Conv2DInfo, spread: [string, tf.TensorInfo], output: tf.TensorInfo, input: tf.TensorInfo): void {
  const [name, t] = spread;
  const expected = kernel === "MaxPoolGrad" ? g.outShape : input.shape;
  const bad = !same(output.shape, g.outShape) ? ["output", output.shape, g.outShape] : !same(t.shape, expected) ? [name, t.shape, expected] : null;
  if (bad) throw new Error(`${kernel}: ${bad[0]} has shape [${(bad[1] as number[]).join(", ")}], expected [${(bad[2] as number[]).join(", ")}] for an input of shape [${input.shape.join(", ")}] and these windows`);
}

/** One kernel of the pair: `spread` is the input it maps (dy for MaxPoolGrad, dx for the gather), `loop` the loops, `shapeOf` its output's shape. */
function poolKernel(
  kernelName: string,
  backendName: string,
  storage: KernelStorage,
  spread: "dy" | "dx",
  loop: typeof scatter,
  displaced: tf.KernelConfig | undefined,
): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs) => {
    const { inputs, attrs, backend } = args;
    const { input, output } = inputs;
    const s = inputs[spread]!;
    const takes = input!.shape.length === 4 && [s, input!, output!].every((t) => storage.input(backend, t) !== null);
    if (!takes) {
      if (displaced) return displaced.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
      throw new Error(`${kernelName}: expected float32 rank-4 tensors on the ${backendName} backend, got ${[s, input!, output!].map((t) => `${t.dtype} [${t.shape.join(", ")}]`).join(", ")}`);
    }
    const g = geometry(input!, attrs);
    checkShapes(kernelName, g, [spread, s], output!, input!);
    // The result first: on wasm, allocating may grow the heap, which moves the views.
    const result = storage.output(backend, spread === "dy" ? [...input!.shape] : g.outShape);
    const view = (t: tf.TensorInfo) => storage.input(backend, t)!;
    loop(g, view(s), view(input!), view(output!), view(result));
    return result;
  };
  return { kernelName, backendName, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

/**
 * fluxion's MaxPoolGrad for `backendName`, in place of `displaced` (which gets what it does not
 * take: other dtypes, data on another backend), and the gather kernel its gradient runs.
 */
export function maxPoolGradKernels(backendName: string, storage: KernelStorage, displaced: tf.KernelConfig): tf.KernelConfig[] {
  return [poolKernel("MaxPoolGrad", backendName, storage, "dy", scatter, displaced), poolKernel(MAX_POOL_GATHER, backendName, storage, "dx", gather, undefined)];
}

/** Runs `kernelName` (MaxPoolGrad or the gather) on `spread` with the windows of `input`, `output`, `attrs`. */
function run(kernelName: string, spread: "dy" | "dx", t: tf.Tensor, input: tf.Tensor, output: tf.Tensor, attrs: tf.NamedAttrMap): tf.Tensor {
  const backend = tf.getBackend();
  if (!tf.getKernel(kernelName, backend)) {
    throw new Error(`fluxion: the second derivative of max pooling needs fluxion's ${kernelName} kernel, which the ${backend} backend does not have (cpu and wasm do)`);
  }
  return tf.engine().runKernel(kernelName, { [spread]: t, input, output }, attrs) as tf.Tensor;
}

/** The gradient of one kernel of the pair: linear in `spread`, whose adjoint is the other kernel; piecewise constant in input and output. */
function pairGradient(kernelName: string, spread: "dy" | "dx", other: string, otherSpread: "dy" | "dx"): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ["input", "output"],
    gradFunc: (d, saved, attrs) => {
      const [input, output] = saved as tf.Tensor[];
      return {
        [spread]: () => run(other, otherSpread, d as tf.Tensor, input!, output!, attrs),
        input: () => tf.zerosLike(input!),
        output: () => tf.zerosLike(output!),
      };
    },
  };
}

/** Gradients of MaxPoolGrad and of the gather (each other's adjoint), so max pooling's derivatives are exact to any order. */
export const MAX_POOL_GRADIENTS: readonly tf.GradConfig[] = [pairGradient("MaxPoolGrad", "dy", MAX_POOL_GATHER, "dx"), pairGradient(MAX_POOL_GATHER, "dx", "MaxPoolGrad", "dy")];
