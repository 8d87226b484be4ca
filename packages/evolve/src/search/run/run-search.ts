// The generation loop (NaiveGAflux's `evolve` over a Population with `persist` as callback):
// evaluate → checkpoint → report → evolve, with exact resume from the last complete generation.
import type { Rule } from "@fluxion/optimisers";
import { dispose, seedRandom, type Rng } from "@fluxion/nn";
import { describe } from "@fluxion/functors";
import type { CompGraph } from "../../graph/comp-graph.js";
import { disposeCandidate, makeCandidate } from "../candidate.js";
import type { Candidate, Evaluator, Evolution, ProblemRef } from "../interfaces.js";
import { mixSeed, seedsFor } from "../seeds.js";
import { checkProblemRef, problemKey } from "../evaluators/load-problem.js";
import { checkIdentity, ensureDir, readCheckpoint, writeCheckpoint, type RunIdentity } from "./checkpoint.js";
import { evolutionContext } from "./evolution-context.js";
import { recordLineage, summarise, type GenerationSummary, type LineageRecord } from "./summary.js";

/** Options of `runSearch`. */
export interface SearchOptions {
  /** The checkpoint directory: saved after every generation, resumed from if it holds this run. Default: no checkpoints. */
  dir?: string;
  /** Generations in all (0 … generations − 1); a resumed run continues up to this. */
  generations: number;
  /** The size of the initial population. */
  populationSize: number;
  /** The run seed every generator derives from. */
  seed: number;
  /** Candidate `i` of the initial population, drawing from `rng` = seeds(0, i, "initial"). */
  initial: (i: number, rng: Rng) => { graph: CompGraph; rule: Rule };
  evolution: Evolution;
  evaluator: Evaluator;
  /** The problem the evaluator evaluates (part of the run's identity). */
  problem: ProblemRef;
  /** The run's name in evaluation tasks. Default from the seed and the problem. */
  run?: string;
  /** Called after each generation is evaluated and saved, with its summary and population (not to be kept). */
  onGeneration?(summary: GenerationSummary, population: readonly Candidate[]): void | Promise<void>;
  /** Called once when the run resumes from a checkpoint, with the generation it resumes after. */
  onResume?(generation: number): void | Promise<void>;
}

/** What `runSearch` returns: the last generation, evaluated (the caller owns it), and the run's history. */
export interface SearchResult {
  readonly population: Candidate[];
  readonly history: GenerationSummary[];
  /** Every candidate evaluated in the run, by id. */
  readonly lineage: Record<string, LineageRecord>;
  /** The generation the run resumed after, if it did. */
  readonly resumedAt?: number;
}

function checkWhole(name: string, x: unknown, min: number): void {
  if (!Number.isSafeInteger(x) || (x as number) < min) throw new Error(`runSearch: ${name} must be a whole number >= ${min}, got ${describe(x)}`);
}

function checkOptions(o: SearchOptions): void {
  checkWhole("generations", o?.generations, 1);
  checkWhole("populationSize", o.populationSize, 1);
  checkWhole("seed", o.seed, 0);
  if (typeof o.initial !== "function") throw new Error("runSearch: initial must be a function (i, rng) => { graph, rule }");
  if (typeof o.evolution?.evolve !== "function") throw new Error("runSearch: evolution must have evolve(population, ctx)");
  if (typeof o.evaluator?.evaluate !== "function") throw new Error("runSearch: evaluator must have evaluate(candidates, ctx)");
  checkProblemRef("runSearch", o.problem);
  if (o.dir !== undefined && (typeof o.dir !== "string" || o.dir === "")) throw new Error(`runSearch: dir must be a non-empty string, got ${describe(o.dir)}`);
}

