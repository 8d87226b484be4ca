// Faults with a real redis-server: a worker killed in the middle of a job, a worker stopped with
// SIGTERM, Redis restarted (its jobs lost), and Redis gone in the middle of a run (which stops,
// then resumes from its checkpoint).
import { afterAll, afterEach, beforeAll, describe, expect, jest, test } from "@jest/globals";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { liveTensors } from "@fluxion/backend/testing";
import {
  SequentialEvaluator, disposeCandidate, loadProblem, populationDigest, runSearch, unloadProblem, type Evaluator, type ProblemRef, type SearchOptions,
} from "@fluxion/evolve";
import { createQueueEvaluator, type QueueEvaluator, type QueueEvaluatorOptions } from "@fluxion/evolve/queue";
import { tinyEvolution, toyInitial, toyPopulation } from "./helpers-search.js";
import { redisMissing, startRedis, type RedisServer } from "./helpers/redis-server.js";
import { killWorkers, spawnWorker, type WorkerProcess } from "./helpers/redis-workers.js";
import type { RedisProblemOptions } from "./helpers/redis-problem.js";

jest.setTimeout(60_000);
const missing = redisMissing();
const describeRedis = missing ? describe.skip : describe;

const problemRef = (options: RedisProblemOptions = {}): ProblemRef => ({ module: resolve(__dirname, "helpers/redis-problem.ts"), options });
// Short locks, so that a dead worker's job is recovered within a second or two.
const QUICK_LOCKS = { lockDuration: 1000, stalledInterval: 500 };

let redis: RedisServer;
let steady: WorkerProcess; // serves the default queue through every test
const workers: WorkerProcess[] = []; // a test's own workers
const evaluators: QueueEvaluator[] = [];
const plain = problemRef();
let want: string; // the sequential digest of toyPopulation(3), seed 8, generation 1
const ctx = { run: "faults", seed: 8, generation: 1 };

beforeAll(async () => {
  if (missing) return;
  redis = await startRedis();
  const starting = spawnWorker(redis.url, QUICK_LOCKS);
  await loadProblem(plain);
  const out = await new SequentialEvaluator(plain).evaluate(toyPopulation(3), ctx);
  want = populationDigest(out);
  out.forEach(disposeCandidate);
  steady = await starting;
});
afterEach(async () => {
  await Promise.all(evaluators.splice(0).map((e) => e.close()));
  await killWorkers(workers.splice(0));
});
afterAll(async () => {
  if (steady) await killWorkers([steady]);
  await redis?.dispose();
  await unloadProblem(plain);
});

/** An evaluator of the busy toy problem (the busy wait leaves the results as they are). */
async function busyEvaluator(busyMs: number, options: Partial<QueueEvaluatorOptions> = {}): Promise<QueueEvaluator> {
  const e = await createQueueEvaluator({ connection: redis.url, problem: problemRef({ busyMs }), backoff: 0.1, ...options });
  evaluators.push(e);
  return e;
}

describeRedis("queue faults", () => {
  test("a worker killed with SIGKILL in the middle of a job: the job is recovered and the run ends with the sequential digest", async () => {
    const doomed = await spawnWorker(redis.url, QUICK_LOCKS);
    workers.push(doomed);
    const queue = await busyEvaluator(800);
    const run = queue.evaluate(toyPopulation(3), ctx);
    const line = await doomed.waitFor(/^evaluating candidate \d+ of run faults/);
    const id = Number(/candidate (\d+)/.exec(line)![1]);
    doomed.child.kill("SIGKILL");
    expect(await doomed.exited).toBe("SIGKILL");
    const out = await run;
    expect(out.every((c) => c.error === undefined)).toBe(true);
    expect(populationDigest(out)).toBe(want);
    // The dead worker never finished its job: the other worker found it stalled and evaluated it.
    expect(doomed.lines.some((l) => l.startsWith(`candidate ${id} of run faults`))).toBe(false);
    expect(steady.lines).toContain(`candidate ${id} of run faults, generation 1: fitness ${out.find((c) => c.id === id)!.fitness}`);
    out.forEach(disposeCandidate);
  });

  test("SIGTERM: the worker finishes its running job, then exits", async () => {
    const worker = await spawnWorker(redis.url, { queue: "sigterm" }); // alone on its queue
    workers.push(worker);
    const queue = await busyEvaluator(1000, { queue: "sigterm" });
    const run = queue.evaluate(toyPopulation(1), { ...ctx, run: "sigterm" });
    await worker.waitFor(/^evaluating candidate 0 of run sigterm/);
    worker.child.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
    const [c] = await run; // no other worker: the stopping one delivered it
    expect(c!.error).toBeUndefined();
    const tail = worker.lines.slice(worker.lines.findIndex((l) => l.startsWith("evaluating candidate 0")));
    expect(tail).toEqual([
      "evaluating candidate 0 of run sigterm, generation 1 (attempt 1)",
      "queue worker: stopping after the running job(s)",
      `candidate 0 of run sigterm, generation 1: fitness ${c!.fitness}`,
      "worker closed",
    ]);
    disposeCandidate(c!);
  });

  test("Redis restarted (without persistence) during a generation: the lost jobs are put back and the run ends with the sequential digest", async () => {
    const notes: string[] = [];
    const queue = await busyEvaluator(700, { log: (l) => notes.push(l) });
    const since = steady.lines.length;
    const run = queue.evaluate(toyPopulation(3), ctx);
    await steady.waitFor(/^candidate \d of run faults, generation 1: fitness/, since);
    await redis.restart();
    const out = await run;
    expect(out.every((c) => c.error === undefined)).toBe(true);
    expect(populationDigest(out)).toBe(want);
    expect(notes.some((n) => /^queue evaluator: Redis lost \d job\(s\) of generation 1; putting them back$/.test(n))).toBe(true);
    out.forEach(disposeCandidate);
  });

  test("Redis gone during a run: the run stops with one clear error after its last checkpoint, and resumes from it to the sequential digest", async () => {
    const search = (evaluator: Evaluator, over: Partial<SearchOptions> = {}) =>
      runSearch({ generations: 3, populationSize: 3, seed: 99, initial: toyInitial, evolution: tinyEvolution, evaluator, problem: plain, ...over });
    const reference = await search(new SequentialEvaluator(plain));
    const wantRun = populationDigest(reference.population);
    reference.population.forEach(disposeCandidate);
    const dir = await mkdtemp(join(tmpdir(), "fluxion-queue-run-"));
    const queue = await createQueueEvaluator({ connection: redis.url, problem: plain, unreachableTimeout: 1 });
    evaluators.push(queue);
    const before = liveTensors();
    const stopAfterFirst = async (s: { generation: number }): Promise<void> => {
      if (s.generation === 0) await redis.stop();
    };
    await expect(search(queue, { dir, onGeneration: stopAfterFirst })).rejects.toThrow(
      new RegExp(`^queue evaluator: lost Redis at redis://127\\.0\\.0\\.1:${redis.port} for 1 s during generation 1 \\(.*\\); the run stops here: restart it with the same checkpoint directory to resume$`),
    );
    expect(liveTensors()).toBe(before); // the run freed its population
    expect((await readdir(dir)).sort()).toEqual(["gen-0", "run.json"]);
    await redis.restart();
    const resumed: number[] = [];
    const r = await search(queue, { dir, onResume: (g) => void resumed.push(g) });
    expect(resumed).toEqual([0]);
    expect(populationDigest(r.population)).toBe(wantRun);
    r.population.forEach(disposeCandidate);
    await rm(dir, { recursive: true, force: true });
  });
});
