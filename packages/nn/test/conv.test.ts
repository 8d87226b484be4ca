import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import * as tfl from "@tensorflow/tfjs-layers";
import { Conv, ConvTranspose, CrossCor, DepthwiseConv, SamePad } from "../src/layers/conv/conv.js";
import { Chain } from "../src/layers/basic/chain.js";
import { MaxPool } from "../src/layers/conv/pooling.js";
import { relu, sigmoid, tanh } from "../src/functions/activations.js";
import { gradient, withGradient } from "../src/autodiff/gradient.js";
import { dispose } from "../src/core/dispose.js";
import { modules } from "../src/core/modules.js";
import { seedRandom } from "../src/functions/rng.js";
import {
  type Arr,
  checkFiniteDiff,
  dot,
  expectClose,
  flipSpatial,
  fwdTol,
  randomArr,
  refConv,
  refConvTranspose,
  toTensor,
} from "./conv-reference.js";

const ones = (n: number, v: number): number[] => Array<number>(n).fill(v);
const arr = (t: tf.Tensor): Arr => ({ data: Array.from(t.dataSync()), shape: [...t.shape] });

describe("Conv: hand-worked cases", () => {
  test("Conv flips the kernel, CrossCor does not (1-d)", () => {
    const w = tf.tensor3d([1, 10], [2, 1, 1]);
    const x = tf.tensor3d([1, 2, 3], [1, 3, 1]);
    const conv = new Conv(w, false);
    const cc = new CrossCor(w, false);
    // true convolution: y[i] = 10·x[i] + x[i+1]; cross-correlation: x[i] + 10·x[i+1]
    expect(Array.from(conv.apply(x).dataSync())).toEqual([12, 23]);
    expect(Array.from(cc.apply(x).dataSync())).toEqual([21, 32]);
    dispose([conv, cc]);
    tf.dispose([w, x]);
  });

  test("ConvTranspose is the adjoint of Conv (1-d hand example)", () => {
    // Conv with w = [1, 10] maps x to y[i] = 10 x[i] + x[i+1]; its adjoint sends dy = [1, 2] to
    // dx = [10·1, 1·1 + 10·2, 1·2] = [10, 21, 2].
    const w = tf.tensor3d([1, 10], [2, 1, 1]);
    const x = tf.tensor3d([1, 2], [1, 2, 1]);
    const ct = new ConvTranspose(w, false);
    expect(ct.repr()).toBe("ConvTranspose((2,), 1 => 1, bias=false)");
    expect(Array.from(ct.apply(x).dataSync())).toEqual([10, 21, 2]);
    dispose(ct);
    tf.dispose([w, x]);
  });

  test("stride, asymmetric pad and dilation by hand (1-d)", () => {
    // x = 1..6, w = [1, 2] flipped to [2, 1] taps at distance 2, pad (1, 0), stride 2:
    // padded = [0, 1, 2, 3, 4, 5, 6]; y[o] = 2·p[2o] + 1·p[2o+2] → [0+2, 2·2+4, 2·4+6] = [2, 8, 14]
    const w = tf.tensor3d([1, 2], [2, 1, 1]);
    const x = tf.tensor3d([1, 2, 3, 4, 5, 6], [1, 6, 1]);
    const c = new Conv(w, false, undefined, { stride: 2, pad: [1, 0], dilation: 2 });
    expect(c.repr()).toBe("Conv((2,), 1 => 1, pad=(1, 0), stride=2, dilation=2, bias=false)");
    expect(Array.from(c.apply(x).dataSync())).toEqual([2, 8, 14]);
    dispose(c);
    tf.dispose([w, x]);
  });

  test("groups: each half of the channels sees only its own filters", () => {
    // 2 groups, in 2, out 2, k = 1: y0 = 3·x0, y1 = 5·x1
    const w = tf.tensor4d([3, 5], [1, 1, 1, 2]);
    const x = tf.tensor4d([1, 2, 10, 20], [1, 1, 2, 2]);
    const c = new Conv(w, false, undefined, { groups: 2 });
    expect(c.repr()).toBe("Conv((1, 1), 2 => 2, groups=2, bias=false)");
    expect(Array.from(c.apply(x).dataSync())).toEqual([3, 10, 30, 100]);
    dispose(c);
    tf.dispose([w, x]);
  });
});

