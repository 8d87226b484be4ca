// The queue evaluator against a real redis-server and real worker processes: the same population
// as the sequential evaluator, two runs on one queue, failures and time limits.
import { afterAll, beforeAll, describe, expect, jest, test } from "@jest/globals";
import { resolve } from "node:path";
import { liveTensors } from "@fluxion/backend/testing";
import { SequentialEvaluator, WORST_FITNESS, disposeCandidate, loadProblem, populationDigest, unloadProblem, type Candidate, type ProblemRef } from "@fluxion/evolve";
import { createQueueEvaluator, type QueueEvaluator } from "@fluxion/evolve/queue";
import { toyPopulation } from "./helpers-search.js";
import { redisMissing, startRedis, type RedisServer } from "./helpers/redis-server.js";
import { killWorkers, spawnWorker, type WorkerProcess } from "./helpers/redis-workers.js";
import type { RedisProblemOptions } from "./helpers/redis-problem.js";

jest.setTimeout(60_000);
const missing = redisMissing();
if (missing) console.warn(missing);
const describeRedis = missing ? describe.skip : describe;

const problemRef = (options: RedisProblemOptions = {}): ProblemRef => ({ module: resolve(__dirname, "helpers/redis-problem.ts"), options });

/** The sequential evaluator's digests of generations 1..n of a population, from `seed`. */
async function sequentialDigests(ref: ProblemRef, size: number, ctx: { run: string; seed: number }, generations: number): Promise<string[]> {
  let pop: Candidate[] = toyPopulation(size);
  const digests: string[] = [];
  const seq = new SequentialEvaluator(ref);
  for (let generation = 1; generation <= generations; generation++) {
    pop = await seq.evaluate(pop, { ...ctx, generation });
    digests.push(populationDigest(pop));
  }
  pop.forEach(disposeCandidate);
  return digests;
}

describeRedis("QueueEvaluator on redis-server with 2 worker processes", () => {
  let redis: RedisServer;
  let workers: WorkerProcess[] = [];
  let queue: QueueEvaluator;
  const ref = problemRef();

  beforeAll(async () => {
    redis = await startRedis();
    workers = await Promise.all([spawnWorker(redis.url), spawnWorker(redis.url)]);
    queue = await createQueueEvaluator({ connection: redis.url, problem: ref, backoff: 0.1 });
    await loadProblem(ref); // the problem's data lives for the process
  });
  afterAll(async () => {
    await queue?.close();
    await killWorkers(workers);
    await redis?.dispose();
    await unloadProblem(ref);
  });

  test("two generations end with the sequential evaluator's population digest; nothing leaks", async () => {
    const ctx = { run: "same-as-sequential", seed: 3 };
    const want = await sequentialDigests(ref, 4, ctx, 2);
    const before = liveTensors();
    let pop: Candidate[] = toyPopulation(4);
    const born = liveTensors() - before;
    for (const [g, digest] of want.entries()) {
      pop = await queue.evaluate(pop, { ...ctx, generation: g + 1 });
      expect(pop.map((c) => c.id)).toEqual([0, 1, 2, 3]);
      expect(pop.every((c) => c.error === undefined && c.fitness! > WORST_FITNESS)).toBe(true);
      expect(populationDigest(pop)).toBe(digest);
    }
    expect(liveTensors() - before).toBe(born); // the inputs were consumed, the results replace them
    pop.forEach(disposeCandidate);
    expect(liveTensors()).toBe(before);
    // Both workers took part.
    for (const w of workers) expect(w.lines.some((l) => l.includes("run same-as-sequential"))).toBe(true);
  });

  test("two runs on one queue at once each get their own results", async () => {
    const a = { run: "run-a", seed: 21 };
    const b = { run: "run-b", seed: 22 }; // same candidate ids, other batches
    const [wantA, wantB] = [await sequentialDigests(ref, 3, a, 1), await sequentialDigests(ref, 3, b, 1)];
    expect(wantA[0]).not.toBe(wantB[0]);
    const [outA, outB] = await Promise.all([queue.evaluate(toyPopulation(3), { ...a, generation: 1 }), queue.evaluate(toyPopulation(3), { ...b, generation: 1 })]);
    expect(populationDigest(outA)).toBe(wantA[0]);
    expect(populationDigest(outB)).toBe(wantB[0]);
    [...outA, ...outB].forEach(disposeCandidate);
  });

  test("the same generation submitted again (as by a resumed run) reuses the finished jobs: nothing is evaluated twice", async () => {
    const again = { run: "again", seed: 6, generation: 1 };
    const first = await queue.evaluate(toyPopulation(3), again);
    const evaluations = () => workers.flatMap((w) => w.lines).filter((l) => l.startsWith("evaluating candidate") && l.includes("run again,")).length;
    expect(evaluations()).toBe(3);
    const second = await queue.evaluate(toyPopulation(3), again);
    expect(populationDigest(second)).toBe(populationDigest(first));
    expect(evaluations()).toBe(3);
    [...first, ...second].forEach(disposeCandidate);
  });

  test("a candidate whose evaluation always kills its thread fails after its attempts, naming it; the others are evaluated", async () => {
    const crashing = problemRef({ crash: { id: 1, mode: "exit" } });
    const failing = await createQueueEvaluator({ connection: redis.url, problem: crashing, attempts: 2, backoff: 0.1 });
    const before = liveTensors();
    const input = toyPopulation(3);
    const out = await failing.evaluate(input, { run: "crashing", seed: 4, generation: 1 });
    await failing.close();
    expect(out[1]!.fitness).toBe(WORST_FITNESS);
    expect(out[1]!.error).toMatch(/^queue evaluator: candidate 1 \(run crashing, generation 1\) failed after 2 attempt\(s\): the evaluation thread exited with code 3$/);
    expect(out[1]!.graph).toBe(input[1]!.graph); // the failed candidate comes back untrained, itself
    expect(out[0]!.error).toBeUndefined();
    expect(out[2]!.error).toBeUndefined();
    out.forEach(disposeCandidate);
    expect(liveTensors()).toBe(before);
  });

  test("the time limit stops an evaluation that never ends; the worker goes on serving", async () => {
    const hanging = await createQueueEvaluator({ connection: redis.url, problem: problemRef({ hangId: 0 }), timeLimit: 1, attempts: 1 });
    const out = await hanging.evaluate(toyPopulation(2), { run: "hanging", seed: 4, generation: 1 });
    await hanging.close();
    expect(out[0]!.error).toBe("queue evaluator: candidate 0 (run hanging, generation 1) failed after 1 attempt(s): the evaluation exceeded its time limit of 1 s");
    expect(out[1]!.error).toBeUndefined();
    out.forEach(disposeCandidate);
    // The workers still serve (the hung thread was terminated and replaced).
    const again = await queue.evaluate(toyPopulation(4), { run: "after-hang", seed: 5, generation: 1 });
    expect(again.every((c) => c.error === undefined)).toBe(true);
    again.forEach(disposeCandidate);
  });
});
