// N-d (1, 2, 3 spatial dims) cross-correlation, transposed convolution and pooling on tfjs, in
// the layout [batch, spatial…, channels] with filters [k…, in/groups, out].
//
// tfjs's own kernels are used where they are complete. Where a gradient would be needed that the
// backend cannot give (tfjs-backend-wasm has no Conv2DBackpropFilter or depthwise backprop
// kernels; tfjs's conv gradients reject dilation > 1), the same maths runs as im2col: strided
// slices stacked into patches and one matMul, whose gradients every backend has.
import { tf } from "@fluxion/backend";
import { fluxionKernelFor, hasTrustedKernels, isTaping } from "@fluxion/backend/internal";
import { padPairs } from "./conv-padding.js";

const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);
const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => i + from);

// tfjs-backend-webgl 4.22 has no pad, reverse or where above rank 4 (pad's shader fails to
// compile, the others throw), and a slice's gradient is a pad; so 3-d inputs (rank 5) and the
// reshaped views below go through these helpers, which work on [before, len, after] views.

/** The shape of x as [before, len, after] around `axis`. */
function around(shape: readonly number[], axis: number): [number, number, number] {
  return [prod(shape.slice(0, axis)), shape[axis]!, prod(shape.slice(axis + 1))];
}

const withAxis = (shape: readonly number[], axis: number, len: number): number[] => shape.map((s, i) => (i === axis ? len : s));

/** Pads one axis by (lo, hi) entries of `value`. */
function padAxis(x: tf.Tensor, axis: number, lo: number, hi: number, value: number): tf.Tensor {
  if (lo === 0 && hi === 0) return x;
  const view = around(x.shape, axis);
  const y = tf.pad(tf.reshape(x, view), [[0, 0], [lo, hi], [0, 0]], value);
  return tf.reshape(y, withAxis(x.shape, axis, view[1] + lo + hi));
}

/** `size` entries of one axis from `begin`. */
function sliceAxis(x: tf.Tensor, axis: number, begin: number, size: number): tf.Tensor {
  const view = around(x.shape, axis);
  if (begin === 0 && size === view[1]) return x;
  const y = tf.slice(tf.reshape(x, view), [0, begin, 0], [view[0], size, view[2]]);
  return tf.reshape(y, withAxis(x.shape, axis, size));
}

/** Pads the spatial axes of x [b, …, c] by 2N (lo, hi) amounts with `value`. */
export function padSpatial(x: tf.Tensor, pad: readonly number[], value = 0): tf.Tensor {
  if (pad.every((p) => p === 0)) return x;
  if (x.rank <= 4) return tf.pad(x, [[0, 0], ...padPairs(pad), [0, 0]], value);
  let y = x;
  padPairs(pad).forEach(([lo, hi], i) => (y = padAxis(y, i + 1, lo, hi, value)));
  return y;
}

/** w [k…, …] reversed along its first n (spatial) axes; a rank-5 filter as a rank-4 view. */
export function reverseSpatial(w: tf.Tensor, n: number): tf.Tensor {
  if (w.rank <= 4) return tf.reverse(w, range(n));
  return tf.reshape(tf.reverse(tf.reshape(w, [...w.shape.slice(0, n), -1]), range(n)), w.shape);
}

/** Spreads a kernel [k…, …] by `dilation` along its first N axes, filling the gaps with zeros. */
export function dilateKernel(w: tf.Tensor, dilation: readonly number[]): tf.Tensor {
  let out = w;
  dilation.forEach((d, axis) => {
    if (d > 1 && out.shape[axis]! > 1) out = interleaveZeros(out, axis, d);
  });
  return out;
}

/** Inserts `step − 1` zeros between consecutive entries along `axis` (length L → (L−1)·step + 1). */
function interleaveZeros(x: tf.Tensor, axis: number, step: number): tf.Tensor {
  const [before, len, after] = around(x.shape, axis);
  const spread = tf.pad(tf.reshape(x, [before, len, 1, after]), [[0, 0], [0, 0], [0, step - 1], [0, 0]]);
  const cut = tf.slice(tf.reshape(spread, [before, len * step, after]), [0, 0, 0], [before, (len - 1) * step + 1, after]);
  return tf.reshape(cut, withAxis(x.shape, axis, (len - 1) * step + 1));
}

