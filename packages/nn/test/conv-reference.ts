// Plain-JS float64 references for the conv and pooling tests, written from the definitions
// (NNlib's loops), independent of tfjs. Arrays are flat, row-major, with explicit shapes.
import { expect } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { Rng } from "../src/functions/rng.js";

export interface Arr {
  data: number[];
  shape: number[];
}

export const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/** Every multi-index of `shape`, row-major. */
export function indices(shape: readonly number[]): number[][] {
  const out: number[][] = [];
  const total = prod(shape);
  for (let flat = 0; flat < total; flat++) {
    const idx: number[] = [];
    let r = flat;
    for (let i = shape.length - 1; i >= 0; i--) {
      idx[i] = r % shape[i]!;
      r = Math.floor(r / shape[i]!);
    }
    out.push(idx);
  }
  return out;
}

export function flatIndex(idx: readonly number[], shape: readonly number[]): number {
  let f = 0;
  for (let i = 0; i < shape.length; i++) f = f * shape[i]! + idx[i]!;
  return f;
}

/** Reproducible normal samples (float32 values, so tensors hold them exactly). */
export function randomArr(shape: number[], seed: number): Arr {
  return { data: Array.from(new Rng(seed).normals(prod(shape))), shape };
}

export const toTensor = (a: Arr): tf.Tensor => tf.tensor(a.data, a.shape, "float32");

export interface ConvSpec {
  stride: number[];
  /** 2N: lo, hi per spatial dim */
  pad: number[];
  dilation: number[];
  groups: number;
  /** true: NNlib's Conv (kernel flipped); false: cross-correlation */
  flip: boolean;
}

/** y[b, o…, co] = Σ x[b, o·s + k·d − lo, g·cinG + ci] · w[k or K−1−k, ci, co] (NNlib conv_direct). */
export function refConv(x: Arr, w: Arr, s: ConvSpec): Arr {
  const n = x.shape.length - 2;
  const [batch, spatial] = [x.shape[0]!, x.shape.slice(1, n + 1)];
  const k = w.shape.slice(0, n);
  const [cinG, cout] = [w.shape[n]!, w.shape[n + 1]!];
  const coutG = cout / s.groups;
  const out = spatial.map((l, i) => Math.floor((l + s.pad[2 * i]! + s.pad[2 * i + 1]! - s.dilation[i]! * (k[i]! - 1) - 1) / s.stride[i]!) + 1);
  const shape = [batch, ...out, cout];
  const data = new Array<number>(prod(shape)).fill(0);
  const kIdx = indices(k);
  for (const b of Array.from({ length: batch }, (_, i) => i)) {
    for (const o of indices(out)) {
      for (let co = 0; co < cout; co++) {
        const g = Math.floor(co / coutG);
        let sum = 0;
        for (const kk of kIdx) {
          const pos = o.map((oi, i) => oi * s.stride[i]! + kk[i]! * s.dilation[i]! - s.pad[2 * i]!);
          if (pos.some((p, i) => p < 0 || p >= spatial[i]!)) continue;
          const kw = s.flip ? kk.map((v, i) => k[i]! - 1 - v) : kk;
          for (let ci = 0; ci < cinG; ci++) {
            sum += x.data[flatIndex([b, ...pos, g * cinG + ci], x.shape)]! * w.data[flatIndex([...kw, ci, co], w.shape)]!;
          }
        }
        data[flatIndex([b, ...o, co], shape)] = sum;
      }
    }
  }
  return { data, shape };
}

/**
 * Flux's ConvTranspose as the adjoint of refConv (flip = true): every x[b, i, ci] · w[K−1−k, oc, ci]
 * is scattered to y[b, i·s + k·d − lo, g·outG + oc]; w is [k…, out/groups, in].
 */