interface Case {
  name: string;
  x: number[];
  k: number[];
  cin: number;
  cout: number;
  stride?: number[];
  pad?: number[];
  dilation?: number[];
  groups?: number;
}

const convCases: Case[] = [
  { name: "1-d", x: [2, 9], k: [3], cin: 2, cout: 3 },
  { name: "1-d stride 2 pad (2, 1)", x: [2, 10], k: [3], cin: 3, cout: 2, stride: [2], pad: [2, 1] },
  { name: "2-d", x: [2, 6, 5], k: [3, 2], cin: 3, cout: 4 },
  { name: "2-d stride (2, 1), pad (1, 0, 2, 1)", x: [1, 7, 6], k: [3, 3], cin: 2, cout: 3, stride: [2, 1], pad: [1, 0, 2, 1] },
  { name: "2-d dilation 2", x: [1, 8, 7], k: [3, 2], cin: 2, cout: 2, dilation: [2, 3] },
  { name: "2-d stride 2 and dilation 2", x: [2, 9, 9], k: [3, 3], cin: 2, cout: 2, stride: [2, 2], dilation: [2, 2], pad: [1, 1, 0, 2] },
  { name: "2-d groups 2", x: [2, 5, 5], k: [2, 3], cin: 4, cout: 6, groups: 2, pad: [1, 0, 0, 1] },
  { name: "2-d depthwise (groups = in)", x: [2, 6, 6], k: [3, 3], cin: 3, cout: 6, groups: 3, stride: [2, 2] },
  { name: "3-d", x: [1, 4, 5, 4], k: [2, 3, 2], cin: 2, cout: 3 },
  { name: "3-d stride, pad, dilation, groups", x: [1, 6, 5, 6], k: [2, 2, 2], cin: 4, cout: 2, stride: [2, 1, 2], pad: [1, 0, 0, 1, 1, 1], dilation: [1, 2, 1], groups: 2 },
];

function specOf(c: Case, flip: boolean) {
  const n = c.k.length;
  return {
    stride: c.stride ?? ones(n, 1),
    pad: c.pad ?? ones(2 * n, 0),
    dilation: c.dilation ?? ones(n, 1),
    groups: c.groups ?? 1,
    flip,
  };
}

describe("Conv and CrossCor against float64 loops", () => {
  test.each(convCases)("Conv $name", (c) => {
    const groups = c.groups ?? 1;
    const x = randomArr([...c.x, c.cin], 1);
    const w = randomArr([...c.k, c.cin / groups, c.cout], 2);
    const b = randomArr([c.cout], 3);
    const [xt, wt, bt] = [toTensor(x), toTensor(w), toTensor(b)];
    const s = specOf(c, true);
    const layer = new Conv(wt, bt, undefined, { stride: s.stride, pad: s.pad, dilation: s.dilation, groups });
    const y = assertNoLeaks(() => layer.apply(xt));
    const ref = refConv(x, w, s);
    expect(y.shape).toEqual(ref.shape);
    expectClose(
      y.dataSync(),
      ref.data.map((v, i) => v + b.data[i % c.cout]!),
      fwdTol(),
    );
    tf.dispose([xt, wt, bt, y]);
    dispose(layer);
  });

  test.each(convCases.filter((c) => (c.groups ?? 1) === 1))("CrossCor $name", (c) => {
    const x = randomArr([...c.x, c.cin], 4);
    const w = randomArr([...c.k, c.cin, c.cout], 5);
    const [xt, wt] = [toTensor(x), toTensor(w)];
    const s = specOf(c, false);
    const layer = new CrossCor(wt, false, relu, { stride: s.stride, pad: s.pad, dilation: s.dilation });
    const y = assertNoLeaks(() => layer.apply(xt));
    const ref = refConv(x, w, s);
    expect(y.shape).toEqual(ref.shape);
    expectClose(y.dataSync(), ref.data.map((v) => Math.max(v, 0)), fwdTol());
    tf.dispose([xt, wt, y]);
    dispose(layer);
  });

  test("Conv(W) equals CrossCor(W reversed along the spatial axes)", () => {
    const w = randomArr([3, 2, 2, 4], 6);
    const x = toTensor(randomArr([2, 7, 6, 2], 7));
    const [wt, wf] = [toTensor(w), toTensor(flipSpatial(w, 2))];
    const conv = new Conv(wt, true, tanh, { pad: [1, 2, 0, 1], stride: [1, 2] });
    const cc = new CrossCor(wf, true, tanh, { pad: [1, 2, 0, 1], stride: [1, 2] });
    const [a, b] = [conv.apply(x), cc.apply(x)];
    expectClose(a.dataSync(), b.dataSync(), 1e-6);
    tf.dispose([w, x, wt, wf, a, b].filter((t): t is tf.Tensor => t instanceof tf.Tensor));
    dispose([conv, cc]);
  });
});

