// Shared pieces of the search engine's tests: the toy problem's reference and a small population.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Adam } from "@fluxion/optimisers";
import { Dense, Rng, glorotUniform, relu, tanh } from "@fluxion/nn";
import { CompGraph, changeNout, inputVertex, makeCandidate, vertex, type Candidate, type ProblemRef } from "@fluxion/evolve";
import type { Evolution } from "../src/search/interfaces.js";

/** This directory (under jest and under node with the TypeScript loader). */
const here = typeof __dirname === "string" ? __dirname : dirname(fileURLToPath(import.meta.url));

/** The toy problem module (test/fixtures/toy-problem.ts), with options. */
export const toyProblem = (options: object = {}): ProblemRef => ({ module: resolve(here, "fixtures/toy-problem.ts"), options });

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

/** Initial candidates of the loop tests: 2-h-2 MLPs (h from 2 to 4) drawn from the candidate's rng. */
export const toyInitial = (_i: number, rng: Rng): { graph: CompGraph; rule: Adam } => ({ graph: toyGraph(rng, 2 + rng.int(3)), rule: new Adam(0.05) });

/**
 * A tiny evolution for the engine's tests (the real operators are elsewhere): keep the best 2
 * (ties by id), fill up with children of them, each with the hidden layer grown or shrunk by one.
 */
export const tinyEvolution: Evolution = {
  evolve(population, ctx) {
    const ranked = [...population].sort((a, b) => b.fitness! - a.fitness! || a.id - b.id);
    const elites = ranked.slice(0, 2);
    const children: Candidate[] = [];
    for (let k = 0; elites.length + children.length < population.length; k++) {
      const parent = elites[k % elites.length]!;
      const rng = ctx.seeds(ctx.generation, parent.id, `child ${k}`);
      const nout = parent.graph.vertex("h").nout;
      const delta = nout > 1 && rng.float() < 0.5 ? -1 : 1;
      const child = ctx.child(parent, [`changeNout(h, ${delta > 0 ? "+" : ""}${delta})`]);
      changeNout(child.graph, "h", delta, { state: child.state });
      children.push(child);
    }
    return [...elites, ...children];
  },
};
