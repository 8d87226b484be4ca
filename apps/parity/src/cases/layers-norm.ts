// Normalisation (BatchNorm, LayerNorm, GroupNorm, InstanceNorm) in train and test mode, and
// Dropout / AlphaDropout, whose masks come from a seeded Rng and so agree across backends.
import { tf } from "@fluxion/backend";
import {
  AlphaDropout, BatchNorm, Chain, Dense, Dropout, GroupNorm, InstanceNorm, LayerNorm, relu, Rng, Scale, selu, tanh,
  testMode, trainMode, WeightNorm, Conv,
} from "@fluxion/nn";
import type { Outputs, ParityCase } from "../case.js";
import { layerCase, normalInit, seeded } from "./layers-probe.js";
import { randn } from "./tensors.js";

/** Non-trivial γ and β, so the affine part is checked too. */
const affine = (seed: number) => ({ initGamma: normalInit(seed, 0.5, 1), initBeta: normalInit(seed + 1, 0.5) });

/** The running statistics, copied (the model is freed before the outputs are read). */
const runningStats = (l: { mu: tf.Variable | null; sigma2: tf.Variable | null }): Outputs => ({
  mu: tf.clone(l.mu!),
  sigma2: tf.clone(l.sigma2!),
});

export const normLayerCases: ParityCase[] = [
  layerCase("BatchNorm(4, relu), train mode, with the running statistics", 301, {
    build: () => trainMode(new BatchNorm(4, relu, affine(3010))),
    inputs: () => [randn([6, 4], 3011, 2)],
    forward: (m, x) => m.apply(x),
    after: runningStats,
  }),
  layerCase("BatchNorm(3), test mode after two training steps", 302, {
    build: () => {
      const bn = trainMode(new BatchNorm(3, undefined, { ...affine(3020), momentum: 0.3 }));
      bn.apply(randn([2, 4, 4, 3], 3021, 2));
      bn.apply(tf.add(randn([2, 4, 4, 3], 3022), 1));
      return testMode(bn);
    },
    inputs: () => [randn([2, 4, 4, 3], 3023)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("BatchNorm(16) over [4, 8, 8] per channel, train mode (long reduction)", 303, {
    build: () => trainMode(new BatchNorm(16, undefined, affine(3030))),
    inputs: () => [tf.tidy(() => tf.add(randn([4, 8, 8, 16], 3031, 3), 2))],
    forward: (m, x) => m.apply(x),
    after: runningStats,
  }),
  layerCase("BatchNorm(5), affine=false, trackStats=false, train mode", 304, {
    build: () => trainMode(new BatchNorm(5, tanh, { affine: false, trackStats: false })),
    inputs: () => [randn([3, 2, 5], 3041)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("LayerNorm(256) (long reduction)", 305, {
    build: () => {
      const ln = new LayerNorm(256);
      const diag = ln.diag as Scale;
      diag.scale.assign(randn([256], 3050, 0.5));
      (diag.bias as tf.Variable).assign(randn([256], 3051, 0.5));
      return ln;
    },
    inputs: () => [tf.tidy(() => tf.add(randn([4, 256], 3052, 2), 1))],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("LayerNorm(3, 4, tanh) over the last two dims", 306, {
    build: () => new LayerNorm(3, 4, tanh),
    inputs: () => [randn([2, 3, 4], 3061, 2)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("LayerNorm(6), affine=false", 307, {
    build: () => new LayerNorm(6, { affine: false }),
    inputs: () => [randn([5, 6], 3071)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("GroupNorm(6, 3), train mode", 308, {
    build: () => trainMode(new GroupNorm(6, 3, undefined, affine(3080))),
    inputs: () => [randn([2, 4, 4, 6], 3081, 2)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("GroupNorm(16, 4, relu) over 8 × 8 × 4 per group (long reduction)", 309, {
    build: () => new GroupNorm(16, 4, relu, affine(3090)),
    inputs: () => [tf.tidy(() => tf.add(randn([2, 8, 8, 16], 3091, 2), 1))],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("InstanceNorm(3), train mode", 310, {
    build: () => trainMode(new InstanceNorm(3)),
    inputs: () => [randn([2, 5, 5, 3], 3101, 2)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("InstanceNorm(4), affine, trackStats, train mode, with the running statistics", 311, {
    build: () => trainMode(new InstanceNorm(4, undefined, { ...affine(3110), affine: true, trackStats: true })),
    inputs: () => [randn([3, 6, 4], 3111, 2)],
    forward: (m, x) => m.apply(x),
    after: runningStats,
  }),
  layerCase("InstanceNorm(4), affine, trackStats, test mode after a training step", 312, {
    build: () => {
      const l = trainMode(new InstanceNorm(4, undefined, { ...affine(3120), affine: true, trackStats: true }));
      l.apply(randn([3, 6, 4], 3121, 2));
      return testMode(l);
    },
    inputs: () => [randn([2, 6, 4], 3122)],
    forward: (m, x) => m.apply(x),
  }),
];

export const weightNormLayerCases: ParityCase[] = [
  layerCase("WeightNorm(Dense(6 => 4, tanh)), g moved off ‖v‖", 311, {
    build: () => {
      const wn = new WeightNorm(new Dense([6, 4], tanh, { init: normalInit(3110) }));
      wn.g.assign(tf.add(wn.g, randn([1, 4], 3111, 0.3)));
      return wn;
    },
    inputs: () => [randn([5, 6], 3112)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("WeightNorm(Conv((3, 3), 2 => 3)) over dims [0, 1, 2]", 312, {
    build: () => new WeightNorm(new Conv([3, 3], [2, 3], relu, { init: normalInit(3120) }), "weight", { dims: [0, 1, 2] }),
    inputs: () => [randn([2, 5, 5, 2], 3121)],
    forward: (m, x) => m.apply(x),
  }),
];

export const dropoutLayerCases: ParityCase[] = [
  layerCase("Dropout(0.4), train mode", 401, {
    build: () => trainMode(new Dropout(0.4, { rng: new Rng(4010) })),
    inputs: () => [randn([8, 16], 4011)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("Dropout(0.4), test mode", 402, {
    build: () => testMode(new Dropout(0.4, { rng: new Rng(4020) })),
    inputs: () => [randn([8, 16], 4021)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("Dropout(0.5, dims -1) drops whole channels, train mode", 403, {
    build: () => trainMode(new Dropout(0.5, { dims: -1, rng: new Rng(4030) })),
    inputs: () => [randn([2, 4, 4, 6], 4031)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("Chain(Dense, Dropout) in automatic mode (active only in the gradient)", 404, {
    build: () => new Chain(new Dense([6, 10], relu, { init: seeded(4040) }), new Dropout(0.3, { rng: new Rng(4041) }), new Dense([10, 3], undefined, { init: seeded(4042) })),
    inputs: () => [randn([5, 6], 4043)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("AlphaDropout(0.3) after selu, train mode", 405, {
    build: () => new Chain(selu, trainMode(new AlphaDropout(0.3, { rng: new Rng(4050) }))),
    inputs: () => [randn([8, 16], 4051)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("AlphaDropout(0.5) on a rank-5 input, train mode", 407, {
    build: () => trainMode(new AlphaDropout(0.5, { rng: new Rng(4070) })),
    inputs: () => [randn([2, 3, 3, 3, 2], 4071)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("AlphaDropout(0.3), test mode", 406, {
    build: () => testMode(new AlphaDropout(0.3, { rng: new Rng(4060) })),
    inputs: () => [randn([4, 8], 4061)],
    forward: (m, x) => m.apply(x),
  }),
];
