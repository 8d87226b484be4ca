// Mutations: NoutMutation's Δ distribution, the combinators' frequencies, function preservation
// (identity-initialised vertices, growing sizes, kernels, concatenated skips), MutationShield,
// rule mutations (learning-rate range, ShieldedOpt kept), optimiser state that follows, no leaks.
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks, refusal } from "@fluxion/backend/testing";
import { fleaves } from "@fluxion/functors";
import { Adam, Descent, Momentum, Nesterov, OptimiserChain, WeightDecay, setup, updateInPlace, type Rule } from "@fluxion/optimisers";
import { Conv, Dense, Rng, dispose, flatten, gradient, identity, mse, relu, tanh } from "@fluxion/nn";
import {
  ActivationFunctionMutation,
  AddEdgeMutation,
  AddVertexMutation,
  CompGraph,
  addVertex,
  ConvSpace,
  DenseSpace,
  KernelSizeMutation,
  LearningRateMutation,
  MutationChain,
  MutationChoice,
  MutationFilter,
  MutationProbability,
  MutationShield,
  NoutMutation,
  OptimiserMutation,
  RemoveEdgeMutation,
  RemoveVertexMutation,
  ShieldedOpt,
  VertexMutation,
  checkGraph,
  graphCodec,
  inputVertex,
  insertionPoints,
  mutationAllowed,
  vertex,
  type VertexAt,
} from "../src/index.js";
import type { Mutation, OperatorContext } from "../src/search/interfaces.js";
import { assertOwned, batch, maxDiff, mlp, expectBinomial, stateFits } from "./search-helpers.js";

/** A mutation that counts its applications. */
class Count implements Mutation<number> {
  readonly kind = "mutation";
  n = 0;
  constructor(readonly label = "count") {}
  apply(x: number): { value: number; changes: string[] } {
    this.n++;
    return { value: x + 1, changes: [this.label] };
  }
}

/** One training step with the carried state: it must fit the graph. */
function trainStep(g: CompGraph, state: unknown, shape: readonly number[], nout: number): void {
  const x = batch(4, shape);
  const y = batch(4, [nout], 3);
  const [gr] = gradient((m: CompGraph) => mse(m.apply(x) as tf.Tensor, y), g);
  updateInPlace(state as never, g, gr);
  tf.dispose([x, y, ...fleaves(gr).filter((t): t is tf.Tensor => t instanceof tf.Tensor)]);
}

/**
 * Runs `change` on `g` and checks that the outputs stay within 1e-5 of what they were, that the
 * state fits the changed graph, and that a training step with it works.
 */
function preserving<T>(g: CompGraph, state: unknown, shape: readonly number[], nout: number, change: () => T): T {
  const x = batch(6, shape);
  const before = g.apply(x) as tf.Tensor;
  const out = change();
  const after = g.apply(x) as tf.Tensor;
  expect(maxDiff(after, before)).toBeLessThan(1e-5);
  expect(stateFits(g, state as never)).toBe(true);
  trainStep(g, state, shape, nout);
  tf.dispose([x, before, after]);
  return out;
}

const ctxOf = (seed: number, state?: unknown, rule?: Rule): OperatorContext => ({ rng: new Rng(seed), ...(state === undefined ? {} : { state: state as never }), ...(rule ? { rule } : {}) });

describe("combinators", () => {
  test("MutationProbability applies with probability p", () => {
    const c = new Count();
    const m = new MutationProbability(c, 0.3);
    const rng = new Rng(4);
    const n = 10000;
    for (let i = 0; i < n; i++) m.apply(0, { rng });
    expectBinomial(c.n, n, 0.3);
  });
  test("MutationChoice picks in proportion to the weights; a zero weight never", () => {
    const [a, b, z] = [new Count("a"), new Count("b"), new Count("z")];
    const m = new MutationChoice<number>([a, 1], [b, 3], [z, 0]);
    const rng = new Rng(5);
    const n = 8000;
    for (let i = 0; i < n; i++) m.apply(0, { rng });
    expectBinomial(a.n, n, 0.25);
    expect(a.n + b.n).toBe(n);
    expect(z.n).toBe(0);
  });
  test("MutationChain folds and joins the changes; MutationFilter applies where the predicate holds", () => {
    const chain = new MutationChain<number>(new Count("a"), new MutationFilter((x: number) => x > 5, new Count("never")), new Count("b"));
    expect(chain.apply(1, { rng: new Rng(1) })).toEqual({ value: 3, changes: ["a", "b"] });
    expect(refusal(() => new MutationProbability(new Count(), 1.5)).message).toMatch(/probability must be a number in \[0, 1\]/);
    expect(refusal(() => new MutationChain({} as never)).message).toMatch(/mutation 0 must be a Mutation/);
  });
});

