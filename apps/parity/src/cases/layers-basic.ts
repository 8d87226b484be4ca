// Dense, the containers and the simple layers (Bilinear, Scale, Embedding, EmbeddingBag, flatten).
import { tf } from "@fluxion/backend";
import {
  Bilinear, Chain, concatFeatures, Dense, Embedding, EmbeddingBag, flatten, gelu, Maxout, PairwiseFusion, Parallel,
  plus, relu, Rng, randn32, Scale, SkipConnection, softmax, tanh, onehotbatch, outputsize, autosize, lazy, Conv, MeanPool, dispose,
} from "@fluxion/nn";
import type { ParityCase } from "../case.js";
import { layerCase, normalInit, seeded } from "./layers-probe.js";
import { randn, uniform } from "./tensors.js";

/** A Dense with seeded weight and a non-zero seeded bias. */
const dense = (nIn: number, nOut: number, seed: number, sigma?: (x: tf.Tensor) => tf.Tensor): Dense =>
  new Dense([nIn, nOut], sigma, { init: seeded(seed), bias: randn([nOut], seed + 1, 0.5) });

/** Integer token indices in [0, n), seeded. */
const tokens = (count: number, n: number, seed: number): number[] => {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => rng.int(n));
};

export const basicLayerCases: ParityCase[] = [
  layerCase("Dense 6 => 4, tanh", 1, {
    build: () => dense(6, 4, 10, tanh),
    inputs: () => [randn([5, 6], 11)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("Dense 512 => 8 (long reduction)", 2, {
    build: () => dense(512, 8, 20),
    inputs: () => [randn([8, 512], 21)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("Dense 5 => 3 on a 3-d input, bias=false", 3, {
    build: () => new Dense([5, 3], relu, { init: seeded(30), bias: false }),
    inputs: () => [randn([2, 4, 5], 31)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("Chain(Dense relu, Dense, softmax)", 4, {
    build: () => new Chain(dense(6, 8, 40, relu), dense(8, 3, 42), softmax),
    inputs: () => [randn([4, 6], 43)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("named Chain(enc, act, dec) and its activations", 5, {
    build: () => new Chain({ enc: dense(5, 7, 50), act: gelu, dec: dense(7, 4, 52, tanh) }),
    inputs: () => [randn([3, 5], 53)],
    forward: (m, x) => m.activations(x),
  }),
  layerCase("vector Chain([Dense, Dense])", 6, {
    build: () => new Chain([dense(4, 6, 60, tanh), dense(6, 2, 62)]),
    inputs: () => [randn([5, 4], 63)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("Parallel(+, α, β) on one input", 7, {
    build: () => new Parallel(plus, { α: dense(10, 2, 70, tanh), β: dense(10, 2, 72) }),
    inputs: () => [randn([4, 10], 73)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("Parallel(concatFeatures, a, b) on two inputs", 8, {
    build: () => new Parallel(concatFeatures, dense(3, 4, 80, relu), dense(5, 2, 82)),
    inputs: () => [randn([4, 3], 83), randn([4, 5], 84)],
    forward: (m, x1, x2) => m.apply(x1, x2),
  }),
  layerCase("SkipConnection(Dense relu, +)", 9, {
    build: () => new SkipConnection(dense(4, 4, 90, relu), plus),
    inputs: () => [randn([6, 4], 91)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("SkipConnection(Chain, concatFeatures)", 10, {
    build: () => new SkipConnection(new Chain(dense(4, 6, 100, tanh), dense(6, 3, 102)), concatFeatures),
    inputs: () => [randn([5, 4], 103)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("PairwiseFusion(+, three Dense) on three inputs", 11, {
    build: () => new PairwiseFusion(plus, dense(3, 4, 110, tanh), dense(4, 4, 112), dense(4, 2, 114, relu)),
    inputs: () => [randn([5, 3], 115), randn([5, 4], 116), randn([5, 4], 117)],
    forward: (m, ...xs) => m.apply(xs),
  }),
  layerCase("Maxout(() => Dense 5 => 7, 3)", 12, {
    build: () => {
      let seed = 120;
      return new Maxout(() => dense(5, 7, (seed += 2)), 3);
    },
    inputs: () => [randn([6, 5], 121)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("Bilinear((4, 3) => 5) on [x, y]", 13, {
    build: () => new Bilinear([[4, 3], 5], tanh, { init: seeded(130), bias: randn([5], 131, 0.5) }),
    inputs: () => [randn([6, 4], 132), randn([6, 3], 133)],
    forward: (m, x, y) => m.apply([x, y]),
  }),
  layerCase("Bilinear(16 => 8) on one input with batch dims [2, 3]", 14, {
    build: () => new Bilinear([16, 8], undefined, { init: seeded(140) }),
    inputs: () => [randn([2, 3, 16], 141)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("Scale(2, 3, tanh) on [4, 2, 3]", 15, {
    build: () => new Scale(2, 3, tanh, { init: normalInit(150), bias: randn([2, 3], 151) }),
    inputs: () => [randn([4, 2, 3], 152)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("Embedding 26 => 4 on int32 indices [3, 5], paddingIdx 0", 16, {
    build: () => new Embedding([26, 4], { init: (s) => randn32(s, new Rng(160)), paddingIdx: 0 }),
    inputs: () => [],
    forward: (m) => tf.tidy(() => m.apply(tf.tensor2d(tokens(15, 26, 161).map((t, i) => (i % 7 === 0 ? 0 : t)), [3, 5], "int32"))),
  }),
  layerCase("Embedding 10 => 6 on float rows (x·W)", 17, {
    build: () => new Embedding([10, 6], { init: (s) => randn32(s, new Rng(170)) }),
    inputs: () => [uniform([4, 10], 171)],
    forward: (m, x) => m.apply(x),
  }),
  layerCase("EmbeddingBag 20 => 6, mean, one bag per row", 18, {
    build: () => new EmbeddingBag([20, 6], tf.mean, { init: (s) => randn32(s, new Rng(180)) }),
    inputs: () => [],
    forward: (m) => tf.tidy(() => m.apply(tf.tensor2d(tokens(12, 20, 181), [3, 4], "int32"))),
  }),
  layerCase("EmbeddingBag 20 => 6, sum, with offsets", 19, {
    build: () => new EmbeddingBag([20, 6], tf.sum, { init: (s) => randn32(s, new Rng(190)) }),
    inputs: () => [],
    forward: (m) => m.apply(tokens(10, 20, 191), [0, 3, 4, 8]),
  }),
  layerCase("EmbeddingBag 50 => 8, max, ragged bags (one of 64 indices)", 20, {
    build: () => new EmbeddingBag([50, 8], tf.max, { init: (s) => randn32(s, new Rng(200)) }),
    inputs: () => [],
    forward: (m) => m.apply([tokens(64, 50, 201), tokens(3, 50, 202), [7]]),
  }),
  layerCase("EmbeddingBag 50 => 8, mean over a bag of 256 indices (long reduction)", 21, {
    build: () => new EmbeddingBag([50, 8], tf.mean, { init: (s) => randn32(s, new Rng(210)) }),
    inputs: () => [],
    forward: (m) => m.apply(tokens(256, 50, 211)),
  }),
  layerCase("EmbeddingBag 20 => 6, mean, one-hot bags [3, 5, 20] and an array of one-hot bags", 23, {
    build: () => new EmbeddingBag([20, 6], tf.mean, { init: (s) => randn32(s, new Rng(230)) }),
    inputs: () => [],
    forward: (m) =>
      tf.tidy(() => {
        const hot = (n: number, seed: number) => onehotbatch(tokens(n, 20, seed), Array.from({ length: 20 }, (_, i) => i));
        return [m.apply(tf.stack([hot(5, 231), hot(5, 232), hot(5, 233)])), m.apply([hot(7, 234), hot(2, 235)])];
      }),
  }),
  {
    group: "layers",
    name: "outputsize and autosize (sizes only: no backend maths, the same everywhere)",
    run: () => {
      const m = autosize([2, 12, 12, 3], new Chain(lazy((c) => new Conv([3, 3], [c, 4])), new MeanPool([2, 2]), flatten, lazy((n) => new Dense([n, 5]))));
      const out = outputsize(m, [7, 12, 12, 3]);
      const padded = outputsize(m, [12, 12, 3], { padbatch: true });
      const dense = [...(m.layers as Dense[])[3]!.weight.shape];
      const y = tf.tidy(() => [...(m.apply(tf.ones([1, 12, 12, 3])) as tf.Tensor).shape]);
      dispose(m);
      return { out, padded, dense, y };
    },
  },
  layerCase("Chain(flatten, Dense) on [2, 3, 4, 2]", 22, {
    build: () => new Chain(flatten, dense(24, 5, 220)),
    inputs: () => [randn([2, 3, 4, 2], 221)],
    forward: (m, x) => m.apply(x),
  }),
];
