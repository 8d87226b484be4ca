import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { functor } from "@fluxion/functors";
import { destructure, trainables } from "@fluxion/optimisers";
import * as tfl from "@tensorflow/tfjs-layers";
import { identity, relu, tanh } from "../src/functions/activations.js";
import { Chain } from "../src/layers/basic/chain.js";
import { Dense } from "../src/layers/basic/dense.js";
import { dispose } from "../src/core/dispose.js";
import { gradient } from "../src/autodiff/gradient.js";
import { modules, testMode, trainMode } from "../src/core/modules.js";
import { BatchNorm, GroupNorm, hasAffine, InstanceNorm, LayerNorm } from "../src/layers/normalise/normalise.js";
import { Rng } from "../src/functions/rng.js";
import { Scale } from "../src/layers/basic/scale.js";
import { expectClose } from "./helpers.js";

// ---------- helpers (plain float64 JS) ----------

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
/** Float32-representable test data from a seeded generator. */
const data = (n: number, seed: number, scale = 1, shift = 0): number[] => Array.from(new Rng(seed).normals(n), (v) => Math.fround(v * scale + shift));
const values = (t: unknown): number[] => Array.from((t as tf.Tensor).dataSync());


/** Mean and uncorrected variance of the entries sharing a key. */
function groupStats(x: readonly number[], key: (i: number) => number): { mean: Map<number, number>; variance: Map<number, number>; count: Map<number, number> } {
  const sum = new Map<number, number>();
  const count = new Map<number, number>();
  x.forEach((v, i) => {
    const k = key(i);
    sum.set(k, (sum.get(k) ?? 0) + v);
    count.set(k, (count.get(k) ?? 0) + 1);
  });
  const mean = new Map([...sum].map(([k, s]) => [k, s / count.get(k)!]));
  const sq = new Map<number, number>();
  x.forEach((v, i) => {
    const k = key(i);
    sq.set(k, (sq.get(k) ?? 0) + (v - mean.get(k)!) ** 2);
  });
  const variance = new Map([...sq].map(([k, s]) => [k, s / count.get(k)!]));
  return { mean, variance, count };
}

/** (x − μ)/√(σ² + ϵ)·γ[c] + β[c] with statistics grouped by `key`; channel c = i % C. */
function handNorm(x: readonly number[], C: number, key: (i: number) => number, eps: number, gamma?: number[], beta?: number[], lambda = (v: number) => v): number[] {
  const { mean, variance } = groupStats(x, key);
  return x.map((v, i) => {
    const c = i % C;
    const k = key(i);
    const xh = (v - mean.get(k)!) / Math.sqrt(variance.get(k)! + eps);
    return lambda(xh * (gamma?.[c] ?? 1) + (beta?.[c] ?? 0));
  });
}

/** Central finite differences of `loss` at x0, in float64 around float32 evaluations. */
function numericGrad(loss: (x: number[]) => number, x0: readonly number[], h = 1e-2): number[] {
  return x0.map((_, i) => {
    const up = [...x0];
    const dn = [...x0];
    up[i]! += h;
    dn[i]! -= h;
    return (loss(up) - loss(dn)) / (2 * h);
  });
}

const withTensor = <T>(vals: number[], shape: number[], f: (t: tf.Tensor) => T): T => {
  const t = tf.tensor(vals, shape);
  try {
    return f(t);
  } finally {
    t.dispose();
  }
};
const scalarOf = (t: tf.Tensor): number => {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
};

// ---------- BatchNorm ----------

