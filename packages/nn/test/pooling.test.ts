import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import * as tfl from "@tensorflow/tfjs-layers";
import { AdaptiveMaxPool, AdaptiveMeanPool, GlobalMaxPool, GlobalMeanPool, MaxPool, MeanPool } from "../src/layers/conv/pooling.js";
import { PixelShuffle, Upsample } from "../src/layers/conv/upsample.js";
import { flatten } from "../src/layers/basic/flatten.js";
import { Conv, SamePad } from "../src/layers/conv/conv.js";
import { Chain } from "../src/layers/basic/chain.js";
import { gradient } from "../src/autodiff/gradient.js";
import { dispose } from "../src/core/dispose.js";
import { modules } from "../src/core/modules.js";
import { show } from "../src/core/show.js";
import { type Arr, checkFiniteDiff, expectClose, flatIndex, fwdTol, indices, prod, randomArr, refPool, toTensor } from "./conv-reference.js";

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());

describe("MaxPool and MeanPool", () => {
  test("hand-worked padding: max never picks the pad, mean counts it as zero", () => {
    const x = tf.tensor3d([-5, -3, -4], [1, 3, 1]);
    const mp = new MaxPool([2], { pad: 1 });
    const ap = new MeanPool([2], { pad: 1 });
    // padded [pad, -5, -3, -4, pad], windows of 2 at stride 2: [pad, -5], [-3, -4]
    expect(values(mp.apply(x))).toEqual([-5, -3]);
    expect(values(ap.apply(x))).toEqual([-2.5, -3.5]);
    tf.dispose(x);
  });

  test("3-d max pooling of negative numbers, padded or not (tfjs-backend-wasm's MaxPool3D gives 1.18e-38)", () => {
    const x = tf.tensor5d([-1, -2, -3, -4, -5, -6, -7, -8], [1, 2, 2, 2, 1]);
    const plain = new MaxPool([2, 2, 2], { stride: 1 }).apply(x);
    const padded = new MaxPool([2, 2, 2], { pad: 1 }).apply(x);
    expect(values(plain)).toEqual([-1]);
    expect(values(padded)).toEqual([-1, -2, -3, -4, -5, -6, -7, -8]);
    tf.dispose([x, plain, padded]);
  });

  const cases = [
    { name: "1-d", x: [2, 9, 3], k: [3], stride: [3], pad: [0, 0] },
    { name: "1-d pad 2 stride 3 (docstring)", x: [2, 10, 2], k: [5], stride: [3], pad: [2, 2] },
    { name: "2-d", x: [2, 6, 8, 3], k: [2, 2], stride: [2, 2], pad: [0, 0, 0, 0] },
    { name: "2-d asymmetric pad, stride 1", x: [1, 5, 6, 2], k: [3, 2], stride: [1, 1], pad: [1, 0, 2, 1] },
    { name: "2-d stride > window", x: [1, 9, 9, 1], k: [2, 2], stride: [3, 4], pad: [1, 1, 0, 0] },
    { name: "3-d", x: [1, 4, 6, 5, 2], k: [2, 3, 2], stride: [2, 2, 1], pad: [0, 1, 0, 0, 1, 0] },
  ];
  test.each(cases)("$name against float64 loops", (c) => {
    const x = randomArr(c.x, 41);
    const xt = toTensor(x);
    for (const [kind, Cls] of [
      ["max", MaxPool],
      ["mean", MeanPool],
    ] as const) {
      const layer = new Cls(c.k, { stride: c.stride, pad: c.pad });
      const y = assertNoLeaks(() => layer.apply(xt));
      const ref = refPool(kind, x, c.k, c.stride, c.pad);
      expect(y.shape).toEqual(ref.shape);
      expectClose(y.dataSync(), ref.data, fwdTol());
      y.dispose();
    }
    xt.dispose();
  });

  test("SamePad puts the larger half first (Flux's split), stride defaults to the window", () => {
    const x = toTensor(randomArr([1, 6, 6, 1], 42));
    const m = new MaxPool([2, 2], { pad: new SamePad() });
    expect(m.pad).toEqual([1, 0, 1, 0]);
    expect(m.stride).toEqual([2, 2]);
    const y = m.apply(x);
    const ref = refPool("max", { data: values(x), shape: [1, 6, 6, 1] }, [2, 2], [2, 2], [1, 0, 1, 0]);
    expect(y.shape).toEqual([1, 3, 3, 1]); // ceil(6 / 2)
    expectClose(y.dataSync(), ref.data, 1e-6);
    tf.dispose([x, y]);
  });

  test("repr, show and docstring sizes", () => {
    expect(new MaxPool([5, 5], { pad: new SamePad() }).repr()).toBe("MaxPool((5, 5), pad=2)");
    const lay = new MaxPool([5], { pad: 2, stride: [3] });
    expect(lay.repr()).toBe("MaxPool((5,), pad=2, stride=3)");
    expect(lay.toString()).toBe("MaxPool((5,), pad=2, stride=3)");
    expect(new MeanPool([2, 3], { stride: [2, 3] }).repr()).toBe("MeanPool((2, 3))");
    expect(new MeanPool([2, 2], { stride: 1, pad: [1, 0, 1, 0] }).repr()).toBe("MeanPool((2, 2), pad=(1, 0, 1, 0), stride=1)");
    const x = tf.zeros([50, 100, 7]);
    const y = lay.apply(x);
    expect(y.shape).toEqual([50, 34, 7]);
    tf.dispose([x, y]);

    const m = new Chain(new Conv([5, 5], [3, 7]), new MeanPool([5, 5], { pad: new SamePad() }));
    expect(m.toString()).toBe(["Chain(", "  Conv((5, 5), 3 => 7),                 # 532 parameters", "  MeanPool((5, 5), pad=2),", ")"].join("\n"));
    const xs = tf.zeros([2, 100, 100, 3]);
    const [a, b] = m.activations(xs) as tf.Tensor[];
    expect(a!.shape).toEqual([2, 96, 96, 7]);
    expect(b!.shape).toEqual([2, 20, 20, 7]);
    expect(modules(m).length).toBe(4); // Chain, its layers array, Conv, MeanPool
    tf.dispose([xs, a!, b!]);
    dispose(m);
  });

  test("against tfjs-layers maxPooling2d / averagePooling2d / maxPooling1d / pooling3d", () => {
    const x = toTensor(randomArr([2, 7, 8, 3], 43));
    const pairs: [{ apply(x: tf.Tensor): unknown }, MaxPool | MeanPool][] = [
      [tfl.layers.maxPooling2d({ poolSize: [2, 3], strides: [2, 2], padding: "valid" }), new MaxPool([2, 3], { stride: 2 })],
      // 'same' with a 3×3 window at stride 1 pads (1, 1) per dim, as SamePad
      [tfl.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: "same" }), new MaxPool([3, 3], { stride: 1, pad: new SamePad() })],
      [tfl.layers.averagePooling2d({ poolSize: [3, 2], strides: [1, 2], padding: "valid" }), new MeanPool([3, 2], { stride: [1, 2] })],
    ];
    for (const [theirs, ours] of pairs) {
      const [a, b] = [theirs.apply(x) as tf.Tensor, ours.apply(x)];
      expect(b.shape).toEqual(a.shape);
      expectClose(b.dataSync(), a.dataSync(), fwdTol());
      tf.dispose([a, b]);
    }
    const x1 = toTensor(randomArr([2, 11, 3], 44));
    const [a1, b1] = [tfl.layers.maxPooling1d({ poolSize: 3, strides: 2 }).apply(x1) as tf.Tensor, new MaxPool([3], { stride: 2 }).apply(x1)];
    expectClose(b1.dataSync(), a1.dataSync(), fwdTol());
    const x3 = toTensor(randomArr([1, 4, 5, 6, 2], 45));
    const [a3, b3] = [tfl.layers.averagePooling3d({ poolSize: [2, 2, 3] }).apply(x3) as tf.Tensor, new MeanPool([2, 2, 3]).apply(x3)];
    expect(b3.shape).toEqual(a3.shape);
    expectClose(b3.dataSync(), a3.dataSync(), fwdTol());
    const [a4, b4] = [tfl.layers.maxPooling3d({ poolSize: [2, 2, 3] }).apply(x3) as tf.Tensor, new MaxPool([2, 2, 3]).apply(x3)];
    expectClose(b4.dataSync(), a4.dataSync(), fwdTol());
    tf.dispose([x, x1, a1, b1, x3, a3, b3, a4, b4]);
  });

  test("bad input and arguments", () => {
    const m = new MaxPool([2, 2]);
    const x3 = tf.zeros([4, 4, 1]);
    const tiny = tf.zeros([1, 1, 4, 1]);
    expect(() => m.apply(x3)).toThrow("layer MaxPool((2, 2)) expects ndims(input) == 4 ([batch, 2 spatial dims…, channels]), but got a tensor of shape [4, 4, 1]");
    expect(() => m.apply(tiny)).toThrow("too small");
    expect(() => new MaxPool([])).toThrow("the window must be an array of 1, 2 or 3 positive integers");
    expect(() => new MeanPool([2, 2], { stride: [1] })).toThrow("stride must be an integer ≥ 1 or an array of 2");
    expect(() => new MeanPool([2], { pad: -1 })).toThrow("pad must be an integer ≥ 0");
    tf.dispose([x3, tiny]);
  });
});