describe("DepthwiseConv", () => {
  test("is a Conv with groups = in, printed as one", () => {
    seedRandom(3);
    const d = new DepthwiseConv([5, 5], [3, 6], relu, { bias: false });
    expect(d).toBeInstanceOf(Conv);
    expect(d.groups).toBe(3);
    expect(d.weight.shape).toEqual([5, 5, 1, 6]);
    expect(d.repr()).toBe("Conv((5, 5), 3 => 6, relu, groups=3, bias=false)");
    expect(d.toString()).toBe("Conv((5, 5), 3 => 6, relu, groups=3, bias=false)  # 150 parameters");
    const d2 = DepthwiseConv([3], [2, 2]);
    expect(d2.repr()).toBe("Conv((3,), 2 => 2, groups=2)");
    expect(() => new DepthwiseConv([3, 3], [2, 3])).toThrow("must be a multiple of the input channels");
    dispose([d, d2]);
  });

  test("the weight form takes [k…, in, multiplier] and matches tfjs-layers depthwiseConv2d", () => {
    const w = randomArr([3, 2, 3, 2], 8); // [kh, kw, in, mult]
    const x = toTensor(randomArr([2, 6, 5, 3], 9));
    const wt = toTensor(w);
    const d = new DepthwiseConv(wt, false, undefined, { stride: 2 });
    expect(d.weight.shape).toEqual([3, 2, 1, 6]);
    const ours = d.apply(x);
    const layer = tfl.layers.depthwiseConv2d({ kernelSize: [3, 2], depthMultiplier: 2, strides: 2, useBias: false });
    layer.apply(x);
    const flipped = toTensor(flipSpatial(w, 2));
    layer.setWeights([flipped]);
    const theirs = layer.apply(x) as tf.Tensor;
    expect(ours.shape).toEqual(theirs.shape);
    expectClose(ours.dataSync(), theirs.dataSync(), fwdTol());
    tf.dispose([x, wt, ours, flipped, theirs]);
    layer.dispose();
    dispose(d);
  });
});