describe("BatchNorm", () => {
  test("fields in Flux's order, trainable β γ, non-trainable running μ σ²", () => {
    const bn = new BatchNorm(3);
    const [children] = functor(bn);
    expect(Object.keys(children)).toEqual(["lambda", "beta", "gamma", "mu", "sigma2", "epsilon", "momentum", "affine", "trackStats", "active", "chs"]);
    expect(values(bn.beta)).toEqual([0, 0, 0]);
    expect(values(bn.gamma)).toEqual([1, 1, 1]);
    expect(values(bn.mu)).toEqual([0, 0, 0]);
    expect(values(bn.sigma2)).toEqual([1, 1, 1]);
    expect(bn.mu!.trainable).toBe(false);
    expect(bn.sigma2!.trainable).toBe(false);
    expect(bn.beta!.trainable).toBe(true);
    expect([bn.epsilon, bn.momentum, bn.affine, bn.trackStats, bn.active, bn.chs, bn.lambda]).toEqual([1e-5, 0.1, true, true, null, 3, identity]);
    expect(trainables(bn)).toEqual([bn.beta, bn.gamma]);
    // Flux: length(destructure(BatchNorm(3))[1]) == 6
    const [flat] = destructure(bn);
    expect(flat.shape).toEqual([6]);
    expect(hasAffine(bn)).toBe(true);
    flat.dispose();
    dispose(bn);
  });

  test("affine=false has no β γ; trackStats=false no μ σ²", () => {
    const a = new BatchNorm(2, identity, { affine: false });
    expect(a.beta).toBeNull();
    expect(a.gamma).toBeNull();
    expect(trainables(a)).toEqual([]);
    const b = new BatchNorm(2, identity, { trackStats: false });
    expect(b.mu).toBeNull();
    expect(b.sigma2).toBeNull();
    dispose(a);
    dispose(b);
  });

  test("repr and printing", () => {
    const m = new BatchNorm(64, relu);
    expect(m.repr()).toBe("BatchNorm(64, relu)");
    expect(m.toString()).toBe("BatchNorm(64, relu)  # 128 parameters, plus 128 non-trainable");
    const a = new BatchNorm(3, identity, { affine: false });
    expect(a.repr()).toBe("BatchNorm(3, affine=false)");
    const b = new BatchNorm(3, identity, { active: true });
    expect(b.repr()).toBe("BatchNorm(3, active=true)");
    testMode(b);
    expect(b.repr()).toBe("BatchNorm(3, active=false)");
    testMode(b, "auto");
    expect(b.repr()).toBe("BatchNorm(3)");
    // the reference's nested Chain (Flux.modules docstring), counts only
    const c = new Chain(new Chain(new Dense([784, 64]), new BatchNorm(64, relu)), new Dense([64, 10]));
    // the reference's worked output; bytes are ours (4 per distinct float32), not Julia's summarysize
    expect(c.toString()).toBe(
      [
        "Chain(",
        "  Chain(",
        "    Dense(784 => 64),                   # 50_240 parameters",
        "    BatchNorm(64, relu),                # 128 parameters, plus 128",
        "  ),",
        "  Dense(64 => 10),                      # 650 parameters",
        ")         # Total: 6 trainable arrays, 51_018 parameters,",
        "          # plus 2 non-trainable, 128 parameters, summarysize 199.789 KiB.",
      ].join("\n"),
    );
    expect(modules(c).filter((l) => l instanceof BatchNorm)).toHaveLength(1);
    [m, a, b, c].forEach(dispose);
  });

  test("bad constructor arguments and inputs give clear errors", () => {
    expect(() => new BatchNorm(0)).toThrow("BatchNorm: the number of channels must be a positive integer, got 0");
    expect(() => new BatchNorm(2, 3 as any)).toThrow("BatchNorm: λ must be a function, got number");
    const bn = new BatchNorm(3);
    const x = tf.zeros([4, 2]);
    expect(() => bn.apply(x)).toThrow("layer BatchNorm(3) expects size(input, -1) == 3 (features last), but got a tensor of shape [4, 2]");
    const v = tf.zeros([3]);
    expect(() => bn.apply(v)).toThrow("layer BatchNorm(3) expects size(input, -1) == 3 (features last), but got a tensor of shape [3]");
    // training with one value per channel (Flux #2716, PyTorch's check)
    const one = tf.ones([1, 3]);
    trainMode(bn);
    expect(() => bn.apply(one)).toThrow("BatchNorm(3, active=true) expected more than 1 value per channel when training, got an input of shape [1, 3]");
    expect(() => gradient((m: BatchNorm) => tf.sum(m.apply(one)), bn)).toThrow("expected more than 1 value per channel when training");
    // ...but a single sample with spatial extent is fine, and so is test mode
    const spatial = tf.ones([1, 4, 3]);
    tf.dispose(bn.apply(spatial));
    const fresh = new BatchNorm(3, identity, { active: false });
    const y = fresh.apply(one);
    expectClose(values(y), [1, 1, 1].map((v) => v / Math.sqrt(1 + 1e-5)));
    dispose(fresh);
    tf.dispose([x, v, one, spatial, y]);
    dispose(bn);
  });

  const B = 4, L = 2, C = 3;
  const xs = data(B * L * C, 11, 2, 0.5);
  const gammaV = [1.5, -0.5, 2];
  const betaV = [0.1, 0.2, -0.3];
  const makeBN = (options = {}) => {
    const bn = new BatchNorm(C, identity, options);
    bn.gamma!.assign(tf.tensor1d(gammaV));
    bn.beta!.assign(tf.tensor1d(betaV));
    return bn;
  };

  test("training forward: batch statistics over batch and spatial axes (float64 by hand)", () => {
    const bn = makeBN({ active: true });
    const x = tf.tensor(xs, [B, L, C]);
    const y = assertNoLeaks(() => bn.apply(x));
    expect(y.shape).toEqual([B, L, C]);
    expectClose(values(y), handNorm(xs, C, (i) => i % C, 1e-5, gammaV, betaV));
    // with λ
    const bt = new BatchNorm(C, tanh, { active: true });
    const yt = bt.apply(x);
    expectClose(values(yt), handNorm(xs, C, (i) => i % C, 1e-5, undefined, undefined, Math.tanh), 1e-5, 1e-6);
    tf.dispose([x, y, yt]);
    dispose(bn);
    dispose(bt);
  });

  test("running statistics: Flux's update with the corrected variance, by hand, without leaks", () => {
    const bn = makeBN({ active: true, momentum: 0.25 });
    const x = tf.tensor(xs, [B, L, C]);
    const before = tf.memory().numTensors;
    tf.dispose(bn.apply(x));
    expect(tf.memory().numTensors).toBe(before);
    const { mean, variance } = groupStats(xs, (i) => i % C);
    const m = B * L;
    const mu1 = [0, 1, 2].map((c) => 0.75 * 0 + 0.25 * mean.get(c)!);
    const s1 = [0, 1, 2].map((c) => 0.75 * 1 + 0.25 * (m / (m - 1)) * variance.get(c)!);
    expectClose(values(bn.mu), mu1);
    expectClose(values(bn.sigma2), s1);
    // a second step on other data
    const xs2 = data(B * L * C, 12);
    const x2 = tf.tensor(xs2, [B, L, C]);
    tf.dispose(bn.apply(x2));
    const st2 = groupStats(xs2, (i) => i % C);
    expectClose(values(bn.mu), mu1.map((v, c) => 0.75 * v + 0.25 * st2.mean.get(c)!));
    expectClose(values(bn.sigma2), s1.map((v, c) => 0.75 * v + 0.25 * (m / (m - 1)) * st2.variance.get(c)!));
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([x, x2]);
    dispose(bn);
  });

  test("test mode normalises with the running statistics and does not update them", () => {
    const bn = makeBN({ active: false });
    bn.mu!.assign(tf.tensor1d([0.5, -1, 2]));
    bn.sigma2!.assign(tf.tensor1d([4, 0.25, 1]));
    const x = tf.tensor(xs, [B, L, C]);
    const y = assertNoLeaks(() => bn.apply(x));
    const mu = [0.5, -1, 2];
    const s2 = [4, 0.25, 1];
    expectClose(values(y), xs.map((v, i) => ((v - mu[i % C]!) / Math.sqrt(s2[i % C]! + 1e-5)) * gammaV[i % C]! + betaV[i % C]!));
    expect(values(bn.mu)).toEqual(mu);
    expect(values(bn.sigma2)).toEqual(s2);
    // without tracked statistics, test mode uses the batch's
    const nt = new BatchNorm(C, identity, { trackStats: false });
    const yn = nt.apply(x);
    expectClose(values(yn), handNorm(xs, C, (i) => i % C, 1e-5));
    tf.dispose([x, y, yn]);
    dispose(bn);
    dispose(nt);
  });

  test("automatic mode: test behaviour outside gradient, training (and updating) inside it", () => {
    const bn = makeBN();
    const x = tf.tensor(xs, [B, L, C]);
    const y = bn.apply(x);
    expectClose(values(y), xs.map((v, i) => (v / Math.sqrt(1 + 1e-5)) * gammaV[i % C]! + betaV[i % C]!));
    expect(values(bn.mu)).toEqual([0, 0, 0]);
    const w = tf.tensor(data(B * L * C, 5), [B, L, C]);
    const [g] = assertNoLeaks(() => gradient((m: BatchNorm) => tf.sum(tf.mul(m.apply(x), w)), bn)) as any[];
    const { mean } = groupStats(xs, (i) => i % C);
    expectClose(values(bn.mu), [0, 1, 2].map((c) => 0.1 * mean.get(c)!));
    // hand-derived: dβ = Σ w over batch and space; dγ = Σ w·x̂
    const ws = data(B * L * C, 5);
    const xhat = handNorm(xs, C, (i) => i % C, 1e-5);
    expectClose(values(g.beta), [0, 1, 2].map((c) => ws.reduce((s, v, i) => (i % C === c ? s + v : s), 0)), 1e-5, 1e-5);
    expectClose(values(g.gamma), [0, 1, 2].map((c) => ws.reduce((s, v, i) => (i % C === c ? s + v * xhat[i]! : s), 0)), 1e-4, 1e-5);
    // the running statistics get no gradient
    expect(g.mu).toBeNull();
    expect(g.sigma2).toBeNull();
    tf.dispose([x, y, w, g]);
    dispose(bn);
  });

  test("gradients in train mode match finite differences (input and γ, β)", () => {
    const bn = makeBN({ active: true });
    const ws = data(B * L * C, 6);
    const w = tf.tensor(ws, [B, L, C]);
    const x = tf.tensor(xs, [B, L, C]);
    const loss = (m: BatchNorm, input: tf.Tensor) => tf.sum(tf.mul(tf.square(m.apply(input)), w));
    const [gm, gx] = assertNoLeaks(() => gradient(loss, bn, x)) as any[];
    const fx = numericGrad((v) => withTensor(v, [B, L, C], (t) => scalarOf(loss(bn, t))), xs, 1e-2);
    expectClose(values(gx), fx, 2e-2, 2e-2);
    const gammaNow = values(bn.gamma);
    const fg = numericGrad((v) => {
      bn.gamma!.assign(tf.tensor1d(v));
      const r = scalarOf(loss(bn, x));
      bn.gamma!.assign(tf.tensor1d(gammaNow));
      return r;
    }, gammaNow, 1e-2);
    expectClose(values(gm.gamma), fg, 1e-2, 1e-2);
    tf.dispose([w, x, gm, gx]);
    dispose(bn);
  });

  test("matches tfjs-layers batchNormalization (training and inference) with copied weights", () => {
    const bn = makeBN({ momentum: 0.1 });
    bn.mu!.assign(tf.tensor1d([0.3, -0.2, 0.1]));
    bn.sigma2!.assign(tf.tensor1d([1.5, 0.5, 2]));
    const ref = tfl.layers.batchNormalization({ axis: -1, momentum: 0.9, epsilon: 1e-5 });
    const x = tf.tensor(xs, [B, L, C]);
    tf.dispose(ref.apply(x) as tf.Tensor);
    // tfjs-layers weight order: gamma, beta, moving mean, moving variance
    ref.setWeights([bn.gamma!, bn.beta!, bn.mu!, bn.sigma2!]);
    const yRef = ref.apply(x, { training: false }) as tf.Tensor;
    testMode(bn);
    const y = bn.apply(x);
    expectClose(values(y), values(yRef), 1e-5, 1e-6);
    const yRefTrain = ref.apply(x, { training: true }) as tf.Tensor;
    trainMode(bn);
    const yTrain = bn.apply(x);
    expectClose(values(yTrain), values(yRefTrain), 1e-5, 1e-5);
    // tfjs-layers keeps the biased batch variance; Flux's running σ² uses the unbiased one
    const m = B * L;
    const { variance } = groupStats(xs, (i) => i % C);
    expectClose(values(bn.sigma2), [1.5, 0.5, 2].map((s, c) => 0.9 * s + 0.1 * (m / (m - 1)) * variance.get(c)!));
    tf.dispose([x, yRef, y, yRefTrain, yTrain]);
    ref.dispose();
    dispose(bn);
  });

  test("2-d input [batch, features] (Dense's output)", () => {
    const bn = new BatchNorm(2, identity, { active: true });
    const vals = [1, 2, 3, 6, 5, 10];
    const x = tf.tensor(vals, [3, 2]);
    const y = bn.apply(x);
    expectClose(values(y), handNorm(vals, 2, (i) => i % 2, 1e-5));
    tf.dispose([x, y]);
    dispose(bn);
  });
});

