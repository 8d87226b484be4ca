// Crossover: graphs swap what follows paired cut vertices (children valid, computing exactly the
// spliced functions, parents untouched when no pair fits, state following), optimiser rules swap
// (component-wise in chains, ShieldedOpt kept) and learning rates swap.
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { fleaves } from "@fluxion/functors";
import { Adam, Descent, Leaf, Momentum, Nesterov, OptimiserChain, WeightDecay, setup, updateInPlace } from "@fluxion/optimisers";
import { Dense, Rng, call, dispose, gradient, mse, relu } from "@fluxion/nn";
import {
  CompGraph,
  EvolveCandidates,
  LearningRateCrossover,
  MutationShield,
  OptimiserCrossover,
  ShieldedOpt,
  VertexCrossover,
  checkGraph,
  concatVertex,
  cutVertices,
  followRule,
  inputVertex,
  vertex,
} from "../src/index.js";
import { batch, candidate, disposeAll, evolutionContext, maxDiff, mlp, stateFits, weightsOf } from "./search-helpers.js";

function trainStep(g: CompGraph, state: unknown): void {
  const x = batch(4, [3]);
  const y = batch(4, [2], 3);
  const [gr] = gradient((m: CompGraph) => mse(m.apply(x) as tf.Tensor, y), g);
  updateInPlace(state as never, g, gr);
  tf.dispose([x, y, ...fleaves(gr).filter((t): t is tf.Tensor => t instanceof tf.Tensor)]);
}

/** A seed whose generator's first draw picks cut `i` of `n`. */
const seedPicking = (i: number, n: number): number => [...Array(100).keys()].find((s) => new Rng(s).int(n) === i)!;

describe("VertexCrossover", () => {
  test("cut vertices: every output depends on them and what follows reads nothing before them", () => {
    const g = mlp(1, [8, 6]);
    expect(cutVertices(g, new VertexCrossover())).toEqual(["h1", "h2"]);
    const x = inputVertex("x", 3);
    const a = vertex("a", new Dense([3, 4], relu), x);
    const b = vertex("b", new Dense([4, 4], relu), a);
    const skip = new CompGraph(x, vertex("o", new Dense([8, 2]), concatVertex("c", a, b)));
    expect(cutVertices(skip, new VertexCrossover())).toEqual(["a", "c"]); // b is bypassed by the skip from a
    dispose([g, skip]);
  });

  test("equal sizes at the cut: each child computes the first part of one parent followed by the rest of the other", () => {
    const a = mlp(1, [8, 6]);
    const b = mlp(2, [8, 4, 7]);
    const [sa, sb] = [setup(new Adam(0.01), a), setup(new Momentum(0.01), b)];
    const x = batch(5, [3]);
    const L = (g: CompGraph, n: string) => g.layers[n] as Dense;
    // Cut a at h1 (relative place 1/3): the nearest cut of b is its h1 (1/4), also of size 8.
    const wantA = tf.tidy(() => call(L(b, "out"), call(L(b, "h3"), call(L(b, "h2"), call(L(a, "h1"), x)))) as tf.Tensor);
    const wantB = tf.tidy(() => call(L(a, "out"), call(L(a, "h2"), call(L(b, "h1"), x))) as tf.Tensor);
    const r = assertNoLeaks(() => new VertexCrossover().apply(a, b, { rng: new Rng(seedPicking(0, 2)), states: [sa, sb] }), 0);
    expect(r.values[0]).toBe(a);
    expect(r.changes).toEqual(["crossover after h1 ⇄ h1 (2 and 3 vertices swapped)"]);
    expect(a.names()).toEqual(["input", "h1", "h2", "h3", "out"]);
    expect(b.names()).toEqual(["input", "h1", "h2", "out"]);
    for (const [g, want] of [[a, wantA], [b, wantB]] as const) {
      checkGraph(g);
      const y = g.apply(x) as tf.Tensor;
      expect(y.shape).toEqual([5, 2]);
      expect(maxDiff(y, want)).toBe(0);
      y.dispose();
    }
    // The state moved with the layers; each child's state follows its own rule again.
    expect(stateFits(a, sa)).toBe(true);
    expect(followRule(sa, a, new Adam(0.01))).toEqual(["h2", "h3", "out"]);
    expect(followRule(sb, b, new Momentum(0.01))).toEqual(["h2", "out"]);
    trainStep(a, sa);
    trainStep(b, sb);
    tf.dispose([x, wantA, wantB]);
    dispose([a, b, sa, sb]);
  });

  test("different sizes at the cut: one cut vertex is resized first; names taken are changed", () => {
    const a = mlp(3, [8, 6]);
    const b = mlp(4, [5, 4, 7]);
    const [sa, sb] = [setup(new Adam(0.01), a), setup(new Adam(0.02), b)];
    const r = new VertexCrossover().apply(a, b, { rng: new Rng(seedPicking(1, 2)), states: [sa, sb] });
    // a's h2 (place 2/3) pairs with b's h3 (3/4); a's h2 (6 features) grows to b's h3's 7.
    expect(r.changes).toEqual(["crossover after h2 ⇄ h3 (1 and 1 vertices swapped)"]);
    expect(a.vertex("h2").nout).toBe(7);
    expect(checkGraph(a).get("out")).toEqual([1, 2]);
    expect(checkGraph(b).get("out")).toEqual([1, 2]);
    expect(stateFits(a, sa) && stateFits(b, sb)).toBe(true);
    trainStep(a, sa);
    trainStep(b, sb);
    // Names: a graph whose tail holds a name its head has gets it renamed.
    const c = mlp(5, [4, 4]);
    const d = mlp(6, [4, 4]);
    const x = inputVertex("input", 3);
    const clash = new CompGraph(x, vertex("out", new Dense([4, 2]), vertex("h1", new Dense([4, 4]), vertex("h2", new Dense([3, 4], relu), x)), { trait: new MutationShield() }));
    new VertexCrossover().apply(c, clash, { rng: new Rng(seedPicking(0, 2)) });
    expect(c.names()).toEqual(["input", "h1", "h1_2", "out"]);
    checkGraph(c);
    checkGraph(clash);
    dispose([a, b, sa, sb, c, d, clash]);
  });

  test("no pair fits: both graphs come back unchanged, bit for bit", () => {
    const x = inputVertex("input", 3);
    const linear = new CompGraph(x, vertex("out", new Dense([3, 2]), x)); // no cut vertex
    const a = mlp(7, [8, 6]); // cuts at relative places 1/3 and 2/3
    const far = mlp(8, [5, 4, 7]); // cuts at 1/4, 1/2 and 3/4: none within 0.05 of a's
    const three = mlp(9, [8, 6], 3, 3); // another problem: 3 outputs
    const cases: [CompGraph, CompGraph, VertexCrossover][] = [
      [a, linear, new VertexCrossover()],
      [a, far, new VertexCrossover({ deviation: 0.05 })],
      [a, three, new VertexCrossover()],
    ];
    for (const [p, q, crossover] of cases) {
      const [specP, specQ, layersP, layersQ] = [p.spec, q.spec, p.layers, q.layers];
      const [wp, wq] = [weightsOf(p), weightsOf(q)];
      const r = assertNoLeaks(() => crossover.apply(p, q, { rng: new Rng(1) }), 0);
      expect(r.changes).toEqual([]);
      expect([p.spec, q.spec, p.layers, q.layers]).toEqual([specP, specQ, layersP, layersQ]);
      expect(p.spec).toBe(specP);
      expect(q.layers).toBe(layersQ);
      expect([weightsOf(p), weightsOf(q)]).toEqual([wp, wq]);
    }
    dispose([linear, a, far, three]);
  });

  test("through EvolveCandidates: two children with both parents in their lineage, parents untouched, nothing leaked", () => {
    const pop = [candidate(0, mlp(8, [8, 6]), new Adam(0.01), 1), candidate(1, mlp(9, [8, 4, 7]), new Descent(0.1), 1)];
    const parentNames = pop.map((c) => c.graph.names());
    const evo = new EvolveCandidates({ crossover: { graph: new VertexCrossover(), rule: new OptimiserCrossover() } });
    const kids = assertNoLeaks(() => evo.evolve(pop, evolutionContext(2, 1, 10)));
    expect(kids.map((k) => k.lineage.parents)).toEqual([[0, 1], [1, 0]]);
    expect(kids[0]!.rule).toBeInstanceOf(Descent);
    expect(kids[1]!.rule).toBeInstanceOf(Adam);
    expect(kids[0]!.lineage.operations[0]).toMatch(/^swap rules Adam\(0\.01, .*\) ⇄ Descent\(0\.1\)$/);
    expect(pop.map((c) => c.graph.names())).toEqual(parentNames);
    for (const k of kids) {
      checkGraph(k.graph);
      expect(stateFits(k.graph, k.state)).toBe(true);
      const leaves = fleaves(k.state, { exclude: (x) => x instanceof Leaf }) as any[];
      expect(leaves.every((l) => !("rule" in l) || l.rule === k.rule)).toBe(true);
      trainStep(k.graph, k.state);
    }
    disposeAll([...pop, ...kids]);
  });
});

