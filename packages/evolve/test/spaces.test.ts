// Search spaces: initial graphs drawn from Dense and Conv blocks, repeats, chains and choices,
// with a shielded output; the model with no hidden layer; determinism from the seed.
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks, refusal } from "@fluxion/backend/testing";
import { Conv, Dense, MaxPool, Rng, dispose, relu, tanh } from "@fluxion/nn";
import {
  ChainSpace,
  ChoiceSpace,
  ConvSpace,
  DenseSpace,
  LayerBlock,
  MutationShield,
  NoutMutation,
  RepeatSpace,
  allowMutation,
  checkGraph,
  initialGraph,
  mutationAllowed,
} from "../src/index.js";
import { weightsOf } from "./search-helpers.js";

const dense = new DenseSpace({ sizes: [4, 8], activations: [relu, tanh] });

describe("initialGraph", () => {
  test("no hidden layer: input → a shielded Dense output (a linear model)", () => {
    const g = assertNoLeaks(() => initialGraph(null, 2, 1, new Rng(1)), 2);
    expect(g.names()).toEqual(["input", "out"]);
    expect(g.vertex("out").trait).toBeInstanceOf(MutationShield);
    expect(allowMutation(g.vertex("out").trait, new NoutMutation(0, 1))).toBe(false);
    expect(checkGraph(g).get("out")).toEqual([1, 1]);
    const empty = initialGraph(new ChainSpace(), 2, 1, new Rng(1));
    expect(empty.names()).toEqual(["input", "out"]);
    dispose([g, empty]);
  });

  test("Dense blocks repeated 1 to 3 times: sizes and activations from the lists, each repeat count about 1/3 of the time", () => {
    const space = new RepeatSpace(new LayerBlock(dense), 1, 3);
    const counts = [0, 0, 0, 0];
    const n = 300;
    for (let s = 0; s < n; s++) {
      const g = initialGraph(space, 4, 3, new Rng(s));
      const hidden = g.names().filter((x) => x.startsWith("dense"));
      counts[hidden.length]! += 1;
      for (const h of hidden) {
        const layer = g.layers[h] as Dense;
        expect([4, 8]).toContain(layer.weight.shape[1]);
        expect([relu, tanh]).toContain(layer.sigma);
      }
      expect(g.vertex("out").nout).toBe(3);
      expect(mutationAllowed(g, new NoutMutation(0, 1))).toEqual(hidden);
      dispose(g);
    }
    expect(counts[0]).toBe(0);
    for (const c of counts.slice(1)) expect(Math.abs(c - n / 3)).toBeLessThanOrEqual(4.5 * Math.sqrt((n * 2) / 9));
  });

  test("the same seed gives the same graph, weights included", () => {
    const space = new RepeatSpace(new LayerBlock(dense), 1, 3);
    const [a, b] = [initialGraph(space, 4, 3, new Rng(42)), initialGraph(space, 4, 3, new Rng(42))];
    expect(a.names()).toEqual(b.names());
    expect(weightsOf(a)).toEqual(weightsOf(b));
    dispose([a, b]);
  });

  test("Conv blocks with pooling, then flatten and the output", () => {
    const conv = new ConvSpace({ channels: [4], kernels: [3], activations: [relu], pool: 1 });
    const g = initialGraph(new ChainSpace(new RepeatSpace(new LayerBlock(conv), 2, 2), new LayerBlock(dense)), [8, 8, 1], 10, new Rng(3));
    expect(g.names()).toEqual(["input", "conv1", "pool1", "conv2", "pool2", "dense1", "flatten1", "out"]);
    expect(g.layers.conv1).toBeInstanceOf(Conv);
    expect(g.layers.pool1).toBeInstanceOf(MaxPool);
    const shapes = checkGraph(g);
    expect(shapes.get("pool2")).toEqual([1, 2, 2, 4]);
    expect(shapes.get("out")).toEqual([1, 10]);
    dispose(g);
  });

  test("ChoiceSpace draws each space about equally often", () => {
    const choice = new ChoiceSpace(new LayerBlock(new DenseSpace({ sizes: [3], activations: [relu] })), new ChainSpace());
    let hidden = 0;
    const n = 200;
    for (let s = 0; s < n; s++) {
      const g = initialGraph(choice, 2, 1, new Rng(s));
      hidden += g.names().length === 3 ? 1 : 0;
      dispose(g);
    }
    expect(Math.abs(hidden - n / 2)).toBeLessThanOrEqual(4.5 * Math.sqrt(n / 4));
  });

  test("bad spaces are refused with what was expected", () => {
    expect(refusal(() => new DenseSpace({ sizes: [], activations: [relu] })).message).toMatch(/DenseSpace: sizes must be a non-empty array of positive integers/);
    expect(refusal(() => new RepeatSpace(new ChainSpace(), 3, 1)).message).toMatch(/0 ≤ min ≤ max/);
    expect(refusal(() => initialGraph(null, 2, 0, new Rng(1))).message).toMatch(/output size must be a positive integer/);
    expect(refusal(() => initialGraph(null, 2, 1, 7 as never)).message).toMatch(/rng must be an Rng/);
    expect(refusal(() => new ChainSpace(dense as never)).message).toMatch(/ChainSpace: space 0 must be an architecture space/);
    expect(refusal(() => new LayerBlock(new ChainSpace() as never)).message).toMatch(/LayerBlock: expected a layer space/);
  });
});
