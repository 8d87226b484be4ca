// The demo's search set-ups: the cap on hidden layers holds for every mutation path, and without
// it the same mutations do grow deeper (so the test would notice a cap that stopped nothing).
import { beforeAll, describe, expect, test } from "@jest/globals";
import { DenseSpace, LayerBlock, RepeatSpace, Rng, dispose, initialGraph, relu, useBackend, type CompGraph } from "fluxion";
import { graphMutation, SEARCH_SETUPS, type SearchSetup } from "../src/evolve/search-setup.js";

beforeAll(async () => {
  await useBackend("cpu");
});

const hidden = (g: CompGraph): number => g.spec.vertices.filter((v) => v.op === "layer").length - g.spec.outputs.length;

/** The most hidden layers seen while `setup`'s graph mutation is applied 40 times in a row to a 4-8-3 MLP. */
function deepest(setup: SearchSetup, seed: number): { max: number; inserted: boolean } {
  const rng = new Rng(seed);
  const space = new RepeatSpace(new LayerBlock(new DenseSpace({ sizes: [8], activations: [relu] })), 1, 1);
  const graph = initialGraph(space, [4], 3, rng);
  const m = graphMutation(setup);
  let max = hidden(graph);
  let inserted = false;
  try {
    for (let i = 0; i < 40; i++) {
      const changes = m.apply(graph, { rng: new Rng(seed * 1000 + i) }).changes;
      inserted ||= changes.some((c) => c.startsWith("insertAfter"));
      max = Math.max(max, hidden(graph));
    }
  } finally {
    dispose(graph);
  }
  return { max, inserted };
}

describe("the hidden-layer cap (Iris, MPG: 3)", () => {
  test("40 rounds of Iris's mutations from one hidden layer: layers are inserted, never past 3", () => {
    expect(SEARCH_SETUPS.iris.maxHidden).toBe(3);
    for (const seed of [1, 2, 3]) {
      const { max, inserted } = deepest(SEARCH_SETUPS.iris, seed);
      expect(inserted).toBe(true);
      expect(max).toBeLessThanOrEqual(3);
    }
  });

  test("the same rounds without the cap go past 3 hidden layers", () => {
    const uncapped = { ...SEARCH_SETUPS.iris, maxHidden: undefined };
    expect(Math.max(...[1, 2, 3].map((seed) => deepest(uncapped, seed).max))).toBeGreaterThan(3);
  });
});
