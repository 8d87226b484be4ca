// Shared pieces of the search engine's tests: the toy problem's reference and a small population.
import { resolve } from "node:path";
import { Adam } from "@fluxion/optimisers";
import { Dense, Rng, glorotUniform, relu, tanh } from "@fluxion/nn";
import { CompGraph, inputVertex, makeCandidate, vertex, type Candidate, type ProblemRef } from "@fluxion/evolve";

/** The toy problem module (test/fixtures/toy-problem.ts), with options. */
export const toyProblem = (options: object = {}): ProblemRef => ({ module: resolve(__dirname, "fixtures/toy-problem.ts"), options });

/** A 2-h-2 MLP with weights from `rng` (h hidden neurons). */
export function toyGraph(rng: Rng, h = 3): CompGraph {
  const x = inputVertex("x", 2);
  const hidden = vertex("h", new Dense([2, h], rng.float() < 0.5 ? relu : tanh, { init: glorotUniform({ rng }) }), x);
  return new CompGraph(x, vertex("out", new Dense([h, 2], undefined, { init: glorotUniform({ rng }) }), hidden));
}

/** `n` fresh candidates, ids 0..n-1, with Adam(0.05). */
export function toyPopulation(n: number, seed = 1): Candidate[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, id) => makeCandidate({ id, generation: 0, graph: toyGraph(rng, 2 + id), rule: new Adam(0.05) }));
}