describe("NoutMutation", () => {
  test("Δ = ceil(|x|·nout)·sign(x), x ~ U(l1, l2): for nout 3 and U(0, 0.5), P(+1) = 2/3, P(+2) = 1/3", () => {
    const m = new NoutMutation(0, 0.5);
    const rng = new Rng(8);
    const n = 9000;
    const counts = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const d = m.delta(3, { rng });
      counts.set(d, (counts.get(d) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([1, 2]);
    expectBinomial(counts.get(1)!, n, 2 / 3);
  });
  test("on a graph: the drawn Δ, the function unchanged when growing, the state following, no leaks", () => {
    const g = mlp(3);
    const state = setup(new Adam(0.01), g);
    // Find a seed whose draw for nout 8 over U(0, 0.5) is +3, independently of the mutation.
    const seed = [...Array(50).keys()].find((s) => Math.ceil(new Rng(s).float() * 0.5 * 8) === 3)!;
    const r = preserving(g, state, [3], 2, () => assertNoLeaks(() => new NoutMutation(0, 0.5).apply({ graph: g, name: "h1" }, ctxOf(seed, state)), 0));
    expect(r.changes).toEqual(["changeNout(h1, +3)"]);
    expect(g.vertex("h1").nout).toBe(11);
    dispose([g, state]);
  });
  test("no change for a shielded output, an input, a size that would reach 0, or a tied size that cannot change", () => {
    const g = mlp(3);
    const m = new NoutMutation(-1, -1); // Δ = −nout: always too small
    expect(m.apply({ graph: g, name: "h1" }, ctxOf(1)).changes).toEqual([]);
    expect(new NoutMutation(0.5, 0.5).apply({ graph: g, name: "out" }, ctxOf(1)).changes).toEqual([]);
    expect(new NoutMutation(0.5, 0.5).apply({ graph: g, name: "input" }, ctxOf(1)).changes).toEqual([]);
    // h is tied to the input by an add: a SizeError inside, "no change" outside.
    const x = inputVertex("x", 4);
    const h = vertex("h", new Dense([4, 4], relu), x);
    const tied = new CompGraph(x, vertex("o", new Dense([4, 1]), addVertex("s", x, h)));
    expect(assertNoLeaks(() => new NoutMutation(0.5, 0.5).apply({ graph: tied, name: "h" }, ctxOf(1)), 0).changes).toEqual([]);
    expect(g.vertex("out").nout).toBe(2);
    dispose([g, tied]);
  });
});

describe("MutationShield and VertexMutation", () => {
  test("shielded vertices and inputs are never picked; the allowed list lets its classes through", () => {
    const rng = new Rng(2);
    const x = inputVertex("x", 3);
    const h = vertex("h", new Dense([3, 5], relu, { init: undefined }), x);
    const out = vertex("out", new Dense([5, 2]), h, { trait: new MutationShield(null, ActivationFunctionMutation) });
    const g = new CompGraph(x, out);
    const nout = new NoutMutation(-0.5, 0.5);
    const act = new ActivationFunctionMutation(tanh, relu);
    expect(mutationAllowed(g, nout)).toEqual(["h"]);
    expect(mutationAllowed(g, new MutationProbability(act, 0.5))).toEqual(["h", "out"]);
    expect(mutationAllowed(g, new MutationChain<VertexAt>(act, nout))).toEqual(["h"]);
    expect(insertionPoints(g, new AddVertexMutation(new DenseSpace({ sizes: [4], activations: [identity] })))).toEqual(["x", "h"]);
    // Many rounds of size mutations: the shielded output never changes size, h does.
    const m = new VertexMutation(new NoutMutation(-0.5, 0.5));
    const sizes = new Set<number>();
    for (let i = 0; i < 20; i++) {
      m.apply(g, { rng });
      sizes.add(g.vertex("h").nout);
      expect(g.vertex("out").nout).toBe(2);
    }
    expect(sizes.size).toBeGreaterThan(2);
    const r = new VertexMutation(act).apply(g, { rng });
    expect(r.changes).toHaveLength(2);
    expect(r.changes[1]).toMatch(/^setActivation\(out, identity → (tanh|relu)\)$/);
    checkGraph(g);
    dispose(g);
  });
});

describe("AddVertexMutation", () => {
  test("an identity-initialised Dense after a relu vertex leaves the outputs unchanged; state and training follow", () => {
    const g = mlp(4);
    const state = setup(new Momentum(0.01), g);
    const m = new AddVertexMutation(new DenseSpace({ sizes: [99], activations: [relu] }));
    const r = preserving(g, state, [3], 2, () => assertOwned([g, state], () => m.apply({ graph: g, name: "h1" }, ctxOf(1, state))));
    expect(r.changes).toEqual(["insertAfter(h1, dense1: Dense(8 => 8, relu))"]);
    expect(g.names()).toEqual(["input", "h1", "dense1", "h2", "out"]);
    dispose([g, state]);
  });
  test("after the input of a model with no hidden layer (identity activation: the function is unchanged)", () => {
    const x = inputVertex("input", 2);
    const g = new CompGraph(x, vertex("out", new Dense([2, 1]), x, { trait: new MutationShield() }));
    const xs = batch(4, [2]);
    const before = g.apply(xs) as tf.Tensor;
    const vm = new VertexMutation(new AddVertexMutation(new DenseSpace({ sizes: [5], activations: [identity] })), insertionPoints);
    expect(vm.apply(g, { rng: new Rng(1) }).changes).toEqual(["insertAfter(input, dense1: Dense(2 => 2))"]);
    const after = g.apply(xs) as tf.Tensor;
    expect(maxDiff(after, before)).toBeLessThan(1e-6);
    tf.dispose([xs, before, after]);
    dispose(g);
  });
  test("a Conv from a ConvSpace after a conv vertex (same padding): unchanged outputs; no change where it does not fit", () => {
    const x = inputVertex("img", [6, 6, 2]);
    const c = vertex("c", new Conv([3, 3], [2, 4], relu, { pad: 1 }), x);
    const g = new CompGraph(x, vertex("out", new Dense([6 * 6 * 4, 3]), vertex("f", flatten, c), { trait: new MutationShield() }));
    const state = setup(new Adam(0.001), g);
    const xs = batch(2, [6, 6, 2]);
    const before = g.apply(xs) as tf.Tensor;
    const m = new AddVertexMutation(new ConvSpace({ channels: [8], kernels: [5], activations: [relu] }));
    expect(assertOwned([g, state], () => m.apply({ graph: g, name: "c" }, ctxOf(1, state))).changes).toHaveLength(1);
    expect(assertNoLeaks(() => m.apply({ graph: g, name: "f" }, ctxOf(1, state)), 0).changes).toEqual([]); // flat features: no conv fits
    const after = g.apply(xs) as tf.Tensor;
    expect(maxDiff(after, before)).toBeLessThan(1e-5);
    trainStep(g, state, [6, 6, 2], 3);
    tf.dispose([xs, before, after]);
    dispose([g, state]);
  });
});

describe("RemoveVertexMutation", () => {
  test("removes a hidden layer (sizes aligned), never the output; the state follows", () => {
    const g = mlp(5);
    const state = setup(new Adam(0.01), g);
    const m = new RemoveVertexMutation();
    expect(assertNoLeaks(() => m.apply({ graph: g, name: "out" }, ctxOf(1, state)), 0).changes).toEqual([]);
    expect(assertOwned([g, state], () => m.apply({ graph: g, name: "h2" }, ctxOf(1, state))).changes).toEqual(["removeVertex(h2)"]);
    expect(g.names()).toEqual(["input", "h1", "out"]);
    expect(g.vertex("out").nin).toEqual([8]);
    expect(g.vertex("out").nout).toBe(2);
    expect(stateFits(g, state)).toBe(true);
    trainStep(g, state, [3], 2);
    checkGraph(g);
    dispose([g, state]);
  });
});

describe("skip connections", () => {
  test("AddEdgeMutation concatenates a skip into a later layer (function unchanged); RemoveEdgeMutation takes it away", () => {
    const g = mlp(6, [5, 4, 3]);
    const state = setup(new Adam(0.01), g);
    const xs = batch(4, [3]);
    const before = g.apply(xs) as tf.Tensor;
    const add = new AddEdgeMutation();
    expect(add.targets(g, "h1")).toEqual(["h3"]); // h2 reads h1 already; out is shielded
    const r = assertOwned([g, state], () => add.apply({ graph: g, name: "h1" }, ctxOf(1, state)));
    expect(r.changes).toEqual(["addEdge(h1 → cat1 (new concat before h3))"]);
    expect(g.vertex("cat1").inputs).toEqual(["h2", "h1"]);
    expect(g.vertex("h3").nin).toEqual([9]);
    const mid = g.apply(xs) as tf.Tensor;
    expect(maxDiff(mid, before)).toBeLessThan(1e-6);
    expect(stateFits(g, state)).toBe(true);
    trainStep(g, state, [3], 2);
    // The shielded merge only passes h1's neurons on: h1 can still grow (and h2, h3 follow).
    const grown = preserving(g, state, [3], 2, () => new NoutMutation(1, 1).apply({ graph: g, name: "h1" }, ctxOf(1, state)));
    expect(grown.changes).toEqual(["changeNout(h1, +5)"]);
    expect(g.vertex("h3").nin).toEqual([14]);
    const rm = assertOwned([g, state], () => new RemoveEdgeMutation().apply({ graph: g, name: "h1" }, ctxOf(1, state)));
    expect(rm.changes).toEqual(["removeEdge(h1 → cat1)"]);
    expect(g.names()).toEqual(["input", "h1", "h2", "h3", "out"]); // the merge left with one input is gone
    expect(g.vertex("h3").nin).toEqual([4]);
    expect(g.vertex("h2").nin).toEqual([10]);
    expect(stateFits(g, state)).toBe(true);
    trainStep(g, state, [3], 2);
    tf.dispose([xs, before, mid]);
    dispose([g, state]);
  });
});

describe("KernelSizeMutation", () => {
  test("growing 3×3 → 5×5 keeps output shape and function and the state's entries; shrinking back keeps the shape", () => {
    const x = inputVertex("img", [7, 7, 2]);
    const c = vertex("c", new Conv([3, 3], [2, 3], relu, { pad: 1 }), x);
    const g = new CompGraph(x, vertex("out", new Dense([7 * 7 * 3, 2]), vertex("f", flatten, c), { trait: new MutationShield() }));
    const state = setup(new Adam(0.01), g);
    trainStep(g, state, [7, 7, 2], 2);
    const xs = batch(2, [7, 7, 2]);
    const before = g.apply(xs) as tf.Tensor;
    const oldW = (g.layers.c as Conv).weight.arraySync() as number[][][][];
    const grow = new KernelSizeMutation({ deltas: [2] });
    expect(assertNoLeaks(() => grow.apply({ graph: g, name: "c" }, ctxOf(1, state)), 0).changes).toEqual(["kernelSize(c, 3×3 → 5×5)"]);
    const w = g.layers.c as Conv;
    expect(w.weight.shape).toEqual([5, 5, 2, 3]);
    expect(w.pad).toEqual([2, 2, 2, 2]);
    expect((w.weight.arraySync() as number[][][][]).slice(1, 4).map((r) => r.slice(1, 4))).toEqual(oldW);
    const after = g.apply(xs) as tf.Tensor;
    expect(maxDiff(after, before)).toBeLessThan(1e-5);
    expect(stateFits(g, state)).toBe(true);
    trainStep(g, state, [7, 7, 2], 2);
    const shrink = new KernelSizeMutation({ deltas: [-4] });
    expect(assertNoLeaks(() => shrink.apply({ graph: g, name: "c" }, ctxOf(1, state)), 0).changes).toEqual(["kernelSize(c, 5×5 → 1×1)"]);
    expect(checkGraph(g).get("c")).toEqual([1, 7, 7, 3]);
    expect(new KernelSizeMutation({ deltas: [-2] }).apply({ graph: g, name: "c" }, ctxOf(1, state)).changes).toEqual([]); // 1 − 2 < 1
    trainStep(g, state, [7, 7, 2], 2);
    tf.dispose([xs, before, after]);
    dispose([g, state]);
  });
});

describe("rule mutations", () => {
  test("LearningRateMutation: lr + (u − 0.5)·lr·0.3, clamped to [1e-6, 1]", () => {
    const m = new LearningRateMutation();
    for (let s = 0; s < 200; s++) {
      const u = new Rng(s).float();
      const { value, changes } = m.apply(new Adam(0.01), { rng: new Rng(s) });
      expect((value as Adam).eta).toBeCloseTo(0.01 + (u - 0.5) * 0.01 * 0.3, 15);
      expect(changes).toHaveLength(1);
      const top = (m.apply(new Descent(1), { rng: new Rng(s) }).value as Descent).eta as number;
      expect(top).toBeLessThanOrEqual(1);
      expect(top).toBeGreaterThanOrEqual(0.85);
      expect((m.apply(new Descent(1e-6), { rng: new Rng(s) }).value as Descent).eta).toBeGreaterThanOrEqual(1e-6);
    }
  });
  test("OptimiserMutation: another type with the same learning rate, through chains; ShieldedOpt and rules without a learning rate stay", () => {
    const shielded = new ShieldedOpt(new Descent(0.5));
    const decay = new WeightDecay(0.1);
    const rule = new OptimiserChain(decay, new Adam(0.003), shielded);
    const { value, changes } = new OptimiserMutation([Descent, Momentum, Nesterov, Adam]).apply(rule, { rng: new Rng(3) });
    const opts = (value as OptimiserChain).opts;
    expect(opts[0]).toBe(decay);
    expect(opts[2]).toBe(shielded);
    expect(opts[1]).not.toBeInstanceOf(Adam);
    expect((opts[1] as Momentum).eta).toBe(0.003);
    expect(changes).toEqual([`Adam → ${opts[1]!.ruleName}`]);
    // A ShieldedOpt alone: nothing changes, the same object comes back.
    expect(new OptimiserMutation([Momentum]).apply(shielded, { rng: new Rng(1) })).toEqual({ value: shielded, changes: [] });
    expect(new LearningRateMutation().apply(shielded, { rng: new Rng(1) }).value).toBe(shielded);
    expect(refusal(() => new OptimiserMutation([Dense as never])).message).toMatch(/type 0 is not a rule class/);
  });
});

describe("failures change nothing and leak nothing", () => {
  test("an add-merge edge whose sizes cannot align (from the input) is undone; a merge vertex saves and loads", () => {
    const g = mlp(11, [5, 4]);
    const state = setup(new Adam(0.01), g);
    const names = g.names();
    const add = new AddEdgeMutation({ merge: "add" });
    expect(add.targets(g, "input")).toEqual(["h2"]);
    // input (3) into an add with h1 (5): the input cannot grow, so the edge is refused and the merge removed.
    expect(assertNoLeaks(() => add.apply({ graph: g, name: "input" }, ctxOf(1, state)), 0).changes).toEqual([]);
    expect(g.names()).toEqual(names);
    // A concat merge goes through graphCodec (how children are copied) with its traits.
    new AddEdgeMutation().apply({ graph: g, name: "input" }, ctxOf(1, state));
    const copy = graphCodec.decode(graphCodec.encode({ graph: g, state }));
    expect(copy.graph.names()).toEqual(["input", "h1", "cat1", "h2", "out"]);
    expect(String(copy.graph.vertex("cat1").trait)).toBe(String(g.vertex("cat1").trait));
    checkGraph(copy.graph);
    dispose([g, state, copy.graph, copy.state]);
  });
  test("NoutMutation on a convolution before flatten: the Dense after it follows, the function stays", () => {
    const x = inputVertex("img", [4, 4, 1]);
    const c = vertex("c", new Conv([3, 3], [1, 2], relu, { pad: 1 }), x);
    const g = new CompGraph(x, vertex("out", new Dense([32, 2]), vertex("f", flatten, c), { trait: new MutationShield() }));
    const state = setup(new Adam(0.01), g);
    const r = preserving(g, state, [4, 4, 1], 2, () => assertOwned([g, state], () => new NoutMutation(1, 1).apply({ graph: g, name: "c" }, ctxOf(1, state))));
    expect(r.changes).toEqual(["changeNout(c, +2)"]);
    expect(g.vertex("out").nin).toEqual([64]);
    dispose([g, state]);
  });
});