/** `count` entries along `axis` from `start`, every `step`-th (the axis must hold start + count·step). */
function pick(x: tf.Tensor, axis: number, start: number, count: number, step: number): tf.Tensor {
  const part = sliceAxis(x, axis, start, count * step);
  if (step === 1) return part;
  const [before, , after] = around(x.shape, axis);
  const firsts = tf.slice(tf.reshape(part, [before, count, step, after]), [0, 0, 0, 0], [before, count, 1, after]);
  return tf.reshape(firsts, withAxis(x.shape, axis, count));
}

/**
 * Every window of x [b, spatial…, c] (already padded) stacked: [b, out…, prod(k), c], offsets in
 * row-major order, window start o·stride, taps k·dilation apart. Slices and reshapes only.
 */
function windows(x: tf.Tensor, k: readonly number[], stride: readonly number[], dilation: readonly number[]): { cols: tf.Tensor; out: number[] } {
  const n = k.length;
  const out = x.shape.slice(1, n + 1).map((l, i) => Math.floor((l - dilation[i]! * (k[i]! - 1) - 1) / stride[i]!) + 1);
  // Room at the end so every strided window can be cut as a whole reshape.
  const xq = padSpatial(x, stride.flatMap((s) => [0, s - 1]));
  const patches: tf.Tensor[] = [];
  for (let flat = 0; flat < prod(k); flat++) {
    const offset: number[] = [];
    for (let i = n - 1, r = flat; i >= 0; i--) {
      offset[i] = r % k[i]!;
      r = Math.floor(r / k[i]!);
    }
    let p = xq;
    for (let i = 0; i < n; i++) p = pick(p, i + 1, offset[i]! * dilation[i]!, out[i]!, stride[i]!);
    patches.push(p);
  }
  return { cols: tf.stack(patches, n + 1), out };
}

/** Cross-correlation by im2col on an already padded input: differentiable everywhere, to any order. */
function im2colCrossCor(x: tf.Tensor, w: tf.Tensor, stride: readonly number[], dilation: readonly number[], groups: number): tf.Tensor {
  const n = stride.length;
  const k = w.shape.slice(0, n);
  const [cinG, cout] = [w.shape[n]!, w.shape[n + 1]!];
  const batch = x.shape[0]!;
  const { cols, out } = windows(x, k, stride, dilation); // [b, out…, K, cin]
  const rows = batch * prod(out);
  const kk = prod(k);
  let y: tf.Tensor;
  if (groups === 1) {
    y = tf.matMul(tf.reshape(cols, [rows, kk * cinG]), tf.reshape(w, [kk * cinG, cout]));
  } else {
    const coutG = cout / groups;
    const colsG = tf.reshape(tf.transpose(tf.reshape(cols, [rows, kk, groups, cinG]), [2, 0, 1, 3]), [groups, rows, kk * cinG]);
    const wG = tf.reshape(tf.transpose(tf.reshape(w, [kk, cinG, groups, coutG]), [2, 0, 1, 3]), [groups, kk * cinG, coutG]);
    y = tf.transpose(tf.matMul(colsG, wG), [1, 0, 2]);
  }
  return tf.reshape(y, [batch, ...out, cout]);
}

/** One native tfjs cross-correlation (groups = 1) of a padded input, 'valid'. */
function nativeCrossCor(x: tf.Tensor, w: tf.Tensor, stride: number[], dilation: number[]): tf.Tensor {
  switch (stride.length) {
    case 1:
      return tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, stride[0]!, "valid", "NWC", dilation[0]!);
    case 2:
      return tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride as [number, number], "valid", "NHWC", dilation as [number, number]);
    default:
      return tf.conv3d(x as tf.Tensor5D, w as tf.Tensor5D, stride as [number, number, number], "valid", "NDHWC", dilation as [number, number, number]);
  }
}

/**
 * Cross-correlation (no kernel flip) of x [b, spatial…, cin] with w [k…, cin/groups, cout], 2N
 * zero padding [lo1, hi1, …]: y[o] = Σ_k x[o·stride + k·dilation − lo] · w[k].
 */
