// Selection and evolution strategies: elite exact, tournament win frequencies against
// p(1−p)^rank, stochastic universal sampling's ⌊·⌋/⌈·⌉ counts and mean, combination sizes,
// children made through ctx.child with the optimiser state following the rule.
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks, refusal } from "@fluxion/backend/testing";
import { fleaves } from "@fluxion/functors";
import { Adam, Leaf, Momentum, updateInPlace } from "@fluxion/optimisers";
import { Rng, gradient, mse } from "@fluxion/nn";
import {
  CombinedEvolution,
  EliteSelection,
  EvolveCandidates,
  LearningRateMutation,
  MutationProbability,
  NoutMutation,
  OptimiserMutation,
  SusSelection,
  TournamentSelection,
  VertexMutation,
  type CompGraph,
} from "../src/index.js";
import type { Candidate } from "../src/search/interfaces.js";
import { bare, batch, candidate, disposeAll, evolutionContext, mlp, expectBinomial, stateFits } from "./search-helpers.js";

describe("EliteSelection", () => {
  test("the n fittest, the same objects, ties by lower id", () => {
    const pop = bare([0.5, 0.9, 0.9, 0.1, 0.7]);
    const out = new EliteSelection(3).evolve(pop, evolutionContext(1, 1, 100));
    expect(out.map((c) => c.id)).toEqual([1, 2, 4]);
    expect(out[0]).toBe(pop[1]);
    expect(new EliteSelection(9).evolve(pop, evolutionContext(1, 1, 100))).toHaveLength(5);
  });
  test("an unevaluated candidate is refused by name", () => {
    const pop = [...bare([0.5]), { ...bare([0])[0]!, id: 7, fitness: undefined }];
    expect(refusal(() => new EliteSelection(1).evolve(pop, evolutionContext(1, 1, 100))).message).toMatch(/candidate 7 has no fitness/);
  });
});

describe("TournamentSelection", () => {
  test("rank i wins with probability p(1−p)^i, the last with (1−p)^(k−1)", () => {
    // Fitness ranks: id 1 (0.4), id 2 (0.3), id 3 (0.2), id 0 (0.1); every tournament holds all four.
    const pop = bare([0.1, 0.4, 0.3, 0.2]);
    const p = 0.4;
    const n = 20000;
    const winners = new TournamentSelection(n, 4, p).select(pop, new Rng(11));
    const byRank = [1, 2, 3, 0].map((id) => winners.filter((c) => c.id === id).length);
    const want = [p, p * (1 - p), p * (1 - p) ** 2, (1 - p) ** 3];
    byRank.forEach((count, i) => expectBinomial(count, n, want[i]!));
    expect(byRank.reduce((a, b) => a + b, 0)).toBe(n);
  });
  test("p = 1: every tournament is won by its fittest entrant; each candidate enters about equally often", () => {
    // k = 2 over 4 candidates: the tournaments are the pairs of shuffled copies of the population.
    const pop = bare([0.1, 0.4, 0.3, 0.2]);
    const n = 4000;
    const winners = new TournamentSelection(n, 2, 1).select(pop, new Rng(5));
    // With entrants drawn as consecutive pairs of permutations, the weakest (id 0) never wins
    // and the fittest (id 1) wins every tournament it enters: exactly half of them.
    expect(winners.some((c) => c.id === 0)).toBe(false);
    expect(winners.filter((c) => c.id === 1)).toHaveLength(n / 2);
  });
});

