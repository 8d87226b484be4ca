import { afterAll, describe, expect, jest, test } from "@jest/globals";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { tf } from "@fluxion/backend";
import { liveTensors } from "@fluxion/backend/testing";
import { fleaves } from "@fluxion/functors";
import { defaultRng } from "@fluxion/nn";
import type { EvolutionContext } from "../src/search/interfaces.js";
import { SequentialEvaluator, changeNout, disposeCandidate, loadProblem, populationDigest, runSearch, unloadProblem, type Candidate, type SearchOptions } from "@fluxion/evolve";
import { tinyEvolution, toyInitial, toyProblem } from "./helpers-search.js";

jest.setTimeout(120_000);
const problem = toyProblem({ steps: 4 });
afterAll(() => unloadProblem(problem));

const options = (over: Partial<SearchOptions> = {}): SearchOptions => ({
  generations: 6, populationSize: 5, seed: 2024, initial: toyInitial, evolution: tinyEvolution, evaluator: new SequentialEvaluator(problem), problem, ...over,
});
const tmp = () => mkdtemp(`${tmpdir()}/search-`);
const finish = async (r: { population: Candidate[] }): Promise<string> => {
  const d = populationDigest(r.population);
  r.population.forEach(disposeCandidate);
  return d;
};
/** The tensors a population owns: weights and optimiser state. */
const own = (pop: readonly Candidate[]): number => new Set(pop.flatMap((c) => [...fleaves(c.graph), ...fleaves(c.state)]).filter((t) => t instanceof tf.Tensor)).size;

describe("runSearch", () => {
  let reference = "";

  test("a run: one summary per generation, the lineage of every candidate, the same result with or without checkpoints", async () => {
    await loadProblem(problem);
    const summaries: number[] = [];
    const r = await runSearch(options({ onGeneration: (s) => void summaries.push(s.generation) }));
    expect(summaries).toEqual([0, 1, 2, 3, 4, 5]);
    expect(r.history.map((h) => h.generation)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(r.population.map((c) => c.id).length).toBe(5);
    // Generation g's children get ids 5 + 3(g − 1) …: three children per generation.
    expect(Object.keys(r.lineage).map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(r.lineage[5]!.parents).toHaveLength(1);
    expect(r.lineage[5]!.operations[0]).toMatch(/^changeNout\(h, [+-]1\)$/);
    for (const h of r.history) expect(h.best).toBeGreaterThanOrEqual(h.median);
    expect(r.resumedAt).toBeUndefined();
    reference = await finish(r);
    const dir = await tmp();
    expect(await finish(await runSearch(options({ dir })))).toBe(reference);
    expect((await readdir(dir)).sort()).toEqual(["gen-5", "run.json"]);
    await rm(dir, { recursive: true });
  });

  test("resumed from generation 2 of 6, a run ends with the uninterrupted run's population", async () => {
    const dir = await tmp();
    await finish(await runSearch(options({ dir, generations: 3 })));
    const resumed: number[] = [];
    const seen: number[] = [];
    const r = await runSearch(options({ dir, onResume: (g) => void resumed.push(g), onGeneration: (s) => void seen.push(s.generation) }));
    expect(resumed).toEqual([2]);
    expect(seen).toEqual([3, 4, 5]);
    expect(r.resumedAt).toBe(2);
    expect(r.history.map((h) => h.generation)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await finish(r)).toBe(reference);
    // Finished: a restart only loads the last population.
    const again = await runSearch(options({ dir, onGeneration: () => void seen.push(-1) }));
    expect(seen).not.toContain(-1);
    expect(await finish(again)).toBe(reference);
    await rm(dir, { recursive: true });
  });

  test("an evolution drawing from nn's default generator (hidden state) still resumes exactly", async () => {
    // Not derived from the run's seeds: runSearch reseeds the default generator per generation.
    const sloppy = {
      evolve(pop: readonly Candidate[], ctx: EvolutionContext): Candidate[] {
        const kept = tinyEvolution.evolve(pop, ctx);
        const extra = ctx.child(kept[0]!, ["changeNout(h, random)"]);
        changeNout(extra.graph, "h", 1 + Math.floor(defaultRng().float() * 3), { state: extra.state });
        kept.pop(); // a child made by ctx.child and not returned: runSearch frees it
        return [...kept, extra];
      },
    };
    const whole = await finish(await runSearch(options({ generations: 4, evolution: sloppy })));
    const dir = await tmp();
    await finish(await runSearch(options({ dir, generations: 2, evolution: sloppy })));
    defaultRng().float(); // the process's default generator is elsewhere now
    expect(await finish(await runSearch(options({ dir, generations: 4, evolution: sloppy })))).toBe(whole);
    await rm(dir, { recursive: true });
  });

  test("a directory of another run is refused, naming what differs, and nothing leaks", async () => {
    const dir = await tmp();
    await finish(await runSearch(options({ dir, generations: 1 })));
    const before = liveTensors();
    await expect(runSearch(options({ dir, seed: 7 }))).rejects.toThrow(`runSearch: '${dir}' holds the checkpoint of another run: seed 2024 (this run: 7). Use another directory`);
    await expect(runSearch(options({ dir, populationSize: 4 }))).rejects.toThrow("populationSize 5 (this run: 4)");
    await expect(runSearch(options({ dir, problem: toyProblem({ steps: 5 }) }))).rejects.toThrow(/problem .*steps":4.*this run: .*steps":5/);
    expect(liveTensors()).toBe(before);
    await rm(dir, { recursive: true });
  });

  test("memory is flat over 10 generations: after each, exactly the population's own tensors are alive", async () => {
    await loadProblem(problem); // the problem's data lives for the process
    const base = liveTensors();
    const extra: number[] = [];
    const r = await runSearch(options({ generations: 10, onGeneration: (_s, pop) => void extra.push(liveTensors() - base - own(pop)) }));
    expect(extra).toEqual(Array(10).fill(0));
    r.population.forEach(disposeCandidate);
    expect(liveTensors()).toBe(base);
  });

  test("bad options and a misbehaving evolution are clear errors, without leaks", async () => {
    const before = liveTensors();
    await expect(runSearch(options({ generations: 0 }))).rejects.toThrow("runSearch: generations must be a whole number >= 1, got the number 0");
    await expect(runSearch(options({ evolution: {} as never }))).rejects.toThrow("runSearch: evolution must have evolve(population, ctx)");
    const twice = { evolve: (pop: readonly Candidate[]) => [pop[0]!, pop[0]!] };
    await expect(runSearch(options({ generations: 2, evolution: twice }))).rejects.toThrow("runSearch: evolution.evolve returned the same candidate twice");
    expect(liveTensors()).toBe(before);
  });
});
