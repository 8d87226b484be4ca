// Conv2D's gradients as convolutions (see fast-gradients.ts). tfjs-backend-cpu's
// Conv2DBackpropFilter is a scalar loop 10-16x slower than the forward Conv2D on the same numbers,
// and tfjs-backend-wasm has no such kernel at all; but the filter gradient is itself a convolution
// (of the input, batch and channels swapped, by the output gradient), so it runs as a Conv2D. With
// it, Conv2D and Conv2DBackpropInput (the input gradient, whose own gradient needs the filter
// gradient again) are differentiable to any order on cpu and wasm, strides and dilations included.
import * as tf from "@tensorflow/tfjs-core";
import type { StockGradient } from "./fast-gradients.js";

// Conv2D's filter gradient, [64,28,28,1] input, [3,3,1,16] filter (the bench's CNN), medians:
//   cpu: Conv2DBackpropFilter 930-1430 ms; as a Conv2D (transposes included) 64-86 ms; as im2col
//     (the input's shifted windows stacked, then one matrix product, in fluxion's kernels) 4.5 ms.
//     [64,13,13,16]·3x3→32: 131 vs 10 ms; [32,16,16,64]·3x3→64: 699 vs 28 ms; [16,32,32,32]·5x5→64: 1838 vs 108 ms.
//   wasm: no Conv2DBackpropFilter kernel (tfjs's gradient throws); as a Conv2D 4.8 ms, as im2col
//     3.2 ms. im2col wins while the input has few channels (1 channel, 5x5→32: 11.3 vs 8.2 ms; 3
//     channels: 5.8 vs 5.8, [32,32,32,3]·3x3→32 7.1 vs 4.5) and loses from 8 (8.7 vs 13.5; 16
//     channels 4.6 vs 6.9; 5x5 over 32: 54 vs 79).
const FILTER_BACKENDS: ReadonlySet<string> = new Set(["cpu", "wasm"]);
const im2colFilter = (backend: string, channels: number): boolean => backend === "cpu" || (backend === "wasm" && channels <= 3);

/** Kernels whose work fluxion's gradients do with other kernels on `backend` (inside its gradient calls). */
export function kernelsProvided(backend: string): readonly string[] {
  return FILTER_BACKENDS.has(backend) ? ["Conv2DBackpropFilter"] : [];
}

interface ConvAttrs {
  strides: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dataFormat?: "NHWC" | "NCHW";
  dilations?: number | [number, number];
}

const pair = (v: number | [number, number] | undefined): [number, number] => (v === undefined ? [1, 1] : typeof v === "number" ? [v, v] : v);

/** The cases done here: NHWC, no padding, and a stride or a dilation (tfjs's conv2d takes one of them > 1). */
function handled(a: ConvAttrs): boolean {
  return (a.dataFormat ?? "NHWC") === "NHWC" && (a.pad === "valid" || a.pad === 0) && (pair(a.strides).every((s) => s === 1) || pair(a.dilations).every((d) => d === 1));
}

/**
 * The filter gradient of a 'valid' NHWC conv2d of x [b, h, w, ci] (stride s, dilation d) whose
 * output gradient is dy [b, oh, ow, co]: dW[p, q, i, o] = Σ x[b, r·s + p·d, t·s + q·d, i]·dy[b, r, t, o],
 * a conv2d of x with batch and channels swapped ([ci, h, w, b]) by dy as a filter ([oh, ow, b, co]),
 * with stride d and dilation s, cut to the filter's size.
 */
function filterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, kernel: readonly number[], a: ConvAttrs): tf.Tensor {
  if (im2colFilter(tf.getBackend(), x.shape[3]) && pair(a.strides).every((s) => s === 1)) return filterGradIm2col(x, dy, kernel, pair(a.dilations));
  const g = tf.conv2d(tf.transpose(x, [3, 1, 2, 0]), tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D, pair(a.dilations), "valid", "NHWC", pair(a.strides));
  const cut = g.shape[1] === kernel[0] && g.shape[2] === kernel[1] ? g : tf.slice(g, [0, 0, 0, 0], [-1, kernel[0]!, kernel[1]!, -1]);
  return tf.transpose(cut, [1, 2, 0, 3]);
}