export function crossCorrelate(
  x: tf.Tensor,
  w: tf.Tensor,
  stride: readonly number[],
  pad: readonly number[],
  dilation: readonly number[],
  groups: number,
): tf.Tensor {
  const n = stride.length;
  const xp = padSpatial(x, pad);
  const tape = isTaping();
  const cin = x.shape[n + 1]!;
  const cout = w.shape[n + 1]!;
  const depthwise = n === 2 && groups > 1 && groups === cin;
  const kernels =
    n === 3
      ? ["Conv3D", ...(tape ? ["Conv3DBackpropFilterV2", "Conv3DBackpropInputV2"] : [])]
      : depthwise
        ? ["DepthwiseConv2dNative", ...(tape ? ["DepthwiseConv2dNativeBackpropFilter", "DepthwiseConv2dNativeBackpropInput"] : [])]
        : ["Conv2D", ...(tape ? ["Conv2DBackpropFilter", "Conv2DBackpropInput"] : [])];
  if (!hasTrustedKernels(...kernels)) return im2colCrossCor(xp, w, stride, dilation, groups);
  // tfjs dilates natively only without gradients, at stride 1, in 1-d and 2-d.
  const nativeDilation = !tape && n <= 2 && stride.every((s) => s === 1);
  const wd = nativeDilation ? w : dilateKernel(w, dilation);
  const dil = nativeDilation ? [...dilation] : Array<number>(n).fill(1);
  if (groups === 1) return nativeCrossCor(xp, wd, [...stride], dil);
  if (depthwise) {
    const filter = tf.reshape(wd, [wd.shape[0]!, wd.shape[1]!, cin, cout / cin]) as tf.Tensor4D;
    return tf.depthwiseConv2d(xp as tf.Tensor4D, filter, stride as [number, number], "valid", "NHWC", dil as [number, number]);
  }
  const xs = tf.split(xp, groups, n + 1);
  const ws = tf.split(wd, groups, n + 1);
  return tf.concat(
    xs.map((xg, g) => nativeCrossCor(xg, ws[g]!, [...stride], dil)),
    n + 1,
  );
}

/**
 * Transposed cross-correlation (the input-gradient of `crossCorrelate`, tfjs's conv2dTranspose),
 * x [b, spatial…, in], f [k…, out/groups, in] in tfjs's conv-transpose layout. The full result
 * has (in − 1)·stride + 1 + (k − 1)·dilation entries per dim; the output is it with `lo` cut from
 * the start and `hi − outpad` from the end (zeros appended when outpad > hi).
 */
export function transposeCrossCorrelate(
  x: tf.Tensor,
  f: tf.Tensor,
  stride: readonly number[],
  pad: readonly number[],
  dilation: readonly number[],
  groups: number,
  outpad: readonly number[],
): tf.Tensor {
  const n = stride.length;
  const k = f.shape.slice(0, n);
  const keff = k.map((kk, i) => (kk - 1) * dilation[i]! + 1);
  const full = x.shape.slice(1, n + 1).map((l, i) => (l - 1) * stride[i]! + keff[i]!);
  const [outG, cin] = [f.shape[n]!, f.shape[n + 1]!];
  let y: tf.Tensor;
  const native = !isTaping() && hasTrustedKernels(n === 3 ? "Conv3DBackpropInputV2" : "Conv2DBackpropInput");
  if (native) {
    const fd = dilateKernel(f, dilation);
    const one = (xg: tf.Tensor, fg: tf.Tensor): tf.Tensor => {
      const b = xg.shape[0]!;
      if (n === 3) {
        return tf.conv3dTranspose(xg as tf.Tensor5D, fg as tf.Tensor5D, [b, ...full, outG] as [number, number, number, number, number], stride as [number, number, number], "valid");
      }
      const x4 = n === 1 ? tf.expandDims(xg, 1) : xg;
      const f4 = n === 1 ? tf.expandDims(fg, 0) : fg;
      const s2 = (n === 1 ? [1, stride[0]!] : stride) as [number, number];
      const shape = [b, ...(n === 1 ? [1, full[0]!] : full), outG] as [number, number, number, number];
      const y4 = tf.conv2dTranspose(x4 as tf.Tensor4D, f4 as tf.Tensor4D, shape, s2, "valid");
      return n === 1 ? tf.squeeze(y4, [1]) : y4;
    };
    if (groups === 1) y = one(x, fd);
    else {
      const xs = tf.split(x, groups, n + 1);
      const fs = tf.split(fd, groups, n + 1);
      y = tf.concat(
        xs.map((xg, g) => one(xg, fs[g]!)),
        n + 1,
      );
    }
  } else {
    // Zero-stuff the input by the stride, pad by k_eff − 1, and cross-correlate with the
    // flipped filter whose in/out axes are swapped (per group).
    let stuffed = x;
    stride.forEach((s, i) => {
      if (s > 1 && stuffed.shape[i + 1]! > 1) stuffed = interleaveZeros(stuffed, i + 1, s);
    });
    const spatial = range(n);
    const g = tf.reshape(
      tf.transpose(tf.reshape(reverseSpatial(f, n), [...k, outG, groups, cin / groups]), [...spatial, n + 2, n + 1, n]),
      [...k, cin / groups, outG * groups],
    );
    y = crossCorrelate(stuffed, g, Array<number>(n).fill(1), keff.flatMap((e) => [e - 1, e - 1]), dilation, groups);
  }
  // Crop lo and hi − outpad; pad the rest of outpad with zeros.
  for (let i = 0; i < n; i++) y = sliceAxis(y, i + 1, pad[2 * i]!, full[i]! - pad[2 * i]! - Math.max(0, pad[2 * i + 1]! - outpad[i]!));
  const extra = range(n).map((i) => Math.max(0, outpad[i]! - pad[2 * i + 1]!));
  return padSpatial(y, extra.flatMap((e) => [0, e]));
}