describe("optimiser crossover", () => {
  test("two rules swap; chains swap component by component (extra components stay); a ShieldedOpt never moves", () => {
    const [a, b] = [new Adam(0.01), new Momentum(0.02)];
    expect(new OptimiserCrossover().apply(a, b, { rng: new Rng(1) }).values).toEqual([b, a]);
    const shielded = new ShieldedOpt(new Descent(0.5));
    const ca = new OptimiserChain(new WeightDecay(0.1), a, shielded);
    const cb = new OptimiserChain(new WeightDecay(0.2), b);
    const { values } = new OptimiserCrossover().apply(ca, cb, { rng: new Rng(1) });
    const [x, y] = values as [OptimiserChain, OptimiserChain];
    expect(x.opts.map(String)).toEqual(["WeightDecay(0.2)", String(b), String(shielded)]);
    expect(y.opts.map(String)).toEqual(["WeightDecay(0.1)", String(a)]);
    expect(x.opts[2]).toBe(shielded);
    expect(new OptimiserCrossover().apply(shielded, a, { rng: new Rng(1) }).values).toEqual([shielded, a]);
    // p = 0: nothing swaps.
    expect(new OptimiserCrossover({ p: 0 }).apply(a, b, { rng: new Rng(1) })).toEqual({ values: [a, b], changes: [] });
  });
  test("learning rates swap, rule types stay; not into a ShieldedOpt", () => {
    const { values, changes } = new LearningRateCrossover().apply(new Adam(0.01), new OptimiserChain(new ShieldedOpt(new Descent(0.5)), new Nesterov(0.2)), { rng: new Rng(1) });
    expect(String(values[0])).toBe(String(new Adam(0.2)));
    expect(String(values[1])).toBe(String(new OptimiserChain(new ShieldedOpt(new Descent(0.5)), new Nesterov(0.01))));
    expect(changes).toEqual(["swap learning rates 0.01 ⇄ 0.2"]);
  });
});
