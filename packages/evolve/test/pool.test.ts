import { afterAll, describe, expect, jest, test } from "@jest/globals";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import { liveTensors } from "@fluxion/backend/testing";
import { trainables } from "@fluxion/optimisers";
import { PoolEvaluator, SequentialEvaluator, WORST_FITNESS, disposeCandidate, loadProblem, populationDigest, runSearch, unloadProblem } from "@fluxion/evolve";
import { tinyEvolution, toyInitial, toyPopulation, toyProblem } from "./helpers-search.js";

jest.setTimeout(120_000);
// The workers run the TypeScript sources, as jest does.
const execArgv = ["--import", resolve(__dirname, "support/register-ts.mjs")];
const ctx = { run: "pool-test", seed: 11, generation: 1 };
const ref = toyProblem();
afterAll(() => unloadProblem(ref));

describe("PoolEvaluator", () => {
  test("2 workers give bit for bit the sequential evaluator's population (same digest)", async () => {
    await loadProblem(ref);
    const before = liveTensors();
    const seq = await new SequentialEvaluator(ref).evaluate(toyPopulation(5), ctx);
    const pool = new PoolEvaluator(ref, { workers: 2, execArgv });
    const par = await pool.evaluate(toyPopulation(5), ctx);
    expect(par.map((c) => c.id)).toEqual([0, 1, 2, 3, 4]);
    expect(par.map((c) => c.fitness)).toEqual(seq.map((c) => c.fitness));
    expect(par.every((c) => c.error === undefined && c.fitness! > WORST_FITNESS)).toBe(true);
    expect(populationDigest(par)).toBe(populationDigest(seq));
    // A second generation on the same pool (problem cached in the workers) still agrees.
    const seq2 = await new SequentialEvaluator(ref).evaluate(seq, { ...ctx, generation: 2 });
    const par2 = await pool.evaluate(par, { ...ctx, generation: 2 });
    expect(populationDigest(par2)).toBe(populationDigest(seq2));
    await pool.close();
    [...seq2, ...par2].forEach(disposeCandidate);
    expect(liveTensors()).toBe(before);
    await expect(pool.evaluate([], ctx)).rejects.toThrow("PoolEvaluator: evaluate after close()");
  });

  test("a worker that exits once: its candidate is retried and the result is the sequential one", async () => {
    const dir = await mkdtemp(`${tmpdir()}/pool-`);
    const marker = `${dir}/crash-once`;
    await writeFile(marker, "");
    const crashing = toyProblem({ crash: { id: 2, mode: "exit", marker } });
    const pool = new PoolEvaluator(crashing, { workers: 2, execArgv });
    const par = await pool.evaluate(toyPopulation(4), ctx);
    await pool.close();
    const seq = await new SequentialEvaluator(ref).evaluate(toyPopulation(4), ctx);
    expect(par.every((c) => c.error === undefined)).toBe(true);
    expect(populationDigest(par)).toBe(populationDigest(seq));
    [...par, ...seq].forEach(disposeCandidate);
    await rm(dir, { recursive: true });
  });

  test("a worker that always exits or throws: bounded retries, then the candidate is failed with the error, untrained", async () => {
    for (const mode of ["exit", "throw"] as const) {
      const pool = new PoolEvaluator(toyProblem({ crash: { id: 1, mode } }), { workers: 2, attempts: 2, execArgv });
      const pop = toyPopulation(3);
      const w0 = Array.from(trainables(pop[1]!.graph)[0]!.dataSync());
      const out = await pool.evaluate(pop, ctx);
      await pool.close();
      expect(out[1]!.fitness).toBe(WORST_FITNESS);
      // A throw inside the problem is the candidate's own failure (no retry needed); an exit ends the thread.
      expect(out[1]!.error).toMatch(mode === "exit" ? /^evaluation failed 2 times: .*exited/ : /planted failure for candidate 1/);
      expect(Array.from(trainables(out[1]!.graph)[0]!.dataSync())).toEqual(w0);
      expect(out[0]!.error).toBeUndefined();
      expect(out[2]!.fitness).toBeGreaterThan(WORST_FITNESS);
      out.forEach(disposeCandidate);
    }
  });

  test("a worker that never returns: aborted after timeoutSeconds, retried, then failed; the others are unaffected", async () => {
    const pool = new PoolEvaluator(toyProblem({ crash: { id: 0, mode: "hang" } }), { workers: 2, attempts: 2, timeoutSeconds: 2, execArgv });
    const out = await pool.evaluate(toyPopulation(3), ctx);
    await pool.close();
    expect(out[0]!.fitness).toBe(WORST_FITNESS);
    expect(out[0]!.error).toBe("evaluation failed 2 times: no result within timeoutSeconds = 2");
    expect(out.slice(1).every((c) => c.error === undefined && c.fitness! > WORST_FITNESS)).toBe(true);
    out.forEach(disposeCandidate);
  });

  test("a search run on the pool ends with the sequential run's population", async () => {
    const run = async (evaluator: SequentialEvaluator | PoolEvaluator): Promise<string> => {
      const r = await runSearch({ generations: 3, populationSize: 4, seed: 5, initial: toyInitial, evolution: tinyEvolution, evaluator, problem: ref });
      await evaluator.close();
      const d = populationDigest(r.population);
      r.population.forEach(disposeCandidate);
      return d;
    };
    expect(await run(new PoolEvaluator(ref, { workers: 2, execArgv }))).toBe(await run(new SequentialEvaluator(ref)));
  });

  test("bad options are refused", () => {
    expect(() => new PoolEvaluator(ref, { workers: 0 })).toThrow("PoolEvaluator: workers must be a whole number >= 1, got the number 0");
    expect(() => new PoolEvaluator(ref, { timeoutSeconds: 0 })).toThrow("PoolEvaluator: timeoutSeconds must be a number > 0, got the number 0");
    expect(() => new PoolEvaluator({ module: 3 } as never)).toThrow("PoolEvaluator: problem must be { module");
  });
});