describe("ConvTranspose", () => {
  const cases: (Case & { outpad?: number[] })[] = [
    { name: "1-d", x: [2, 4], k: [3], cin: 2, cout: 3 },
    { name: "1-d stride 3, pad (1, 2), outpad 1", x: [1, 4], k: [4], cin: 2, cout: 2, stride: [3], pad: [1, 2], outpad: [1] },
    { name: "2-d stride 2", x: [2, 3, 4], k: [3, 2], cin: 3, cout: 2, stride: [2, 2] },
    { name: "2-d pad, outpad > pad_hi, dilation", x: [1, 4, 3], k: [2, 3], cin: 2, cout: 3, stride: [2, 3], pad: [1, 0, 0, 1], outpad: [1, 2], dilation: [2, 1] },
    { name: "2-d groups 2", x: [1, 3, 3], k: [2, 2], cin: 4, cout: 6, groups: 2, stride: [2, 1], pad: [0, 1, 1, 0] },
    { name: "3-d", x: [1, 2, 3, 2], k: [2, 2, 3], cin: 2, cout: 2, stride: [2, 1, 2], pad: [0, 1, 0, 0, 1, 0], outpad: [1, 0, 1] },
  ];

  test.each(cases)("$name against the float64 scatter loop", (c) => {
    const n = c.k.length;
    const groups = c.groups ?? 1;
    const x = randomArr([...c.x, c.cin], 11);
    const w = randomArr([...c.k, c.cout / groups, c.cin], 12);
    const b = randomArr([c.cout], 13);
    const [xt, wt, bt] = [toTensor(x), toTensor(w), toTensor(b)];
    const s = { ...specOf(c, true), outpad: c.outpad ?? ones(n, 0) };
    const layer = new ConvTranspose(wt, bt, undefined, { stride: s.stride, pad: s.pad, dilation: s.dilation, groups, outpad: s.outpad });
    const y = assertNoLeaks(() => layer.apply(xt));
    const ref = refConvTranspose(x, w, s);
    expect(y.shape).toEqual(ref.shape);
    expectClose(
      y.dataSync(),
      ref.data.map((v, i) => v + b.data[i % c.cout]!),
      fwdTol(),
    );
    tf.dispose([xt, wt, bt, y]);
    dispose(layer);
  });

  test.each(cases.filter((c) => c.outpad === undefined || c.outpad.every((p, i) => p < (c.stride?.[i] ?? 1))))(
    "$name is the adjoint of Conv with the same weight: <Conv(u), v> = <u, ConvTranspose(v)>",
    (c) => {
      const n = c.k.length;
      const groups = c.groups ?? 1;
      const s = { ...specOf(c, true), outpad: c.outpad ?? ones(n, 0) };
      const w = randomArr([...c.k, c.cout / groups, c.cin], 14); // Conv: cout → cin channels
      const v = randomArr([...c.x, c.cin], 15);
      const wt = toTensor(w);
      const ct = new ConvTranspose(wt, false, undefined, { stride: s.stride, pad: s.pad, dilation: s.dilation, groups, outpad: s.outpad });
      const vt = toTensor(v);
      const tv = ct.apply(vt); // [b, out…, cout]
      const u = randomArr([...tv.shape], 16);
      const conv = new Conv(wt, false, undefined, { stride: s.stride, pad: s.pad, dilation: s.dilation, groups });
      const ut = toTensor(u);
      const cu = conv.apply(ut);
      expect(cu.shape).toEqual(v.shape);
      const lhs = dot(Array.from(cu.dataSync()), v.data);
      const rhs = dot(u.data, Array.from(tv.dataSync()));
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-4 * (Math.abs(lhs) + 1));
      // and in float64, independent of tfjs
      const lhs64 = dot(refConv(u, w, specOf(c, true)).data, v.data);
      const rhs64 = dot(u.data, refConvTranspose(v, w, s).data);
      expect(Math.abs(lhs64 - rhs64)).toBeLessThan(1e-9 * (Math.abs(lhs64) + 1));
      tf.dispose([wt, vt, tv, ut, cu]);
      dispose([ct, conv]);
    },
  );

  test("matches tfjs-layers conv2dTranspose with the flipped kernel", () => {
    const w = randomArr([3, 2, 4, 3], 17); // [kh, kw, out, in]
    const x = toTensor(randomArr([2, 4, 5, 3], 18));
    const b = randomArr([4], 19);
    const [wt, bt] = [toTensor(w), toTensor(b)];
    const ours = new ConvTranspose(wt, bt, relu, { stride: 2 });
    const y = ours.apply(x);
    const layer = tfl.layers.conv2dTranspose({ filters: 4, kernelSize: [3, 2], strides: 2, padding: "valid", activation: "relu" });
    layer.apply(x);
    const wf = toTensor(flipSpatial(w, 2));
    layer.setWeights([wf, bt]);
    const theirs = layer.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 9, 10, 4]);
    expect(theirs.shape).toEqual(y.shape);
    expectClose(y.dataSync(), theirs.dataSync(), fwdTol());
    tf.dispose([x, wt, bt, y, wf, theirs]);
    layer.dispose();
    dispose(ours);
  });
});