describe("SusSelection", () => {
  const f = [1, 2, 3, 4, 0];
  const total = f.reduce((a, b) => a + b, 0);
  const n = 7;
  test("candidate i is picked ⌊n·fᵢ/Σf⌋ or ⌈n·fᵢ/Σf⌉ times, n·fᵢ/Σf on average", () => {
    const pop = bare(f);
    const draws = 2000;
    const sums = f.map(() => 0);
    for (let s = 0; s < draws; s++) {
      const picked = new SusSelection(n).select(pop, new Rng(s));
      expect(picked).toHaveLength(n);
      f.forEach((fi, i) => {
        const count = picked.filter((c) => c.id === i).length;
        const want = (n * fi) / total;
        expect(count === Math.floor(want) || count === Math.ceil(want)).toBe(true);
        sums[i] += count;
      });
    }
    // Each count takes two neighbouring values: its variance is at most 1/4.
    f.forEach((fi, i) => expect(Math.abs(sums[i]! / draws - (n * fi) / total)).toBeLessThanOrEqual(4.5 * Math.sqrt(0.25 / draws)));
  });
  test("negative or non-finite fitness is refused, naming the candidate", () => {
    expect(refusal(() => new SusSelection(2).select(bare([0.5, -0.1]), new Rng(1))).message).toMatch(/candidate 1 has -0.1/);
    expect(refusal(() => new SusSelection(2).select(bare([0.5, Infinity]), new Rng(1))).message).toMatch(/finite and ≥ 0/);
  });
  test("a failed candidate weighs 0; all zero: uniform", () => {
    const pop = bare([0, 0, 0]).map((c, i) => (i === 1 ? { ...c, fitness: -Infinity, error: "NaN loss" } : c));
    const counts = [0, 0, 0];
    for (let s = 0; s < 300; s++) for (const c of new SusSelection(3).select(pop, new Rng(s))) counts[c.id]! += 1;
    expect(counts[1]).toBe(0);
    expect(counts[0]! + counts[2]!).toBe(900);
  });
});

describe("CombinedEvolution with EvolveCandidates", () => {
  const population = () => [0.2, 0.9, 0.5, 0.7].map((f, i) => candidate(i, mlp(i + 1), new Adam(0.01), f));

  test("elites 2 + tournament 6 = 8: elites kept as they are, children new with ids, lineage and mutated graphs", () => {
    const pop = population();
    const mutate = new VertexMutation(new MutationProbability(new NoutMutation(-0.5, 0.5), 1));
    const evo = new CombinedEvolution(new EliteSelection(2), new TournamentSelection(6, 2, 1, { evolve: new EvolveCandidates({ graph: mutate }) }));
    const ctx = evolutionContext(3, 1, 10);
    let out: Candidate[] = [];
    const kids = assertNoLeaks(() => (out = evo.evolve(pop, ctx)).slice(2)); // new tensors: the children's only
    expect(out).toHaveLength(8);
    expect(out.slice(0, 2)).toEqual([pop[1], pop[3]]);
    expect(out[0]).toBe(pop[1]);
    expect(kids.map((c) => c.id)).toEqual([10, 11, 12, 13, 14, 15]);
    for (const k of kids) {
      expect(k.fitness).toBeUndefined();
      expect(k.lineage.parents).toHaveLength(1);
      expect(k.lineage.operations.some((o) => o.startsWith("changeNout("))).toBe(true);
      expect(stateFits(k.graph, k.state)).toBe(true);
      expect((k.graph.layers.out as any).weight.shape[1]).toBe(2); // the shielded output keeps its size
    }
    // The parents are untouched.
    expect(pop.map((c) => (c.graph.layers.h1 as any).weight.shape[1])).toEqual([8, 8, 8, 8]);
    disposeAll([...pop, ...kids]);
  });

  test("the same seed gives the same children, draw for draw", () => {
    const run = () => {
      const pop = population();
      const evo = new TournamentSelection(4, 2, 0.8, { evolve: new EvolveCandidates({ graph: new VertexMutation(new NoutMutation(-0.5, 0.5)), rule: new LearningRateMutation() }) });
      const kids = evo.evolve(pop, evolutionContext(9, 2, 20));
      const summary = kids.map((k) => ({ parents: k.lineage.parents, ops: k.lineage.operations, eta: (k.rule as Adam).eta, w: Array.from((k.graph.layers.h2 as any).weight.dataSync() as Float32Array) }));
      disposeAll([...pop, ...kids]);
      return summary;
    };
    const a = run();
    expect(run()).toEqual(a);
    expect(a.some((k) => k.ops.length > 0)).toBe(true);
  });

  test("a learning-rate mutation keeps Adam's moments; a rule-type mutation makes the state anew", () => {
    const parent = candidate(0, mlp(2), new Adam(0.01), 1);
    const x = batch(5, [3]);
    const y = batch(5, [2], 8);
    const train = (g: CompGraph, st: unknown) => {
      const [gr] = gradient((m: CompGraph) => mse(m.apply(x) as tf.Tensor, y), g);
      updateInPlace(st as never, g, gr);
      tf.dispose(fleaves(gr).filter((t): t is tf.Tensor => t instanceof tf.Tensor));
    };
    for (let i = 0; i < 3; i++) train(parent.graph, parent.state);
    const moments = (st: unknown) => (fleaves((st as any).layers.h1.weight.state).filter((t) => t instanceof tf.Tensor) as tf.Tensor[]).map((t) => Array.from(t.dataSync()));
    const before = moments(parent.state);

    const [lr] = assertNoLeaks(() => new EvolveCandidates({ rule: new LearningRateMutation() }).evolve([parent], evolutionContext(1, 1, 1)), undefined);
    const leaf = (lr!.state as any).layers.h1.weight as Leaf;
    expect(leaf.rule).toBe(lr!.rule);
    expect((lr!.rule as Adam).eta).not.toBe(0.01);
    expect(moments(lr!.state)).toEqual(before);
    expect(leaf.step).toBe(3);
    train(lr!.graph, lr!.state);

    const [typed] = assertNoLeaks(() => new EvolveCandidates({ rule: new OptimiserMutation([Momentum]) }).evolve([parent], evolutionContext(1, 1, 2)), undefined);
    expect(typed!.rule).toBeInstanceOf(Momentum);
    expect((typed!.rule as Momentum).eta).toBe(0.01);
    const fresh = (typed!.state as any).layers.h1.weight as Leaf;
    expect(fresh.rule).toBe(typed!.rule);
    expect(fresh.step).toBe(0);
    expect(moments(typed!.state).flat().every((v) => v === 0)).toBe(true);
    expect(typed!.lineage.operations).toEqual(["Adam → Momentum", "new optimiser state for h1, h2, out"]);
    train(typed!.graph, typed!.state);
    tf.dispose([x, y]);
    disposeAll([parent, lr!, typed!]);
  });
});