describe("global and adaptive pools", () => {
  test("GlobalMaxPool / GlobalMeanPool keep the spatial dims as 1, and match tfjs-layers", () => {
    const x = randomArr([2, 4, 5, 3], 51);
    const xt = toTensor(x);
    const gmax = assertNoLeaks(() => new GlobalMaxPool().apply(xt));
    const gmean = new GlobalMeanPool().apply(xt);
    expect(gmax.shape).toEqual([2, 1, 1, 3]);
    const refMax: number[] = [];
    const refMean: number[] = [];
    for (let b = 0; b < 2; b++) {
      for (let c = 0; c < 3; c++) {
        const vs = indices([4, 5]).map(([h, w]) => x.data[flatIndex([b, h!, w!, c], x.shape)]!);
        refMax.push(Math.max(...vs));
        refMean.push(vs.reduce((s, v) => s + v, 0) / vs.length);
      }
    }
    expectClose(gmax.dataSync(), refMax, 1e-6);
    expectClose(gmean.dataSync(), refMean, 1e-5);
    const t1 = tfl.layers.globalMaxPooling2d({}).apply(xt) as tf.Tensor;
    const t2 = tfl.layers.globalAveragePooling2d({}).apply(xt) as tf.Tensor;
    expectClose(gmax.dataSync(), t1.dataSync(), 1e-6);
    expectClose(gmean.dataSync(), t2.dataSync(), 1e-5);
    const x1 = tf.zeros([7, 3, 5]);
    const y1 = new GlobalMaxPool().apply(x1);
    expect(y1.shape).toEqual([7, 1, 5]);
    expect(new GlobalMaxPool().toString()).toBe("GlobalMaxPool()");
    expect(new GlobalMeanPool().repr()).toBe("GlobalMeanPool()");
    const two = tf.zeros([2, 3]);
    expect(() => new GlobalMeanPool().apply(two)).toThrow("at least 3 dims");
    tf.dispose([xt, gmax, gmean, t1, t2, x1, y1, two]);
  });

  test("Adaptive pools use stride = in ÷ out and window = in − (out − 1)·stride", () => {
    // in 7 → out 3: stride 2, window 3: windows [0..2], [2..4], [4..6]
    const x = tf.tensor3d([0, 1, 2, 3, 4, 5, 6], [1, 7, 1]);
    expect(values(new AdaptiveMaxPool([3]).apply(x))).toEqual([2, 4, 6]);
    expect(values(new AdaptiveMeanPool([3]).apply(x))).toEqual([1, 3, 5]);
    const xs = toTensor(randomArr([2, 100, 100, 3], 52));
    const a = new AdaptiveMaxPool([25, 25]);
    expect(a.repr()).toBe("AdaptiveMaxPool((25, 25))");
    const [y1, y2] = [a.apply(xs), new MaxPool([4, 4]).apply(xs)];
    expect(y1.shape).toEqual([2, 25, 25, 3]);
    expect(values(y1)).toEqual(values(y2));
    const [y3, y4] = [new AdaptiveMeanPool([25, 25]).apply(xs), new MeanPool([4, 4]).apply(xs)];
    expectClose(y3.dataSync(), y4.dataSync(), 1e-6);
    const small = tf.zeros([1, 2, 3, 1]);
    expect(() => a.apply(small)).toThrow("needs a spatial size of at least the output size");
    tf.dispose([x, xs, y1, y2, y3, y4, small]);
  });
});

