// EmbeddingBag with one-hot bags: Flux's docstring example (onehotbatch("bba", 'a':'z') is one bag
// of 3 items), batch first: a bag is [n, in], one one-hot row per item.
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { EmbeddingBag } from "../src/layers/basic/embedding.js";
import { onehotbatch } from "../src/functions/onehot.js";
import { gradient } from "../src/autodiff/gradient.js";
import { expectClose } from "./helpers.js";

const letters = "abcdefghijklmnopqrstuvwxyz".split("");
// Flux's docstring weight: 100 on the diagonal of a 3 × 26 matrix (ours [26, 3]).
const eb = () => new EmbeddingBag(tf.tensor2d(Array.from({ length: 26 * 3 }, (_, i) => (i % 3 === Math.floor(i / 3) && i < 9 ? 100 : 0)), [26, 3]));

describe("EmbeddingBag with one-hot input", () => {
  test("Flux's docstring: one bag, and an array of bags", () => {
    const m = eb();
    const bba = onehotbatch("bba", letters);
    expectClose(assertNoLeaks(() => m.apply(bba)), [33.333332, 66.666664, 0], 1e-6);
    expectClose(m.apply(bba), m.apply([1, 1, 0]), 1e-6);
    const y = m.apply([bba, onehotbatch("cc", letters)] as never);
    expect(y.shape).toEqual([2, 3]);
    expectClose(y, [33.3333, 66.6667, 0, 0, 0, 100], 1e-5);
  });

  test("bags [bags, n, in] give [bags, out]; bool rows work; the gradient reaches the weight", () => {
    const m = eb();
    const x = tf.stack([onehotbatch("ab", letters), onehotbatch("cc", letters)]);
    expectClose(m.apply(x), [50, 50, 0, 0, 0, 100], 1e-6);
    expectClose(m.apply(tf.cast(onehotbatch("bba", letters), "bool")), [33.333332, 66.666664, 0], 1e-6);
    const g = gradient((w: EmbeddingBag) => tf.sum(w.apply(onehotbatch("bba", letters))), m)[0] as { weight: tf.Tensor };
    const row = (i: number) => Array.from(g.weight.dataSync().slice(3 * i, 3 * i + 3));
    expectClose(row(0), [1 / 3, 1 / 3, 1 / 3], 1e-6);
    expectClose(row(1), [2 / 3, 2 / 3, 2 / 3], 1e-6);
  });

  test("a one-hot vector is an error, as in Flux; so is a wrong vocabulary size", () => {
    const m = eb();
    expect(() => m.apply(tf.reshape(onehotbatch("a", letters), [26]))).toThrow("layer EmbeddingBag(26 => 3) is not defined for a one-hot vector (a bag is [n, in], one row per item), but got a tensor of shape [26]");
    expect(() => m.apply(tf.zeros([2, 5]))).toThrow("expects one-hot rows with size(input, -1) == 26 (features last), but got a tensor of shape [2, 5]");
  });
});