describe("against tfjs-layers conv1d / conv2d / conv3d", () => {
  const setups = [
    { n: 1, make: () => tfl.layers.conv1d({ filters: 3, kernelSize: 3, strides: 2, padding: "valid" }), k: [3], x: [2, 11, 2], stride: 2, dilation: 1 },
    { n: 1, make: () => tfl.layers.conv1d({ filters: 3, kernelSize: 2, dilationRate: 3, padding: "valid" }), k: [2], x: [2, 11, 2], stride: 1, dilation: 3 },
    { n: 2, make: () => tfl.layers.conv2d({ filters: 4, kernelSize: [3, 2], strides: [2, 1], padding: "valid" }), k: [3, 2], x: [2, 7, 6, 3], stride: [2, 1], dilation: 1 },
    { n: 2, make: () => tfl.layers.conv2d({ filters: 2, kernelSize: 3, dilationRate: 2, padding: "valid" }), k: [3, 3], x: [1, 8, 9, 2], stride: 1, dilation: 2 },
    { n: 3, make: () => tfl.layers.conv3d({ filters: 2, kernelSize: [2, 3, 2], strides: [1, 2, 1], padding: "valid" }), k: [2, 3, 2], x: [1, 4, 7, 3, 2], stride: [1, 2, 1], dilation: 1 },
  ];
  test.each(setups)("$n-d, kernel $k, stride $stride, dilation $dilation", (s) => {
    const cin = s.x.at(-1)!;
    const layer = s.make();
    const x = toTensor(randomArr(s.x, 21));
    layer.apply(x);
    const [kernel, bias] = layer.getWeights().map((t) => t.shape);
    const w = randomArr(kernel!, 22);
    const b = randomArr(bias!, 23);
    expect(kernel!.slice(-2, -1)).toEqual([cin]);
    const [wt, bt, wf] = [toTensor(w), toTensor(b), toTensor(flipSpatial(w, s.n))];
    layer.setWeights([wt, bt]);
    const theirs = layer.apply(x) as tf.Tensor;
    const cc = new CrossCor(wt, bt, undefined, { stride: s.stride, dilation: s.dilation });
    const conv = new Conv(wf, bt, undefined, { stride: s.stride, dilation: s.dilation });
    const [y1, y2] = [cc.apply(x), conv.apply(x)];
    expect(y1.shape).toEqual(theirs.shape);
    expectClose(y1.dataSync(), theirs.dataSync(), fwdTol());
    expectClose(y2.dataSync(), theirs.dataSync(), fwdTol());
    tf.dispose([x, wt, bt, wf, theirs, y1, y2]);
    layer.dispose();
    dispose([cc, conv]);
  });
});