export function refConvTranspose(x: Arr, w: Arr, s: Omit<ConvSpec, "flip"> & { outpad: number[] }): Arr {
  const n = x.shape.length - 2;
  const [batch, spatial] = [x.shape[0]!, x.shape.slice(1, n + 1)];
  const k = w.shape.slice(0, n);
  const [outG, cin] = [w.shape[n]!, w.shape[n + 1]!];
  const cinG = cin / s.groups;
  const out = spatial.map((l, i) => (l - 1) * s.stride[i]! + 1 + (k[i]! - 1) * s.dilation[i]! - s.pad[2 * i]! - s.pad[2 * i + 1]! + s.outpad[i]!);
  const shape = [batch, ...out, outG * s.groups];
  const data = new Array<number>(prod(shape)).fill(0);
  for (let b = 0; b < batch; b++) {
    for (const i of indices(spatial)) {
      for (let ci = 0; ci < cin; ci++) {
        const g = Math.floor(ci / cinG);
        const xv = x.data[flatIndex([b, ...i, ci], x.shape)]!;
        for (const kk of indices(k)) {
          const j = i.map((v, d) => v * s.stride[d]! + kk[d]! * s.dilation[d]! - s.pad[2 * d]!);
          if (j.some((v, d) => v < 0 || v >= out[d]!)) continue;
          const kw = kk.map((v, d) => k[d]! - 1 - v);
          for (let oc = 0; oc < outG; oc++) {
            data[flatIndex([b, ...j, g * outG + oc], shape)]! += xv * w.data[flatIndex([...kw, oc, ci], w.shape)]!;
          }
        }
      }
    }
  }
  return { data, shape };
}

/** NNlib's pooling: max ignores padding (starts at -floatmax), mean divides by prod(window). */
export function refPool(kind: "max" | "mean", x: Arr, window: number[], stride: number[], pad: number[]): Arr {
  const n = window.length;
  const [batch, spatial, c] = [x.shape[0]!, x.shape.slice(1, n + 1), x.shape[n + 1]!];
  const out = spatial.map((l, i) => Math.floor((l + pad[2 * i]! + pad[2 * i + 1]! - window[i]!) / stride[i]!) + 1);
  const shape = [batch, ...out, c];
  const data = new Array<number>(prod(shape)).fill(0);
  for (let b = 0; b < batch; b++) {
    for (const o of indices(out)) {
      for (let ch = 0; ch < c; ch++) {
        let m = kind === "max" ? -3.4028234663852886e38 : 0;
        for (const kk of indices(window)) {
          const pos = o.map((oi, i) => oi * stride[i]! + kk[i]! - pad[2 * i]!);
          if (pos.some((p, i) => p < 0 || p >= spatial[i]!)) continue;
          const v = x.data[flatIndex([b, ...pos, ch], x.shape)]!;
          m = kind === "max" ? Math.max(m, v) : m + v;
        }
        data[flatIndex([b, ...o, ch], shape)] = kind === "max" ? m : m / prod(window);
      }
    }
  }
  return { data, shape };
}

export const flipSpatial = (w: Arr, n: number): Arr => {
  const data = new Array<number>(w.data.length);
  for (const idx of indices(w.shape)) {
    const f = idx.map((v, i) => (i < n ? w.shape[i]! - 1 - v : v));
    data[flatIndex(f, w.shape)] = w.data[flatIndex(idx, w.shape)]!;
  }
  return { data, shape: w.shape };
};

export const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((s, v, i) => s + v * b[i]!, 0);

/** |a − e| ≤ rtol·(|e| + scale) elementwise, scale = max|e| · 1e-2 (for entries near zero). */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  const bad: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual[i]!, expected[i]!];
    if (!(Math.abs(a - e) <= rtol * (Math.abs(e) + 1e-2 * scale + 1e-30))) bad.push(`[${i}] ${a} vs ${e}`);
  }
  expect(bad.slice(0, 5)).toEqual([]);
}

/** Looser forward tolerance on wasm (XNNPACK sums in a different order). */
export const fwdTol = (): number => (tf.getBackend() === "wasm" ? 1e-4 : 1e-5);

/**
 * Central finite differences of the scalar `f` with respect to each entry of the variable `v`
 * (restored afterwards), compared with `grad`.
 */
export function checkFiniteDiff(f: () => number, v: tf.Variable, grad: tf.Tensor, h = 1e-2, rtol = 1e-2, maxEntries = 40): void {
  const base = v.dataSync().slice();
  const g = grad.dataSync();
  expect(grad.shape).toEqual(v.shape);
  const n = base.length;
  const step = Math.max(1, Math.floor(n / maxEntries));
  const fd: number[] = [];
  const an: number[] = [];
  for (let i = 0; i < n; i += step) {
    const plus = base.slice();
    plus[i] = base[i]! + h;
    const minus = base.slice();
    minus[i] = base[i]! - h;
    const tp = tf.tensor(plus, v.shape);
    v.assign(tp);
    tp.dispose();
    const fp = f();
    const tm = tf.tensor(minus, v.shape);
    v.assign(tm);
    tm.dispose();
    const fm = f();
    fd.push((fp - fm) / (2 * h));
    an.push(g[i]!);
  }
  const t = tf.tensor(base, v.shape);
  v.assign(t);
  t.dispose();
  expectClose(an, fd, rtol);
}