// ---------- InstanceNorm ----------

describe("InstanceNorm", () => {
  const B = 2, L = 3, C = 2;
  const xs = data(B * L * C, 21, 1.5, -0.2);
  const key = (i: number) => Math.floor(i / (L * C)) * C + (i % C); // (sample, channel)

  test("defaults, fields, repr", () => {
    const m = new InstanceNorm(3);
    expect(m.repr()).toBe("InstanceNorm(3, affine=false)");
    expect(m.toString()).toBe("InstanceNorm(3, affine=false)");
    expect([m.beta, m.gamma, m.mu, m.sigma2, m.affine, m.trackStats]).toEqual([null, null, null, null, false, false]);
    const a = new InstanceNorm(3, relu, { affine: true });
    expect(a.repr()).toBe("InstanceNorm(3, relu)");
    expect(a.toString()).toBe("InstanceNorm(3, relu)  # 6 parameters");
    expect(Object.keys(functor(a)[0])).toEqual(["lambda", "beta", "gamma", "mu", "sigma2", "epsilon", "momentum", "affine", "trackStats", "active", "chs"]);
    expect(new InstanceNorm(3, identity, { active: false }).repr()).toBe("InstanceNorm(3, affine=false, active=false)");
    dispose(a);
  });

  test("per sample, per channel over the spatial axes (by hand), in any mode", () => {
    const m = new InstanceNorm(C);
    const x = tf.tensor(xs, [B, L, C]);
    const y = assertNoLeaks(() => m.apply(x));
    expectClose(values(y), handNorm(xs, C, key, 1e-5));
    const a = new InstanceNorm(C, identity, { affine: true });
    a.gamma!.assign(tf.tensor1d([2, -1]));
    a.beta!.assign(tf.tensor1d([0.5, 0.25]));
    const ya = a.apply(x);
    expectClose(values(ya), handNorm(xs, C, key, 1e-5, [2, -1], [0.5, 0.25]));
    tf.dispose([x, y, ya]);
    dispose(a);
  });

  test("matches tfjs-layers layerNormalization over the spatial axis", () => {
    const m = new InstanceNorm(C);
    const ref = tfl.layers.layerNormalization({ axis: 1, epsilon: 1e-5 });
    const x = tf.tensor(xs, [B, L, C]);
    const yRef = ref.apply(x) as tf.Tensor;
    const y = m.apply(x);
    expectClose(values(y), values(yRef), 1e-5, 1e-5);
    tf.dispose([x, y, yRef]);
    ref.dispose();
  });

  test("trackStats: running statistics average the per-sample ones; test mode uses them", () => {
    const m = new InstanceNorm(C, identity, { trackStats: true, active: true });
    const x = tf.tensor(xs, [B, L, C]);
    const before = tf.memory().numTensors;
    tf.dispose(m.apply(x));
    expect(tf.memory().numTensors).toBe(before);
    const { mean, variance } = groupStats(xs, key);
    const mu = [0, 1].map((c) => 0.1 * ((mean.get(c)! + mean.get(C + c)!) / 2));
    const s2 = [0, 1].map((c) => 0.9 + 0.1 * (L / (L - 1)) * ((variance.get(c)! + variance.get(C + c)!) / 2));
    expectClose(values(m.mu), mu);
    expectClose(values(m.sigma2), s2);
    testMode(m);
    const y = m.apply(x);
    expectClose(values(y), xs.map((v, i) => (v - mu[i % C]!) / Math.sqrt(s2[i % C]! + 1e-5)));
    tf.dispose([x, y]);
    dispose(m);
  });

  test("errors: rank < 3 and channel mismatch", () => {
    const m = new InstanceNorm(2);
    const x2 = tf.zeros([4, 2]);
    expect(() => m.apply(x2)).toThrow("layer InstanceNorm(2, affine=false) expects an input of at least 3 dims [batch, spatial…, channels], but got a tensor of shape [4, 2]");
    const x3 = tf.zeros([4, 5, 3]);
    expect(() => m.apply(x3)).toThrow("layer InstanceNorm(2, affine=false) expects size(input, -1) == 2 (features last), but got a tensor of shape [4, 5, 3]");
    tf.dispose([x2, x3]);
  });

  test("gradient matches finite differences", () => {
    const m = new InstanceNorm(C, identity, { affine: true });
    const ws = data(B * L * C, 22);
    const w = tf.tensor(ws, [B, L, C]);
    const x = tf.tensor(xs, [B, L, C]);
    const loss = (l: InstanceNorm, input: tf.Tensor) => tf.sum(tf.mul(tf.square(l.apply(input)), w));
    const [gm, gx] = assertNoLeaks(() => gradient(loss, m, x)) as any[];
    const fx = numericGrad((v) => withTensor(v, [B, L, C], (t) => scalarOf(loss(m, t))), xs, 1e-2);
    expectClose(values(gx), fx, 2e-2, 2e-2);
    // hand: dβ = Σ 2·y·w with y = x̂ (γ = 1, β = 0)
    const xhat = handNorm(xs, C, key, 1e-5);
    expectClose(values(gm.beta), [0, 1].map((c) => xhat.reduce((s, v, i) => (i % C === c ? s + 2 * v * ws[i]! : s), 0)), 1e-4, 1e-5);
    tf.dispose([w, x, gm, gx]);
    dispose(m);
  });
});