/** NNlib pads max pooling with its initial value nextfloat(-Inf32) = -floatmax(Float32). */
const MAXPOOL_PAD = -3.4028234663852886e38;

/**
 * Max or mean pooling of x [b, spatial…, c] with a window, stride and 2N padding. Mean pooling
 * divides by the full window size, counting padding as zeros (as NNlib's meanpool).
 */
export function pool(kind: "max" | "mean", x: tf.Tensor, window: readonly number[], stride: readonly number[], pad: readonly number[]): tf.Tensor {
  const n = window.length;
  const xp = padSpatial(x, pad, kind === "max" ? MAXPOOL_PAD : 0);
  // Inside fluxion's calls on cpu and wasm, MaxPoolGrad is fluxion's kernel (every tied maximum
  // gets dy, as below): tfjs's maxPool and it beat the max over axes 2.5x (wasm) and 10x (cpu).
  const fastMax = kind === "max" && n <= 2 && xp.dtype === "float32" && fluxionKernelFor("MaxPoolGrad");
  // (Up to 2 spatial dims: the reshaped tensor must stay within the rank 6 tfjs gradients support.)
  if (!fastMax && isTaping() && n <= 2 && window.every((k, i) => k === stride[i])) return tiledPool(kind, xp, window);
  const maxKernels = n === 3 ? ["MaxPool3D", ...(isTaping() ? ["MaxPool3DGrad"] : [])] : isTaping() ? ["MaxPoolGrad"] : [];
  if (kind === "max" && !fastMax && !hasTrustedKernels(...maxKernels)) {
    // The max over stacked windows; its gradient goes to every tied maximum (NNlib: the first).
    return tf.max(windows(xp, window, stride, Array<number>(n).fill(1)).cols, n + 1);
  }
  if (n === 3) {
    const args = [window as [number, number, number], stride as [number, number, number], "valid"] as const;
    return kind === "max" ? tf.maxPool3d(xp as tf.Tensor5D, ...args) : tf.avgPool3d(xp as tf.Tensor5D, ...args);
  }
  const x4 = n === 1 ? tf.expandDims(xp, 1) : xp;
  const k2 = (n === 1 ? [1, window[0]!] : window) as [number, number];
  const s2 = (n === 1 ? [1, stride[0]!] : stride) as [number, number];
  const y = kind === "max" ? tf.maxPool(x4 as tf.Tensor4D, k2, s2, "valid") : tf.avgPool(x4 as tf.Tensor4D, k2, s2, "valid");
  return n === 1 ? tf.squeeze(y, [1]) : y;
}

/**
 * Pooling with stride = window (the common case) as a reshape into [b, o₁, k₁, o₂, k₂, …, c] and a
 * max / mean over the k axes: the same values as 'valid' pooling, and a gradient that costs one
 * elementwise pass on every backend (tfjs's max-pool gradients are slow or missing on some).
 */
function tiledPool(kind: "max" | "mean", x: tf.Tensor, window: readonly number[]): tf.Tensor {
  const n = window.length;
  const out = x.shape.slice(1, n + 1).map((l, i) => Math.floor(l / window[i]!));
  const used = out.map((o, i) => o * window[i]!);
  const cropped = used.every((u, i) => u === x.shape[i + 1]) ? x : tf.slice(x, Array<number>(n + 2).fill(0), [-1, ...used, -1]);
  const split = tf.reshape(cropped, [x.shape[0]!, ...out.flatMap((o, i) => [o, window[i]!]), x.shape[n + 1]!]);
  const axes = range(n).map((i) => 2 + 2 * i);
  return kind === "max" ? tf.max(split, axes) : tf.mean(split, axes);
}

/** x as float32 (integer inputs are converted, as Flux converts to the weight's eltype). */
export function asFloat(x: tf.Tensor): tf.Tensor {
  return x.dtype === "float32" ? x : tf.cast(x, "float32");
}