describe("output sizes (Flux docstrings)", () => {
  const x = () => tf.zeros([2, 100, 100, 3]);
  const sizes: [string, () => { apply(x: tf.Tensor): tf.Tensor }, number[]][] = [
    ["Conv((5,5)) 100 → 96", () => new Conv([5, 5], [3, 7], relu, { bias: false }), [2, 96, 96, 7]],
    ["stride 2 → 48", () => new Conv([5, 5], [3, 7], undefined, { stride: 2 }), [2, 48, 48, 7]],
    ["stride 2, SamePad → 50", () => new Conv([5, 5], [3, 7], undefined, { stride: 2, pad: new SamePad() }), [2, 50, 50, 7]],
    ["pad (20, 10, 0, 0) → 130×100", () => new Conv([1, 1], [3, 7], undefined, { pad: [20, 10, 0, 0] }), [2, 130, 100, 7]],
    ["stride 2, dilation 4 → 42", () => new Conv([5, 5], [3, 7], undefined, { stride: 2, dilation: 4 }), [2, 42, 42, 7]],
    ["Conv((2,2)) SamePad keeps 100", () => new Conv([2, 2], [3, 7], undefined, { pad: new SamePad() }), [2, 100, 100, 7]],
    ["Conv((2,2)) → 99", () => new Conv([2, 2], [3, 7]), [2, 99, 99, 7]],
    ["ConvTranspose → 104", () => new ConvTranspose([5, 5], [3, 7], relu), [2, 104, 104, 7]],
    ["ConvTranspose stride 2 → 203", () => new ConvTranspose([5, 5], [3, 7], undefined, { stride: 2 }), [2, 203, 203, 7]],
    ["ConvTranspose stride 3 SamePad → 300", () => new ConvTranspose([5, 5], [3, 7], undefined, { stride: 3, pad: new SamePad() }), [2, 300, 300, 7]],
    ["CrossCor stride 3 pad (2, 0) → 34×32", () => new CrossCor([5, 5], [3, 7], undefined, { stride: 3, pad: [2, 0] }), [2, 34, 32, 7]],
    ["DepthwiseConv 3 => 9 stride 2 pad 2 → 50", () => DepthwiseConv([5, 5], [3, 9], undefined, { stride: 2, pad: 2 }), [2, 50, 50, 9]],
  ];
  test.each(sizes)("%s", (_, make, shape) => {
    const input = x();
    const layer = make();
    const y = layer.apply(input);
    expect(y.shape).toEqual(shape);
    tf.dispose([input, y]);
    dispose(layer);
  });

  test("Conv(weight [3, 4, 5]) on [64, 100, 4] gives [64, 98, 5]; ConvTranspose(weight) gives 102", () => {
    const w = tf.ones([3, 4, 5]);
    const c = new Conv(w, tf.zeros([5]), sigmoid);
    expect(c.repr()).toBe("Conv((3,), 4 => 5, σ)");
    expect(c.toString()).toBe("Conv((3,), 4 => 5, σ)  # 65 parameters");
    const x = tf.zeros([64, 100, 4]);
    const y = c.apply(x);
    expect(y.shape).toEqual([64, 98, 5]);
    const ct = new ConvTranspose(w, tf.zeros([4]), sigmoid);
    expect(ct.repr()).toBe("ConvTranspose((3,), 5 => 4, σ)");
    expect(ct.toString()).toBe("ConvTranspose((3,), 5 => 4, σ)  # 64 parameters");
    const x2 = tf.zeros([64, 100, 5]);
    const y2 = ct.apply(x2);
    expect(y2.shape).toEqual([64, 102, 4]);
    tf.dispose([w, x, y, x2, y2]);
    dispose([c, ct]);
  });
});

describe("printing", () => {
  test("repr and toString as Flux", () => {
    seedRandom(1);
    const cases: [() => { repr(): string; toString(): string }, string, string][] = [
      [() => new Conv([5, 5], [3, 7], relu, { bias: false }), "Conv((5, 5), 3 => 7, relu, bias=false)", "  # 525 parameters"],
      [() => new Conv([2, 2], [3, 7], undefined, { pad: new SamePad() }), "Conv((2, 2), 3 => 7, pad=(1, 0, 1, 0))", "  # 91 parameters"],
      [() => new Conv([5, 5], [3, 7], undefined, { stride: 2, pad: new SamePad() }), "Conv((5, 5), 3 => 7, pad=2, stride=2)", "  # 532 parameters"],
      [() => new Conv([3, 3], [4, 8], undefined, { dilation: [1, 2], groups: 2 }), "Conv((3, 3), 4 => 8, dilation=(1, 2), groups=2)", "  # 152 parameters"],
      [() => new ConvTranspose([5, 5], [3, 7], relu), "ConvTranspose((5, 5), 3 => 7, relu)", "  # 532 parameters"],
      [() => new ConvTranspose([5, 5], [3, 7], undefined, { stride: 2, outpad: 1 }), "ConvTranspose((5, 5), 3 => 7, stride=2, outpad=(1, 1))", "  # 532 parameters"],
      [() => new ConvTranspose([3], [2, 4], undefined, { outpad: [1], bias: false, groups: 2 }), "ConvTranspose((3,), 2 => 4, groups=2, bias=false, outpad=(1,))", "  # 12 parameters"],
      [() => new CrossCor([5, 5], [3, 6], relu, { bias: false }), "CrossCor((5, 5), 3 => 6, relu, bias=false)", "  # 450 parameters"],
    ];
    for (const [make, r, comment] of cases) {
      const l = make();
      expect(l.repr()).toBe(r);
      const gap = Math.max(2, 20 - r.length);
      expect(l.toString()).toBe(r + " ".repeat(gap - 2) + comment);
      dispose(l);
    }
  });

  test("Chain(Conv, MaxPool) expands with no Total line (2 arrays); modules lists both", () => {
    const m = new Chain(new Conv([5, 5], [3, 7], undefined, { pad: new SamePad() }), new MaxPool([5, 5], { pad: new SamePad() }));
    expect(m.toString()).toBe(["Chain(", "  Conv((5, 5), 3 => 7, pad=2),          # 532 parameters", "  MaxPool((5, 5), pad=2),", ")"].join("\n"));
    expect(modules(m).map((l) => (l as { constructor: { name: string } }).constructor.name)).toEqual(["Chain", "Array", "Conv", "MaxPool"]);
    const x = tf.zeros([1, 100, 100, 3]);
    const y = m.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 20, 20, 7]);
    tf.dispose([x, y]);
    dispose(m);
  });

  test("a Chain of 3 arrays gets the Total line", () => {
    const m = new Chain(new Conv([3, 3], [1, 2]), new Conv([1, 1], [2, 2], relu, { bias: false }));
    expect(m.toString().split("\n").at(-1)).toBe(")                   # Total: 3 arrays, 24 parameters, 96 bytes.");
    dispose(m);
  });
});