// ---------- GroupNorm ----------

describe("GroupNorm", () => {
  const B = 2, L = 3, C = 4, G = 2;
  const xs = data(B * L * C, 31, 1, 0.3);
  const key = (i: number) => Math.floor(i / (L * C)) * G + Math.floor((i % C) / (C / G)); // (sample, group)

  test("construction, fields, repr, errors", () => {
    expect(() => new GroupNorm(4, 3)).toThrow("The number of groups (3) must divide the number of channels (4)");
    expect(() => new GroupNorm(4, 0)).toThrow("GroupNorm: the number of groups must be a positive integer, got 0");
    const m = new GroupNorm(4, 2);
    expect(m.repr()).toBe("GroupNorm(4, 2)");
    expect(m.toString()).toBe("GroupNorm(4, 2)     # 8 parameters");
    expect(new GroupNorm(4, 2, relu, { affine: false }).repr()).toBe("GroupNorm(4, 2, relu, affine=false)");
    expect(Object.keys(functor(m)[0])).toEqual(["G", "lambda", "beta", "gamma", "mu", "sigma2", "epsilon", "momentum", "affine", "trackStats", "active", "chs"]);
    expect([m.mu, m.sigma2, m.trackStats]).toEqual([null, null, false]);
    const x = tf.zeros([2, 3]);
    expect(() => m.apply(x)).toThrow("layer GroupNorm(4, 2) expects size(input, -1) == 4 (features last), but got a tensor of shape [2, 3]");
    x.dispose();
    dispose(m);
  });

  test("per sample over space and the channels of each group (by hand)", () => {
    const m = new GroupNorm(C, G, tanh);
    m.gamma!.assign(tf.tensor1d([1, 2, 3, -1]));
    m.beta!.assign(tf.tensor1d([0, 0.5, -0.5, 1]));
    const x = tf.tensor(xs, [B, L, C]);
    const y = assertNoLeaks(() => m.apply(x));
    expect(y.shape).toEqual([B, L, C]);
    expectClose(values(y), handNorm(xs, C, key, 1e-5, [1, 2, 3, -1], [0, 0.5, -0.5, 1], Math.tanh), 1e-5, 1e-6);
    // 2-d input [batch, channels]: groups of channels per sample
    const v = [1, 2, 4, 8, -1, 0, 3, 3];
    const x2 = tf.tensor(v, [2, 4]);
    const g2 = new GroupNorm(4, 2);
    const y2 = g2.apply(x2);
    expectClose(values(y2), handNorm(v, 4, (i) => Math.floor(i / 2), 1e-5), 1e-5, 1e-5);
    tf.dispose([x, y, x2, y2]);
    dispose(m);
    dispose(g2);
  });

  test("matches tfjs-layers layerNormalization on [B, L, G, C/G] over axes 1 and 3", () => {
    const m = new GroupNorm(C, G);
    const ref = tfl.layers.layerNormalization({ axis: [1, 3], epsilon: 1e-5 });
    const x = tf.tensor(xs, [B, L, C]);
    const x4 = tf.reshape(x, [B, L, G, C / G]);
    const yRef = ref.apply(x4) as tf.Tensor;
    const y = m.apply(x);
    expectClose(values(y), values(yRef), 1e-5, 1e-5);
    tf.dispose([x, x4, y, yRef]);
    ref.dispose();
    dispose(m);
  });

  test("gradient matches finite differences", () => {
    const m = new GroupNorm(C, G);
    const w = tf.tensor(data(B * L * C, 32), [B, L, C]);
    const x = tf.tensor(xs, [B, L, C]);
    const loss = (l: GroupNorm, input: tf.Tensor) => tf.sum(tf.mul(tf.square(l.apply(input)), w));
    const [gm, gx] = assertNoLeaks(() => gradient(loss, m, x)) as any[];
    const fx = numericGrad((v) => withTensor(v, [B, L, C], (t) => scalarOf(loss(m, t))), xs, 1e-2);
    expectClose(values(gx), fx, 2e-2, 2e-2);
    expect(gm.beta.shape).toEqual([C]);
    tf.dispose([w, x, gm, gx]);
    dispose(m);
  });
});

