// outputsize and autosize against Flux's docstring examples, translated to batch first.
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { Chain } from "../src/layers/basic/chain.js";
import { Dense } from "../src/layers/basic/dense.js";
import { Parallel, SkipConnection, plus, concatFeatures } from "../src/layers/basic/containers.js";
import { flatten } from "../src/layers/basic/flatten.js";
import { Conv, SamePad } from "../src/layers/conv/conv.js";
import { MeanPool, GlobalMeanPool } from "../src/layers/conv/pooling.js";
import { BatchNorm } from "../src/layers/normalise/normalise.js";
import { relu, sigmoid, softmax } from "../src/functions/activations.js";
import { rand32 } from "../src/functions/init.js";
import { autosize, lazy, outputsize } from "../src/outputsize/outputsize.js";
import { LazyLayer } from "../src/outputsize/engine.js";

describe("outputsize", () => {
  test("Flux's docstring: Dense, a Chain of Convs, padbatch, arrays of layers", () => {
    expect(outputsize(new Dense([10, 4]), [10], { padbatch: true })).toEqual([1, 4]);
    const m = new Chain(new Conv([3, 3], [3, 16]), new Conv([3, 3], [16, 32]));
    expect(assertNoLeaks(() => outputsize(m, [10, 10, 3], { padbatch: true }), 0)).toEqual([1, 6, 6, 32]);
    expect(outputsize(m, [64, 10, 10, 3])).toEqual([64, 6, 6, 32]);
    expect(outputsize([new Dense([10, 4]), new Dense([4, 2])], [1, 10])).toEqual([1, 2]);
  });

  test("the error names the failing layer of a Chain, with the layer's own message", () => {
    const m = new Chain(new Conv([3, 3], [3, 16]), new Conv([3, 3], [16, 32]));
    expect(() => outputsize(m, [64, 10, 10, 7])).toThrow(/^layer Conv\(\(3, 3\), 3 => 16\), index 0 in Chain, gave an error with input of size \[64, 10, 10, 7\]: layer Conv/);
  });

  test("several inputs: Flux's Parallel example", () => {
    const par = new Parallel(concatFeatures, new Dense([5, 9]), new Dense([7, 11]));
    expect(outputsize(par, [[64, 5], [64, 7]])).toEqual([64, 20]);
    expect(outputsize(new Chain(par, new Dense([20, 13]), softmax), [[5], [7]], { padbatch: true })).toEqual([1, 13]);
  });

  test("does not run the layers: BatchNorm's statistics are untouched, as with Flux's Nil", () => {
    const bn = new BatchNorm(3);
    const before = Array.from(bn.mu!.dataSync());
    expect(outputsize(new Chain(bn, new GlobalMeanPool(), flatten), [2, 5, 5, 3])).toEqual([2, 3]);
    expect(Array.from(bn.mu!.dataSync())).toEqual(before);
  });
});

describe("autosize", () => {
  test("Flux's first docstring example: Chain(Dense(_ => 2, sigmoid), BatchNorm(_, affine=false))", () => {
    const m = autosize([1, 3], new Chain(lazy((n) => new Dense([n, 2], sigmoid)), lazy((n) => new BatchNorm(n, undefined, { affine: false }))));
    expect(m.repr()).toBe("Chain(Dense(3 => 2, σ), BatchNorm(2, affine=false))");
  });

  test("Flux's second docstring example, batch first, to Dense(80 => 20)", () => {
    const m = autosize(
      [32, 28, 28, 1],
      new Chain(
        new Chain({ c: lazy((c) => new Conv([3, 3], [c, 5], undefined, { stride: 2, pad: new SamePad() })), p: new MeanPool([3, 3]), b: lazy((c) => new BatchNorm(c)), f: flatten }),
        lazy((n) => new Dense([n, Math.floor(n / 4)], relu, { init: rand32 })),
        new SkipConnection(lazy((n) => new Dense([n, n], relu)), plus),
        lazy((n) => new Dense([n, 10])),
      ),
    );
    const layers = m.layers as unknown[];
    expect((layers[1] as Dense).repr()).toBe("Dense(80 => 20, relu)");
    expect(m.repr()).not.toContain("LazyLayer");
    expect(outputsize(m, [32, 28, 28, 1])).toEqual([32, 10]);
    expect(m.apply(tf.zeros([2, 28, 28, 1])).shape).toEqual([2, 10]);
  });

  test("a lazy layer keeps nothing when its input does not fit; unbuilt lazies are an error", () => {
    const l = new LazyLayer((n) => new Dense([n + 1, 2]));
    expect(() => outputsize(l, [1, 3])).toThrow("expects size(input, -1) == 4");
    expect(l.layer).toBeNull();
    expect(() => autosize([1, 3], new Chain(new Dense([4, 2])))).toThrow("index 0 in Chain");
  });
});