describe("bad input", () => {
  test("input rank and channels", () => {
    const c = new Conv([3, 3], [2, 4]);
    const x3 = tf.zeros([5, 5, 2]);
    const xc = tf.zeros([1, 5, 5, 3]);
    const small = tf.zeros([1, 2, 5, 2]);
    expect(() => c.apply(x3)).toThrow("layer Conv((3, 3), 2 => 4) expects ndims(input) == 4 ([batch, 2 spatial dims…, channels]), but got a tensor of shape [5, 5, 2]");
    expect(() => c.apply(xc)).toThrow("layer Conv((3, 3), 2 => 4) expects size(input, -1) == 2 (channels last), but got a tensor of shape [1, 5, 5, 3]");
    expect(() => c.apply(small)).toThrow("too small");
    expect(() => c.apply([1, 2] as unknown as tf.Tensor)).toThrow("expects a tensor input");
    const g = new Conv([1, 1], [4, 2], undefined, { groups: 2 });
    const x4 = tf.zeros([1, 2, 2, 2]);
    expect(() => g.apply(x4)).toThrow("expects size(input, -1) == 4");
    const ct = new ConvTranspose([2, 2], [3, 5]);
    const xt = tf.zeros([1, 2, 2, 5]);
    expect(() => ct.apply(xt)).toThrow("layer ConvTranspose((2, 2), 3 => 5) expects size(input, -1) == 3 (channels last)");
    tf.dispose([x3, xc, small, x4, xt]);
    dispose([c, g, ct]);
  });

  test("constructor arguments", () => {
    expect(() => new Conv([3, 3], [3, 4], undefined, { groups: 2 })).toThrow("input channel dimension (3) must be divisible by groups = 2");
    expect(() => new Conv([3, 3], [4, 3], undefined, { groups: 2 })).toThrow("output channel dimension (3) must be divisible by groups = 2");
    expect(() => new Conv([3, 3], [1, 2], undefined, { pad: [1, 2, 3] })).toThrow("pad must be a number, an array of 2 (per dim) or 4 (lo, hi per dim)");
    expect(() => new Conv([3, 3], [1, 2], undefined, { stride: [1, 2, 3] })).toThrow("stride must be an integer ≥ 1 or an array of 2");
    expect(() => new Conv([3, 3], [1, 2], undefined, { stride: 0 })).toThrow("stride must be an integer ≥ 1");
    expect(() => new Conv([3, 3, 3, 3], [1, 2])).toThrow("the filter size must be an array of 1, 2 or 3 positive integers");
    expect(() => new Conv([3, 3], [1, 0])).toThrow("expected [in, out]");
    expect(() => new Conv([3, 3], [1, 2], undefined, { bias: tf.zeros([3]) })).toThrow("expected bias of size [2], got size [3]");
    const w = tf.zeros([3, 3]);
    expect(() => new Conv(w)).toThrow("the weight must have 3 to 5 dims");
    expect(() => new Conv([3], [1, 2], "relu" as unknown as typeof relu)).toThrow("σ must be a function");
    expect(() => new CrossCor([3], [1, 2], undefined, { groups: 2 } as object)).toThrow("no groups option");
    expect(() => new ConvTranspose([3], [1, 2], undefined, { outpad: -1 })).toThrow("outpad must be an integer ≥ 0");
    w.dispose();
  });
});