/** The next population from `evolution`, freeing every candidate (old or new) it does not keep. */
function nextGeneration(o: SearchOptions, population: Candidate[], generation: number, firstId: number): { population: Candidate[]; nextId: number } {
  const seeds = seedsFor(o.seed);
  const made = evolutionContext(generation, seeds, firstId);
  // Code that draws from nn's default generator (a layer built without an rng) draws the same numbers on resume.
  seedRandom(mixSeed(o.seed, generation, "evolve", "default-rng"));
  let next: Candidate[];
  try {
    next = o.evolution.evolve(population, made.ctx);
    if (!Array.isArray(next) || next.length === 0) throw new Error(`runSearch: evolution.evolve returned ${describe(next)}, expected a non-empty array of candidates`);
    // Members may come back as new objects (e.g. `{ ...child, rule }` after a rule mutation): what
    // identifies a candidate is its id, and what it owns is its graph and state.
    const ids = next.map((c) => c?.id);
    if (new Set(ids).size !== ids.length) throw new Error("runSearch: evolution.evolve returned the same candidate twice; make copies with ctx.child");
    const known = new Set([...population, ...made.made].map((c) => c.id));
    const foreign = next.find((c) => !known.has(c?.id));
    if (foreign !== undefined) throw new Error(`runSearch: evolution.evolve returned candidate ${describe(foreign?.id)}, neither a member nor made by ctx.child`);
  } catch (err) {
    made.made.forEach(disposeCandidate);
    throw err;
  }
  // Free what no kept candidate holds: the graphs and states of dropped ones, and states replaced.
  const keptGraphs = new Set(next.map((c) => c.graph));
  const keptStates = new Set(next.map((c) => c.state));
  for (const c of [...population, ...made.made]) {
    if (!keptGraphs.has(c.graph)) dispose(c.graph);
    if (!keptStates.has(c.state)) dispose(c.state);
  }
  return { population: next, nextId: made.nextId() };
}

/**
 * Runs an evolutionary architecture search: generation 0 is `initial(i, rng)` for i < populationSize;
 * each generation is evaluated, saved to `dir` (its candidates into a fresh `gen-<N>/`, then
 * `run.json` replaced atomically: a kill at any moment leaves the previous or the new one), reported,
 * then `evolution` makes the next one (dropped candidates are freed). Restarted with the same
 * `dir`, a run resumes after its last complete generation and ends with exactly the population
 * an uninterrupted run ends with: every generator derives from (seed, generation, id, purpose) and
 * ids from the saved counter. A `dir` holding another run (seed, population size or problem) is refused.
 */
export async function runSearch(options: SearchOptions): Promise<SearchResult> {
  checkOptions(options);
  const o = options;
  const identity: RunIdentity = { seed: o.seed, populationSize: o.populationSize, problem: problemKey(o.problem) };
  const run = o.run ?? `run-${o.seed}-${mixSeed(identity.problem).toString(16)}`;
  const seeds = seedsFor(o.seed);
  let history: GenerationSummary[] = [];
  let lineage: Record<string, LineageRecord> = {};
  let population: Candidate[];
  let generation: number;
  let nextId: number;
  let resumedAt: number | undefined;

  const saved = o.dir === undefined ? null : await readCheckpoint(o.dir);
  if (saved !== null) {
    try {
      checkIdentity(o.dir!, saved.state, identity);
    } catch (err) {
      saved.population.forEach(disposeCandidate);
      throw err;
    }
    ({ generation, nextId } = saved.state);
    history = [...saved.state.history];
    lineage = { ...saved.state.lineage };
    population = saved.population;
    resumedAt = generation;
  } else {
    if (o.dir !== undefined) await ensureDir(o.dir);
    seedRandom(mixSeed(o.seed, 0, "initial", "default-rng"));
    population = [];
    try {
      for (let i = 0; i < o.populationSize; i++) {
        const { graph, rule } = o.initial(i, seeds(0, i, "initial"));
        population.push(makeCandidate({ id: i, generation: 0, graph, rule }));
      }
    } catch (err) {
      population.forEach(disposeCandidate);
      throw err;
    }
    generation = -1; // nothing evaluated yet
    nextId = o.populationSize;
  }

  try {
    if (resumedAt !== undefined) await o.onResume?.(resumedAt);
    for (;;) {
      if (generation >= 0) {
        if (generation + 1 >= o.generations) break;
        ({ population, nextId } = nextGeneration(o, population, generation + 1, nextId));
      }
      generation += 1;
      population = await o.evaluator.evaluate(population, { run, seed: o.seed, generation });
      const summary = summarise(generation, population);
      history.push(summary);
      recordLineage(lineage, population);
      if (o.dir !== undefined) await writeCheckpoint(o.dir, { ...identity, generation, nextId, history, lineage }, population);
      await o.onGeneration?.(summary, population);
    }
  } catch (err) {
    population.forEach(disposeCandidate);
    throw err;
  }
  return { population, history, lineage, ...(resumedAt === undefined ? {} : { resumedAt }) };
}
