// The README's sections on outputsize/autosize, WeightNorm, ctcLoss and one-hot bags, run as written.
import { expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import {
  autosize, lazy, outputsize, Chain, Conv, MeanPool, BatchNorm, Dense, SamePad, flatten, relu, tanh, WeightNorm, removeWeightNorms, ctcLoss, EmbeddingBag,
  onehotbatch, dispose,
} from "../src/index.js";
import { expectClose } from "./helpers.js";

test("README: outputsize and autosize", () => {
  const m = autosize([32, 28, 28, 1], new Chain(
    lazy((c) => new Conv([3, 3], [c, 5], undefined, { stride: 2, pad: new SamePad() })),
    new MeanPool([3, 3]),
    lazy((c) => new BatchNorm(c)),
    flatten,
    lazy((n) => new Dense([n, Math.floor(n / 4)], relu)),
    lazy((n) => new Dense([n, 10])),
  ));
  expect((m.layers as Dense[])[4]!.repr()).toBe("Dense(80 => 20, relu)");
  expect(outputsize(m, [28, 28, 1], { padbatch: true })).toEqual([1, 10]);
  dispose(m);
});

test("README: WeightNorm", () => {
  const wn = new WeightNorm(new Dense([2, 3], tanh));
  expect(wn.g.shape).toEqual([1, 3]);
  const plain = removeWeightNorms(new Chain(wn));
  expect(plain.repr()).toBe("Chain(Dense(2 => 3, tanh))");
});

test("README: ctcLoss and one-hot bags", () => {
  const loss = ctcLoss(tf.tensor2d([[1, 2, 3], [2, 1, 3], [3, 1, 2]]), [0, 1]);
  expectClose(loss, 3.6990738, 1e-6);
  const eb = new EmbeddingBag([26, 3]);
  const y = eb.apply(onehotbatch("bba", "abcdefghijklmnopqrstuvwxyz".split("")));
  expect(y.shape).toEqual([3]);
  expectClose(y, eb.apply([1, 1, 0]), 1e-6);
});