describe("pooling gradients", () => {
  const layers: [string, () => { apply(x: tf.Tensor): tf.Tensor }, number[]][] = [
    ["MaxPool 2-d pad", () => new MaxPool([2, 3], { pad: [1, 0, 0, 1], stride: [2, 2] }), [2, 5, 6, 2]],
    ["MeanPool 2-d pad", () => new MeanPool([3, 2], { pad: 1, stride: 1 }), [1, 4, 4, 2]],
    ["MaxPool 1-d", () => new MaxPool([3], { stride: 2 }), [2, 9, 2]],
    ["MeanPool 3-d", () => new MeanPool([2, 2, 2], { pad: [1, 0, 0, 0, 0, 1] }), [1, 3, 4, 3, 2]],
    ["MaxPool 3-d", () => new MaxPool([2, 2, 2]), [1, 4, 4, 2, 2]],
    ["AdaptiveMeanPool", () => new AdaptiveMeanPool([2, 3]), [1, 5, 7, 2]],
    ["GlobalMaxPool", () => new GlobalMaxPool(), [2, 3, 4, 2]],
    ["GlobalMeanPool", () => new GlobalMeanPool(), [2, 3, 4, 2]],
    ["Upsample nearest", () => new Upsample("nearest", { scale: [2, 3] }), [1, 3, 2, 2]],
    ["Upsample bilinear", () => new Upsample("bilinear", { size: [5, 7] }), [2, 3, 4, 2]],
    ["Upsample trilinear", () => new Upsample("trilinear", { scale: 2 }), [1, 2, 3, 2, 1]],
    ["PixelShuffle", () => new PixelShuffle(2), [1, 2, 3, 8]],
  ];
  test.each(layers)("%s: finite differences", (_, make, shape) => {
    const layer = make();
    const x = tf.variable(toTensor(randomArr(shape, 61)));
    const y0 = layer.apply(x);
    const r = toTensor(randomArr([...y0.shape], 62));
    const loss = (input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input), r));
    const [gx] = assertNoLeaks(() => gradient(loss, x)) as [tf.Tensor];
    checkFiniteDiff(() => tf.tidy(() => loss(x).dataSync()[0]!), x, gx, 1e-3, 1e-2, 60);
    tf.dispose([x, y0, r, gx]);
  });

  test("MeanPool's gradient by hand: each input gets (windows covering it) / window size", () => {
    const x = tf.variable(tf.zeros([1, 4, 1]));
    const m = new MeanPool([2], { stride: 1, pad: [1, 0] });
    // padded [0, x0, x1, x2, x3], windows [p, x0], [x0, x1], [x1, x2], [x2, x3]
    const [g] = gradient((v: tf.Tensor) => tf.sum(m.apply(v)), x) as [tf.Tensor];
    expect(values(g)).toEqual([1, 1, 1, 0.5]);
    tf.dispose([x, g]);
  });
});