// ---------- LayerNorm ----------

describe("LayerNorm", () => {
  test("fields, diag = Scale when affine, repr and printing", () => {
    const m = new LayerNorm(3);
    expect(Object.keys(functor(m)[0])).toEqual(["lambda", "diag", "epsilon", "size", "affine"]);
    expect(m.diag).toBeInstanceOf(Scale);
    expect(m.repr()).toBe("LayerNorm(3)");
    expect(m.toString()).toBe("LayerNorm(3)        # 6 parameters");
    const r = new LayerNorm(2, 3, relu);
    expect(r.repr()).toBe("LayerNorm(2, 3, relu)");
    expect((r.diag as Scale).repr()).toBe("Scale(2, 3, relu)");
    expect(r.size).toEqual([2, 3]);
    expect(new LayerNorm([2, 3], relu).repr()).toBe("LayerNorm(2, 3, relu)");
    const n = new LayerNorm(3, { affine: false });
    expect(n.repr()).toBe("LayerNorm(3, affine=false)");
    expect(n.diag).toBe(identity);
    expect(new LayerNorm(3, tanh, { affine: false }).diag).toBe(tanh);
    // Flux: modules(Chain(SkipConnection…, LayerNorm(8))) sees the Scale inside
    const c = new Chain(m);
    expect(modules(c).filter((x) => x instanceof Scale)).toHaveLength(1);
    expect(() => new LayerNorm()).toThrow("LayerNorm: expected sizes as positive integers");
    expect(() => new LayerNorm(0)).toThrow("LayerNorm: expected sizes as positive integers");
    [m, r].forEach(dispose);
  });

  test("Flux's normalise (x − μ)/(σ + ϵ) over the last dims, then the Scale (by hand)", () => {
    const xs = data(4 * 2 * 3, 41, 2, 1);
    const m = new LayerNorm(2, 3, { epsilon: 1e-3 });
    const sc = m.diag as Scale;
    const sv = data(6, 42);
    const bv = data(6, 43);
    sc.scale.assign(tf.tensor(sv, [2, 3]));
    (sc.bias as tf.Variable).assign(tf.tensor(bv, [2, 3]));
    const x = tf.tensor(xs, [4, 2, 3]);
    const y = assertNoLeaks(() => m.apply(x));
    const { mean, variance } = groupStats(xs, (i) => Math.floor(i / 6));
    const expected = xs.map((v, i) => {
      const k = Math.floor(i / 6);
      return ((v - mean.get(k)!) / (Math.sqrt(variance.get(k)!) + 1e-3)) * sv[i % 6]! + bv[i % 6]!;
    });
    expectClose(values(y), expected, 1e-5, 1e-5);
    // an unbatched input of exactly `size`, and λ without affine
    const one = tf.tensor(xs.slice(0, 3), [3]);
    const n = new LayerNorm(3, relu, { affine: false });
    const y1 = n.apply(one);
    const st = groupStats(xs.slice(0, 3), () => 0);
    expectClose(values(y1), xs.slice(0, 3).map((v) => Math.max(0, (v - st.mean.get(0)!) / (Math.sqrt(st.variance.get(0)!) + 1e-5))), 1e-5, 1e-6);
    tf.dispose([x, y, one, y1]);
    dispose(m);
  });

  test("matches tfjs-layers layerNormalization with copied γ β (ϵ = 0: both are (x − μ)/σ)", () => {
    const xs = data(5 * 2 * 3, 44, 3);
    const m = new LayerNorm(2, 3, { epsilon: 0 });
    const sc = m.diag as Scale;
    sc.scale.assign(tf.tensor(data(6, 45), [2, 3]));
    (sc.bias as tf.Variable).assign(tf.tensor(data(6, 46), [2, 3]));
    const ref = tfl.layers.layerNormalization({ axis: [1, 2], epsilon: 0 });
    const x = tf.tensor(xs, [5, 2, 3]);
    tf.dispose(ref.apply(x) as tf.Tensor);
    ref.setWeights([sc.scale, sc.bias as tf.Variable]);
    const yRef = ref.apply(x) as tf.Tensor;
    const y = m.apply(x);
    expectClose(values(y), values(yRef), 1e-5, 1e-5);
    // one trailing dim, default ϵ on both: differ only by ϵ's placement (~1e-5 relative)
    const m1 = new LayerNorm(3);
    const ref1 = tfl.layers.layerNormalization({ axis: -1, epsilon: 1e-5 });
    const x1 = tf.tensor(xs, [10, 3]);
    const y1 = m1.apply(x1);
    const y1Ref = ref1.apply(x1) as tf.Tensor;
    expectClose(values(y1), values(y1Ref), 1e-4, 1e-4);
    tf.dispose([x, y, yRef, x1, y1, y1Ref]);
    ref.dispose();
    ref1.dispose();
    dispose(m);
    dispose(m1);
  });

  test("size mismatch errors", () => {
    const m = new LayerNorm(2, 3);
    const x = tf.zeros([4, 3, 2]);
    expect(() => m.apply(x)).toThrow("layer LayerNorm(2, 3) expects the last 2 dims of the input to be [2, 3], but got a tensor of shape [4, 3, 2]");
    const one = new LayerNorm(5);
    expect(() => one.apply(x)).toThrow("layer LayerNorm(5) expects size(input, -1) == 5 (features last), but got a tensor of shape [4, 3, 2]");
    x.dispose();
    dispose(m);
    dispose(one);
  });

  test("gradient (input and Scale) matches finite differences", () => {
    const xs = data(3 * 4, 47, 1.5);
    const m = new LayerNorm(4, tanh);
    const sc = m.diag as Scale;
    sc.scale.assign(tf.tensor1d([1, -2, 0.5, 1.5]));
    const w = tf.tensor(data(12, 48), [3, 4]);
    const x = tf.tensor(xs, [3, 4]);
    const loss = (l: LayerNorm, input: tf.Tensor) => tf.sum(tf.mul(l.apply(input), w));
    const [gm, gx] = assertNoLeaks(() => gradient(loss, m, x)) as any[];
    const fx = numericGrad((v) => withTensor(v, [3, 4], (t) => scalarOf(loss(m, t))), xs, 1e-2);
    expectClose(values(gx), fx, 2e-2, 2e-2);
    const s0 = values(sc.scale);
    const fs = numericGrad((v) => {
      sc.scale.assign(tf.tensor1d(v));
      const r = scalarOf(loss(m, x));
      sc.scale.assign(tf.tensor1d(s0));
      return r;
    }, s0, 1e-2);
    expectClose(values(gm.diag.scale), fs, 1e-2, 1e-2);
    tf.dispose([w, x, gm, gx]);
    dispose(m);
  });
});