describe("gradients", () => {
  type AnyConv = Conv | CrossCor | ConvTranspose;
  const gradCases: [string, () => AnyConv, number[]][] = [
    ["Conv 2-d stride, pad, dilation", () => new Conv([3, 2], [2, 3], undefined, { stride: [2, 1], pad: [1, 0, 2, 1], dilation: [1, 2] }), [2, 7, 6, 2]],
    ["Conv 2-d groups 2, tanh", () => new Conv([2, 2], [4, 2], tanh, { groups: 2, pad: 1 }), [1, 4, 4, 4]],
    ["DepthwiseConv 2-d stride 2", () => DepthwiseConv([3, 3], [2, 4], undefined, { stride: 2 }), [2, 6, 5, 2]],
    ["CrossCor 1-d dilation 2", () => new CrossCor([3], [2, 2], undefined, { dilation: 2, pad: [0, 1] }), [2, 9, 2]],
    ["Conv 3-d", () => new Conv([2, 2, 2], [2, 2], undefined, { stride: [1, 2, 1], pad: [0, 1, 1, 0, 0, 0] }), [1, 3, 4, 3, 2]],
    ["ConvTranspose 2-d stride, pad, outpad", () => new ConvTranspose([3, 2], [2, 3], undefined, { stride: 2, pad: [1, 0, 0, 1], outpad: 1 }), [2, 3, 3, 2]],
    ["ConvTranspose 1-d groups 2, dilation 2", () => new ConvTranspose([2], [2, 4], undefined, { groups: 2, dilation: 2, stride: 2 }), [1, 4, 2]],
    ["ConvTranspose 3-d", () => new ConvTranspose([2, 2, 2], [2, 2], undefined, { stride: [2, 1, 1] }), [1, 2, 3, 2, 2]],
  ];

  test.each(gradCases)("%s: finite differences for weight, bias and input", (_, make, xshape) => {
    seedRandom(5);
    const layer = make();
    const x = tf.variable(toTensor(randomArr(xshape, 31)));
    const y0 = layer.apply(x);
    const r = toTensor(randomArr([...y0.shape], 32));
    const loss = (m: AnyConv, input: tf.Tensor) => tf.sum(tf.mul(m.apply(input), r));
    const { val, grad } = assertNoLeaks(() => withGradient(loss, layer, x));
    // the taped forward (possibly another code path) agrees with the plain one
    const plain = loss(layer, x);
    expect(Math.abs(val.dataSync()[0]! - plain.dataSync()[0]!)).toBeLessThan(1e-4 * (Math.abs(plain.dataSync()[0]!) + 1));
    const [g, gx] = grad as [{ weight: tf.Tensor; bias: tf.Tensor; sigma: null; stride: null }, tf.Tensor];
    expect(g.sigma).toBeNull();
    expect(g.stride).toBeNull();
    const f = () => tf.tidy(() => loss(layer, x).dataSync()[0]!);
    checkFiniteDiff(f, layer.weight, g.weight);
    checkFiniteDiff(f, layer.bias as tf.Variable, g.bias);
    checkFiniteDiff(f, x, gx);
    // hand-derived: ∂/∂b of Σ r·(y + b) is Σ of r over every position (identity σ only)
    if (layer.sigma.name === "identity") {
      const n = r.rank;
      const rsum = tf.sum(r, Array.from({ length: n - 1 }, (_, i) => i));
      expectClose(g.bias.dataSync(), rsum.dataSync(), 1e-4);
      rsum.dispose();
    }
    tf.dispose([x, y0, r, val, plain, grad as tf.TensorContainer]);
    dispose(layer);
  });
});