function refNearest(x: Arr, scale: number[]): Arr {
  const n = scale.length;
  const shape = [x.shape[0]!, ...x.shape.slice(1, n + 1).map((s, i) => s * scale[i]!), x.shape[n + 1]!];
  const data = indices(shape).map((idx) => x.data[flatIndex(idx.map((v, i) => (i >= 1 && i <= n ? Math.floor(v / scale[i - 1]!) : v)), x.shape)]!);
  return { data, shape };
}

/** NNlib's upsample_linear with align_corners: source = o·(in − 1)/(out − 1), separable weights. */
function refLinear(x: Arr, out: number[]): Arr {
  const n = out.length;
  const insize = x.shape.slice(1, n + 1);
  const shape = [x.shape[0]!, ...out, x.shape[n + 1]!];
  const data = indices(shape).map((idx) => {
    const taps: [number[], number][] = [[[], 1]];
    for (let d = 0; d < n; d++) {
      const ratio = out[d]! > 1 ? (insize[d]! - 1) / (out[d]! - 1) : 0;
      const real = ratio * idx[d + 1]!;
      const i0 = Math.floor(real);
      const i1 = i0 < insize[d]! - 1 ? i0 + 1 : i0;
      const l1 = real - i0;
      const next: [number[], number][] = [];
      for (const [pos, wgt] of taps) next.push([[...pos, i0], wgt * (1 - l1)], [[...pos, i1], wgt * l1]);
      taps.splice(0, taps.length, ...next);
    }
    return taps.reduce((s, [pos, wgt]) => s + wgt * x.data[flatIndex([idx[0]!, ...pos, idx[n + 1]!], x.shape)]!, 0);
  });
  return { data, shape };
}