/**
 * The same at stride 1 as one matrix product: the input's windows at each filter offset (p, q),
 * [b, oh, ow, ci] each, stacked into columns [b·oh·ow, kh·kw·ci], times dy [b·oh·ow, co].
 */
function filterGradIm2col(x: tf.Tensor4D, dy: tf.Tensor4D, kernel: readonly number[], d: [number, number]): tf.Tensor {
  const [kh, kw, ci, co] = kernel as [number, number, number, number];
  const [b, oh, ow] = dy.shape;
  const windows: tf.Tensor[] = [];
  for (let p = 0; p < kh; p++) for (let q = 0; q < kw; q++) windows.push(tf.slice(x, [0, p * d[0], q * d[1], 0], [b, oh, ow, ci]));
  const cols = tf.reshape(tf.stack(windows, 3), [b * oh * ow, kh * kw * ci]);
  return tf.reshape(tf.matMul(cols, tf.reshape(dy, [b * oh * ow, co]), true, false), [kh, kw, ci, co]);
}

/**
 * The input gradient of a stride-1 'valid' NHWC conv2d with dilation d: dx[u] = Σ dy[u − p·d]·w[p]ᵀ,
 * the full correlation of dy with the filter reversed (in and out channels swapped), dilated by d.
 */
function inputGradDilated(dy: tf.Tensor4D, w: tf.Tensor4D, d: [number, number]): tf.Tensor {
  const [kh, kw] = w.shape;
  const padded = tf.pad(dy, [[0, 0], [(kh - 1) * d[0], (kh - 1) * d[0]], [(kw - 1) * d[1], (kw - 1) * d[1]], [0, 0]]);
  return tf.conv2d(padded, tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D, 1, "valid", "NHWC", d);
}

type Grads = ReturnType<tf.GradFunc>;

/** A conv kernel's gradient: `ours` where `handled` on a backend of the table, tfjs's (`theirs`) otherwise. */
function convGradient(
  stock: StockGradient,
  kernelName: string,
  inputsToSave: string[],
  ours: (dy: tf.Tensor4D, saved: tf.Tensor4D[], a: ConvAttrs, theirs: () => Grads) => Grads,
): tf.GradConfig {
  return {
    kernelName,
    inputsToSave,
    gradFunc: (dy, saved, attrs) => {
      const a = attrs as unknown as ConvAttrs;
      const theirs = () => stock(kernelName).gradFunc(dy, saved, attrs);
      return handled(a) && FILTER_BACKENDS.has(tf.getBackend()) ? ours(dy as tf.Tensor4D, saved as tf.Tensor4D[], a, theirs) : theirs();
    },
  };
}

/** Conv2D: the filter gradient by filterGrad; the input gradient tfjs's (Conv2DBackpropInput), or the dilated one. */
export const conv2dGrad = (stock: StockGradient): tf.GradConfig =>
  convGradient(stock, "Conv2D", ["x", "filter"], (dy, [x, w], a, theirs) => {
    const d = pair(a.dilations);
    return { x: d[0] === 1 && d[1] === 1 ? theirs().x! : () => inputGradDilated(dy, w!, d), filter: () => filterGrad(x!, dy, w!.shape, a) };
  });

/**
 * Conv2DBackpropInput(dy, filter) = dx: the gradient by dy is the forward conv2d (tfjs's), by the
 * filter the filter gradient of that conv2d, with dx's gradient in place of its input.
 */
export const conv2dBackpropInputGrad = (stock: StockGradient): tf.GradConfig =>
  convGradient(stock, "Conv2DBackpropInput", ["dy", "filter"], (ddx, [dy, w], a, theirs) => ({
    dy: theirs().dy!,
    filter: () => filterGrad(ddx, dy!, w!.shape, a),
  }));
