// Optimiser state follows the neurons for every kind of rule state (moments, momentum, Rprop's
// per-entry step sizes, AccumGrad's sums, chains): kept entries carried, new entries at the rule's
// initial value, scalars kept. And a CompGraph goes through nn's safetensors model files.
import { describe, expect, test } from "@jest/globals";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { fleaves } from "@fluxion/functors";
import { AccumGrad, Adam, Leaf, Momentum, OptimiserChain, Rprop, WeightDecay, setup, updateInPlace, type Rule } from "@fluxion/optimisers";
import { Dense, dispose, gradient, loadModelFile, mse, relu, saveModel } from "@fluxion/nn";
import { CompGraph, changeNout, inputVertex, vertex } from "../src/index.js";
import { denseOf, ramp, values } from "./helpers.js";

function mlp(): CompGraph {
  const x = inputVertex("x", 3);
  return new CompGraph(x, vertex("out", denseOf(ramp(4, 2, 0.05), [0.5, -0.5]), vertex("h", denseOf(ramp(3, 4), [0.1, -0.2, 0.3, 0], relu), x)));
}

const tensorsOf = (state: unknown): tf.Tensor[] => fleaves(state).filter((t): t is tf.Tensor => t instanceof tf.Tensor);
const scalarsOf = (state: unknown): unknown[] => fleaves(state).filter((t) => !(t instanceof tf.Tensor));
const cols = (m: number[][], js: number[]): number[][] => m.map((r) => js.map((j) => r[j]!));

describe("optimiser state follows the neurons, for every kind of state", () => {
  const rules: [string, () => Rule][] = [
    ["Momentum", () => new Momentum(0.1, 0.9)],
    ["Rprop (state initialised to η, not 0)", () => new Rprop(0.01)],
    ["AccumGrad (a sum and a counter)", () => new AccumGrad(2)],
    ["a chain: WeightDecay then Adam", () => new OptimiserChain(new WeightDecay(0.1), new Adam(0.01))],
  ];
  test.each(rules)("%s", (_name, make) => {
    const g = mlp();
    const rule = make();
    const st = setup(rule, g) as any;
    const x = tf.tensor2d(ramp(5, 3, 0.3));
    const y = tf.tensor2d(ramp(5, 2, 0.2));
    const step = () => {
      const [gr] = gradient((m: CompGraph) => mse(m.apply(x) as tf.Tensor, y), g);
      updateInPlace(st, g, gr);
      tf.dispose(gr as any);
    };
    for (let i = 0; i < 3; i++) step();
    const leaf = st.layers.h.weight as Leaf;
    const before = tensorsOf(leaf.state).map((t) => values(t) as number[][]);
    const scalars = scalarsOf(leaf.state);
    const stepCount = leaf.step;
    // Growing by 2: the old columns carried, the new ones as the rule's init makes them.
    assertNoLeaks(() => changeNout(g, "h", 2, { state: st }), 0);
    const init = tf.tidy(() => rule.init(tf.zeros([3, 6])));
    const fresh = tensorsOf(init).map((t) => values(t) as number[][]);
    tf.dispose(tensorsOf(init));
    const grown = tensorsOf(leaf.state).map((t) => values(t) as number[][]);
    expect(grown).toHaveLength(before.length);
    grown.forEach((m, k) => {
      expect(cols(m, [0, 1, 2, 3])).toEqual(before[k]);
      expect(cols(m, [4, 5])).toEqual(cols(fresh[k]!, [4, 5]));
    });
    expect(scalarsOf(leaf.state)).toEqual(scalars);
    expect(leaf.step).toBe(stepCount);
    // Shrinking to the neurons a utility picks (0, 2, 4): their entries, in order.
    const utility = (name: string) => (name === "h" ? [5, 1, 4, 2, 3, 0] : [1, 1]);
    assertNoLeaks(() => changeNout(g, "h", -3, { state: st, utility }), 0);
    tensorsOf(leaf.state).forEach((t, k) => expect(values(t)).toEqual(cols(grown[k]!, [0, 2, 4])));
    for (const t of tensorsOf((st.layers.h.bias as Leaf).state)) expect(t.shape).toEqual([3]);
    step(); // training goes on with the re-indexed state
    tf.dispose([x, y]);
    dispose([g, st]);
  });
});

test("a CompGraph goes through nn's safetensors model files", async () => {
  const dir = mkdtempSync(join(tmpdir(), "evolve-model-"));
  try {
    const g = mlp();
    const other = mlp();
    tf.tidy(() => (other.layers.h as Dense).weight.assign(tf.zeros([3, 4])));
    await saveModel(join(dir, "g.safetensors"), g);
    await loadModelFile(join(dir, "g.safetensors"), other);
    expect(values((other.layers.h as Dense).weight)).toEqual(values((g.layers.h as Dense).weight));
    dispose([g, other]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