describe("Upsample", () => {
  test("repr, sizes and construction forms", () => {
    const m = new Upsample({ scale: [2, 3] });
    expect(m.repr()).toBe("Upsample(:nearest, scale = (2, 3))");
    expect(m.toString()).toBe("Upsample(:nearest, scale = (2, 3))");
    const x = tf.ones([1, 2, 2, 1]);
    const y = m.apply(x);
    expect(y.shape).toEqual([1, 4, 6, 1]);
    const b = new Upsample("bilinear", { size: [4, 5] });
    expect(b.repr()).toBe("Upsample(:bilinear, size = (4, 5))");
    const yb = b.apply(x);
    expect(yb.shape).toEqual([1, 4, 5, 1]);
    expect(values(yb).every((v) => Math.abs(v - 1) < 1e-6)).toBe(true);
    expect(new Upsample(2).repr()).toBe("Upsample(:nearest, scale = 2)");
    expect(new Upsample([2, 2], "bilinear").repr()).toBe("Upsample(:bilinear, scale = (2, 2))");
    expect(new Upsample("trilinear", { scale: 2 }).repr()).toBe("Upsample(:trilinear, scale = 2)");
    // a leaf (Flux's Functors.@leaf Upsample): not among modules, printed on one line in a Chain
    const c = new Chain(new Conv([1, 1], [1, 1]), m);
    expect(modules(c).includes(m)).toBe(false);
    expect(show(c).split("\n")[2]).toBe("  Upsample(:nearest, scale = (2, 3)),");
    tf.dispose([x, y, yb]);
    dispose(c);
  });

  test("nearest: against a loop (1-d, 2-d, 3-d) and tfjs-layers upSampling2d", () => {
    for (const [shape, scale] of [
      [[2, 3, 2], [3]],
      [[2, 3, 4, 2], [2, 3]],
      [[1, 2, 3, 2, 2], [2, 1, 3]],
    ] as [number[], number[]][]) {
      const x = randomArr(shape, 71);
      const xt = toTensor(x);
      const y = assertNoLeaks(() => new Upsample("nearest", { scale }).apply(xt));
      const ref = refNearest(x, scale);
      expect(y.shape).toEqual(ref.shape);
      expect(values(y)).toEqual(ref.data.map(Math.fround));
      const ys = new Upsample("nearest", { size: ref.shape.slice(1, -1) }).apply(xt);
      expect(values(ys)).toEqual(values(y));
      if (shape.length === 4) {
        const t = tfl.layers.upSampling2d({ size: scale as [number, number] }).apply(xt) as tf.Tensor;
        expect(values(t)).toEqual(values(y));
        t.dispose();
      }
      tf.dispose([xt, y, ys]);
    }
  });

  test("bilinear with aligned corners: by hand, against a loop and tf.image.resizeBilinear(alignCorners)", () => {
    const x = tf.tensor4d([0, 1], [1, 1, 2, 1]);
    const y = new Upsample("bilinear", { scale: [1, 2] }).apply(x);
    expectClose(y.dataSync(), [0, 1 / 3, 2 / 3, 1], 1e-6);
    const y3 = new Upsample("bilinear", { size: [1, 3] }).apply(x);
    expectClose(y3.dataSync(), [0, 0.5, 1], 1e-6);
    const a = randomArr([2, 3, 4, 2], 72);
    const at = toTensor(a);
    const ya = new Upsample("bilinear", { scale: [2.5, 1.5] }).apply(at); // floor(2.5·3) = 7, floor(1.5·4) = 6
    const ref = refLinear(a, [7, 6]);
    expect(ya.shape).toEqual(ref.shape);
    expectClose(ya.dataSync(), ref.data, 1e-5);
    const t = tf.image.resizeBilinear(at as tf.Tensor4D, [7, 6], true);
    expectClose(ya.dataSync(), t.dataSync(), fwdTol());
    tf.dispose([x, y, y3, at, ya, t]);
  });

  test("trilinear against a loop", () => {
    const a = randomArr([1, 2, 3, 4, 2], 73);
    const at = toTensor(a);
    const y = assertNoLeaks(() => new Upsample("trilinear", { size: [3, 5, 4] }).apply(at));
    const ref = refLinear(a, [3, 5, 4]);
    expect(y.shape).toEqual(ref.shape);
    expectClose(y.dataSync(), ref.data, 1e-5);
    tf.dispose([at, y]);
  });

  test("errors", () => {
    expect(() => new Upsample("nearest", { scale: 2, size: [2, 2] })).toThrow("either scale or size should be specified (but not both)");
    expect(() => new Upsample("nearest")).toThrow("either scale or size");
    expect(() => new Upsample("cubic" as "nearest", { scale: 2 })).toThrow('mode="cubic" is not supported');
    const x3 = tf.zeros([1, 4, 2]);
    const x4 = tf.zeros([1, 3, 3, 1]);
    expect(() => new Upsample("bilinear", { scale: 2 }).apply(x3)).toThrow("layer Upsample(:bilinear, scale = 2) expects ndims(input) == 4");
    expect(() => new Upsample("nearest", { scale: 1.5 }).apply(x4)).toThrow("nearest upsampling needs integer factors");
    expect(() => new Upsample("nearest", { scale: [2, 2, 2] }).apply(x4)).toThrow("scale has 3 entries but the input [1, 3, 3, 1] has 2 spatial dims");
    tf.dispose([x3, x4]);
  });
});

