// All the operators together over many generations (no training: fitness is a seeded number):
// every child passes checkGraph, its state fits and trains, the shielded output keeps its size,
// and the live tensor count is exactly what the population holds.
import { expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { countTensors, liveTensors } from "@fluxion/backend/testing";
import { fleaves } from "@fluxion/functors";
import { Adam, Descent, Momentum, updateInPlace } from "@fluxion/optimisers";
import { Rng, gradient, identity, mse, relu, tanh } from "@fluxion/nn";
import {
  ActivationFunctionMutation,
  AddEdgeMutation,
  AddVertexMutation,
  ChainSpace,
  CombinedEvolution,
  ConvSpace,
  DenseSpace,
  EliteSelection,
  EvolveCandidates,
  KernelSizeMutation,
  LayerBlock,
  LearningRateMutation,
  MutationChain,
  MutationProbability,
  NoutMutation,
  OptimiserCrossover,
  OptimiserMutation,
  RemoveEdgeMutation,
  RemoveVertexMutation,
  RepeatSpace,
  TournamentSelection,
  VertexCrossover,
  VertexMutation,
  checkGraph,
  initialGraph,
  insertionPoints,
  type ArchSpace,
  type CompGraph,
} from "../src/index.js";
import type { Candidate } from "../src/search/interfaces.js";
import { candidate, disposeAll, evolutionContext } from "./search-helpers.js";

const p = <T>(m: any, q: number) => new MutationProbability<T>(m, q);

test.each([
  ["Dense", [6], new ChainSpace(new RepeatSpace(new LayerBlock(new DenseSpace({ sizes: [3, 5, 8], activations: [relu, tanh, identity] })), 0, 2))],
  ["Conv", [5, 5, 1], new RepeatSpace(new LayerBlock(new ConvSpace({ channels: [2, 3], kernels: [1, 3], activations: [relu], pool: 0.3 })), 1, 2)],
] as [string, number[], ArchSpace][])("%s: 10 generations of every operator keep every graph valid and memory exact", (_kind, shape, space) => {
  const layers = _kind === "Dense" ? new DenseSpace({ sizes: [4], activations: [relu, identity] }) : new ConvSpace({ channels: [3], kernels: [3], activations: [relu] });
  const graphMutation = new MutationChain<CompGraph>(
    new VertexMutation(p(new NoutMutation(-0.4, 0.4), 0.4)),
    new VertexMutation(p(new AddVertexMutation(layers), 0.2), insertionPoints),
    new VertexMutation(p(new RemoveVertexMutation(), 0.15)),
    new VertexMutation(p(new AddEdgeMutation(), 0.15)),
    new VertexMutation(p(new RemoveEdgeMutation(), 0.15)),
    new VertexMutation(p(new ActivationFunctionMutation(relu, tanh, identity), 0.1)),
    new VertexMutation(p(new KernelSizeMutation(), 0.2)),
  );
  const ruleMutation = new MutationChain(new LearningRateMutation(), p(new OptimiserMutation([Descent, Momentum, Adam]), 0.2));
  const evolution = new CombinedEvolution(
    new EliteSelection(2),
    new TournamentSelection(6, 2, 0.9, { evolve: new EvolveCandidates({ graph: graphMutation, rule: ruleMutation, crossover: { graph: new VertexCrossover(), rule: new OptimiserCrossover(), p: 0.5 } }) }),
  );
  const x = tf.tensor(new Rng(1).normals(3 * shape.reduce((a: number, b: number) => a * b, 1)), [3, ...shape]);
  const y = tf.tensor(new Rng(2).normals(6), [3, 2]);
  let pop: Candidate[] = Array.from({ length: 8 }, (_, i) => candidate(i, initialGraph(space, shape, 2, new Rng(i)), new Adam(0.01)));
  let nextId = 8;
  const baseline = liveTensors() - countTensors(pop.map((c) => [c.graph, c.state]));
  const kinds = new Set<string>();
  for (let gen = 1; gen <= 10; gen++) {
    const fitRng = new Rng(100 + gen);
    pop = pop.map((c) => ({ ...c, fitness: fitRng.float() }));
    const ctx = evolutionContext(5, gen, nextId);
    const next = evolution.evolve(pop, ctx);
    nextId += ctx.made.length;
    expect(next).toHaveLength(8);
    disposeAll(pop.filter((c) => !next.includes(c)));
    pop = next;
    for (const c of pop) {
      const shapes = checkGraph(c.graph);
      expect(shapes.get(c.graph.spec.outputs[0]!)).toEqual([1, 2]);
      const [gr] = gradient((m: CompGraph) => mse(m.apply(x) as tf.Tensor, y), c.graph);
      updateInPlace(c.state as never, c.graph, gr);
      tf.dispose(fleaves(gr).filter((t): t is tf.Tensor => t instanceof tf.Tensor));
      if (c.generation === gen) for (const o of c.lineage.operations) kinds.add(o.replace(/[ (].*/, ""));
    }
    expect(liveTensors() - countTensors(pop.map((c) => [c.graph, c.state]))).toBe(baseline);
  }
  // Every operator took part.
  const graphOps = ["addEdge", "changeNout", "crossover", "insertAfter", "removeEdge", "removeVertex", "setActivation", ...(_kind === "Conv" ? ["kernelSize"] : [])];
  expect([...kinds].filter((k) => graphOps.includes(k)).sort()).toEqual(graphOps.sort());
  expect(kinds.has("swap") && kinds.has("Adam")).toBe(true);
  tf.dispose([x, y]);
  disposeAll(pop);
});
