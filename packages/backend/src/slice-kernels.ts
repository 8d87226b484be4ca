// Slice, SplitV and Unpack as copies of whole runs of memory, and Pack (tf.stack) as their
// interleaving, for cpu and wasm (swapped in for fluxion's calls with its other kernels, fast-kernels.ts). tfjs-backend-cpu 4.22 copies a slice
// that is not one block of memory element by element through index arithmetic: the LSTM's gate
// split ([32,256] into four [32,64]) took 3.1 ms, its time-step unstacking of [32,20,64] 16 ms, 40 %
// of the bench's LSTM step; tfjs-backend-wasm's SplitV took 125 µs. Here each is a handful of
// TypedArray copies (µs). Stacking the nine shifted windows of a [64,28,28,1] input (im2col) took
// 16 ms on wasm and 4 ms on cpu; here about 1 ms. Float32 only; anything else goes to the kernel displaced.
import { tf } from "./tf.js";
import type { KernelStorage } from "./buffers.js";


/**
 * Copies the box `begin`…`begin + extent` of a row-major array of `shape` to `out` (row-major):
 * the last axes the box spans whole, with the one before them, are one run of memory per index
 * of the axes before.
 */
function copyBox(src: Float32Array, shape: readonly number[], begin: readonly number[], extent: number[], out: Float32Array): void {
  const rank = shape.length;
  if (rank === 0) {
    out[0] = src[0]!;
    return;
  }
  if (tf.util.sizeFromShape(extent) === 0) return;
  const strides = shape.map((_, i) => tf.util.sizeFromShape(shape.slice(i + 1)));
  let axis = rank - 1;
  while (axis > 0 && extent[axis] === shape[axis]) axis--;
  const run = extent[axis]! * strides[axis]!;
  const index = new Array<number>(axis).fill(0);
  for (let o = 0; o < out.length; o += run) {
    let at = begin[axis]! * strides[axis]!;
    for (let j = 0; j < axis; j++) at += (begin[j]! + index[j]!) * strides[j]!;
    out.set(src.subarray(at, at + run), o);
    for (let j = axis - 1; j >= 0 && ++index[j]! === extent[j]; j--) index[j] = 0;
  }
}

interface Args {
  inputs: Record<string, tf.TensorInfo>;
  attrs: Record<string, unknown>;
  backend: unknown;
}

/** The boxes a kernel cuts `x` into: each output's begin, extent and shape. */
type Boxes = (x: tf.TensorInfo, attrs: Record<string, unknown>) => { begin: number[]; extent: number[]; shape: number[] }[];

const boxesOf: Record<string, { input: string; boxes: Boxes }> = {
  Slice: {
    input: "x",
    boxes: (x, { begin, size: extent }) => {
      const [b, e] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, begin as number[], extent as number[]);
      return [{ begin: b, extent: e, shape: e }];
    },
  },
  SplitV: {
    input: "x",
    boxes: (x, { numOrSizeSplits, axis }) => {
      const a = tf.util.parseAxisParam(axis as number, x.shape)[0]!;
      let at = 0;
      return tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, numOrSizeSplits as number[], a).map((s) => {
        const [begin, extent] = [x.shape.map((_, i) => (i === a ? at : 0)), x.shape.map((d, i) => (i === a ? s : d))];
        at += s;
        return { begin, extent, shape: extent };
      });
    },
  },
  Unpack: {
    input: "value",
    boxes: (x, { axis }) => {
      const a = (axis as number) < 0 ? (axis as number) + x.shape.length : (axis as number);
      return Array.from({ length: x.shape[a]! }, (_, k) => ({
        begin: x.shape.map((_, i) => (i === a ? k : 0)),
        extent: x.shape.map((d, i) => (i === a ? 1 : d)),
        shape: x.shape.filter((_, i) => i !== a),
      }));
    },
  },
};

/** The names of the kernels this file provides. */
export const SLICE_KERNELS = Object.keys(boxesOf);

/** fluxion's `name` kernel (Slice, SplitV or Unpack) on `backendName`, over `storage`, handing what it does not take to `displaced`. */
export function sliceKernel(name: string, backendName: string, storage: KernelStorage, displaced: tf.KernelConfig): tf.KernelConfig {
  const { input, boxes } = boxesOf[name]!;
  const kernelFunc = (args: Args) => {
    const { inputs, attrs, backend } = args;
    const x = inputs[input]!;
    if (storage.input(backend, x) === null) return displaced.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
    const cut = boxes(x, attrs);
    // Outputs first: on wasm, allocating may grow the heap, which moves the views.
    const outs = cut.map((b) => storage.output(backend, b.shape));
    const src = storage.input(backend, x)!;
    cut.forEach((b, k) => copyBox(src, x.shape, b.begin, b.extent, storage.input(backend, outs[k]!)!));
    return name === "Slice" ? outs[0]! : outs;
  };
  return { kernelName: name, backendName, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

/**
 * out = the inputs stacked along a new axis `axis`: for each index of the axes before it, each
 * input's run of the axes after it in turn. Runs of under 16 values are copied value by value
 * (a TypedArray copy per value costs more than the value).
 */
function interleave(srcs: readonly Float32Array[], outer: number, run: number, out: Float32Array): void {
  const n = srcs.length;
  if (run >= 16) {
    for (let o = 0; o < outer; o++) for (let k = 0; k < n; k++) out.set(srcs[k]!.subarray(o * run, (o + 1) * run), (o * n + k) * run);
    return;
  }
  for (let k = 0; k < n; k++) {
    const src = srcs[k]!;
    for (let o = 0; o < outer; o++) for (let t = 0; t < run; t++) out[(o * n + k) * run + t] = src[o * run + t]!;
  }
}

/** fluxion's Pack kernel (tf.stack) on `backendName`, over `storage`, handing what it does not take to `displaced`. */
export function packKernel(backendName: string, storage: KernelStorage, displaced: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: { inputs: tf.TensorInfo[]; attrs: { axis: number }; backend: unknown }) => {
    const { inputs, backend } = args;
    const shape = inputs[0]?.shape;
    const same = shape !== undefined && inputs.every((t) => t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]));
    if (!same || inputs.some((t) => storage.input(backend, t) === null)) return displaced.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
    const axis = args.attrs.axis < 0 ? args.attrs.axis + shape.length + 1 : args.attrs.axis;
    const out = storage.output(backend, [...shape.slice(0, axis), inputs.length, ...shape.slice(axis)]);
    interleave(
      inputs.map((t) => storage.input(backend, t)!),
      tf.util.sizeFromShape(shape.slice(0, axis)),
      tf.util.sizeFromShape(shape.slice(axis)),
      storage.input(backend, out)!,
    );
    return out;
  };
  return { kernelName: "Pack", backendName, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