describe("PixelShuffle", () => {
  test("NNlib's channel order: channel i1 + r·i2 + r²·c goes to (s1·r + i1, s2·r + i2, c)", () => {
    const r = 2;
    const x = randomArr([2, 2, 3, 12], 81);
    const xt = toTensor(x);
    const p = new PixelShuffle(r);
    expect(p.repr()).toBe("PixelShuffle(2)");
    const y = assertNoLeaks(() => p.apply(xt));
    expect(y.shape).toEqual([2, 4, 6, 3]);
    const ref = indices([2, 4, 6, 3]).map(([b, h, w, c]) => {
      const [s1, i1, s2, i2] = [Math.floor(h! / r), h! % r, Math.floor(w! / r), w! % r];
      return x.data[flatIndex([b!, s1, s2, i1 + r * i2 + r * r * c!], x.shape)]!;
    });
    expect(values(y)).toEqual(ref.map(Math.fround));
    const x1 = randomArr([1, 3, 6], 82);
    const x1t = toTensor(x1);
    const y1 = new PixelShuffle(3).apply(x1t); // [1, 9, 2]: channel i + 3c
    const ref1 = indices([1, 9, 2]).map(([b, l, c]) => x1.data[flatIndex([b!, Math.floor(l! / 3), (l! % 3) + 3 * c!], x1.shape)]!);
    expect(values(y1)).toEqual(ref1.map(Math.fround));
    const bad = tf.zeros([1, 2, 2, 6]);
    expect(() => p.apply(bad)).toThrow("channels are a multiple of r^N");
    expect(() => new PixelShuffle(0)).toThrow("r must be a positive integer");
    tf.dispose([xt, y, x1t, y1, bad]);
  });
});

describe("flatten", () => {
  test("[b, …] → [b, prod], row-major; a vector becomes [n, 1]", () => {
    const x = tf.tensor(Array.from({ length: 24 }, (_, i) => i), [2, 3, 2, 2]);
    const y = assertNoLeaks(() => flatten(x));
    expect(y.shape).toEqual([2, 12]);
    expect(values(y)).toEqual(values(x));
    const v = tf.tensor1d([1, 2, 3]);
    const fv = flatten(v);
    expect(fv.shape).toEqual([3, 1]);
    const s = tf.scalar(1);
    expect(() => flatten(s)).toThrow("flatten expects a tensor of at least 1 dim");
    const c = new Chain(new MaxPool([2, 2]), flatten);
    const z = tf.zeros([5, 4, 4, 3]);
    const fz = c.apply(z) as tf.Tensor;
    expect(fz.shape).toEqual([5, 12]);
    expect(show(c)).toBe(["Chain(", "  MaxPool((2, 2)),", "  flatten,", ")"].join("\n"));
    expect(prod(fz.shape)).toBe(60);
    tf.dispose([x, y, v, fv, s, z, fz]);
  });
});