describe("determinism and failures", () => {
  test("a child's draws depend on its id, not on the other children made with it", () => {
    const pop = [candidate(0, mlp(1), new Adam(0.01), 1), candidate(1, mlp(2), new Adam(0.02), 1)];
    const evo = new EvolveCandidates({ graph: new VertexMutation(new NoutMutation(-0.5, 0.5)), rule: new LearningRateMutation() });
    const both = evo.evolve(pop, evolutionContext(4, 3, 10));
    const alone = evo.evolve([pop[1]!], evolutionContext(4, 3, 11));
    expect(alone[0]!.id).toBe(both[1]!.id);
    expect(alone[0]!.lineage).toEqual(both[1]!.lineage);
    expect(String(alone[0]!.rule)).toBe(String(both[1]!.rule));
    disposeAll([...pop, ...both, ...alone]);
  });
  test("a mutation that throws: the children made so far are freed, the parents untouched", () => {
    const pop = [candidate(0, mlp(1), new Adam(0.01), 1), candidate(1, mlp(2), new Adam(0.01), 1)];
    let calls = 0;
    const boom = { kind: "mutation" as const, apply: (g: CompGraph) => (++calls === 2 ? (() => { throw new Error("boom"); })() : { value: g, changes: [] }) };
    const err = refusal(() => new EvolveCandidates({ graph: boom }).evolve(pop, evolutionContext(1, 1, 10)));
    expect(err.message).toBe("boom");
    expect(pop.map((c) => c.graph.names())).toEqual([["input", "h1", "h2", "out"], ["input", "h1", "h2", "out"]]);
    disposeAll(pop);
  });
});
