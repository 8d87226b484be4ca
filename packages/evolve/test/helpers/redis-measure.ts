// The numbers in the README's "Evaluating on other machines", measured by hand (not a test):
//   node --import test/support/register-ts.mjs test/helpers/redis-measure.ts
// 1. the queue's cost per job: trivial candidates (no training) through one worker, per job;
// 2. the speed-up of 2 worker processes over 1 on candidates that train (toy problem, more steps).
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { useBackend } from "@fluxion/backend";
import { SequentialEvaluator, disposeCandidate, loadProblem, populationDigest, type ProblemRef } from "@fluxion/evolve";
import { createQueueEvaluator } from "@fluxion/evolve/queue";
import { toyPopulation } from "../helpers-search.js";
import { startRedis } from "./redis-server.js";
import { killWorkers, spawnWorker } from "./redis-workers.js";

await useBackend("cpu");
const ref = (options: object): ProblemRef => ({ module: fileURLToPath(new URL("redis-problem.ts", import.meta.url)), options });
const redis = await startRedis();
const seconds = async (f: () => Promise<unknown>): Promise<number> => {
  const t = performance.now();
  await f();
  return (performance.now() - t) / 1000;
};

/** Seconds to evaluate `size` candidates of `problem` through `workers` worker processes (after a warm-up generation). */
async function timed(problem: ProblemRef, size: number, workers: number, queue: string): Promise<{ s: number; digest: string }> {
  const procs = await Promise.all(Array.from({ length: workers }, () => spawnWorker(redis.url, { queue })));
  const ev = await createQueueEvaluator({ connection: redis.url, problem, queue });
  // Warm-up: every worker's thread started (busy jobs, so that each worker takes some) and the problem built.
  const warm = await createQueueEvaluator({ connection: redis.url, problem: ref({ trivial: true, busyMs: 300 }), queue });
  (await warm.evaluate(toyPopulation(4 * workers), { run: `warm-${queue}`, seed: 1, generation: 0 })).forEach(disposeCandidate);
  await warm.close();
  (await ev.evaluate(toyPopulation(workers), { run: `warm-${queue}`, seed: 1, generation: 0 })).forEach(disposeCandidate);
  let digest = "";
  const s = await seconds(async () => {
    const out = await ev.evaluate(toyPopulation(size), { run: `measure-${queue}`, seed: 1, generation: 1 });
    digest = populationDigest(out);
    out.forEach(disposeCandidate);
  });
  await ev.close();
  await killWorkers(procs);
  return { s, digest };
}

console.log(`cores ${availableParallelism()}, load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
const trivial = ref({ trivial: true });
const perJob = await timed(trivial, 40, 1, "overhead");
const single = await timed(trivial, 1, 1, "single");
console.log(`trivial jobs, 1 worker: ${((perJob.s / 40) * 1000).toFixed(1)} ms per job (40 jobs); a generation of 1 job: ${(single.s * 1000).toFixed(0)} ms`);

const heavy = ref({ steps: 400, n: 512, batchSize: 32 });
await loadProblem(heavy);
(await new SequentialEvaluator(heavy).evaluate(toyPopulation(1), { run: "warm-seq", seed: 1, generation: 0 })).forEach(disposeCandidate);
const sequential = () =>
  seconds(async () => {
    const out = await new SequentialEvaluator(heavy).evaluate(toyPopulation(8), { run: "measure-seq", seed: 1, generation: 1 });
    out.forEach(disposeCandidate);
  });
// Each set-up twice, in the order seq, 1, 2, 2, 1, seq (the machine's load drifts): the best of each.
const seqA = await sequential();
const oneA = await timed(heavy, 8, 1, "one-a");
const twoA = await timed(heavy, 8, 2, "two-a");
const twoB = await timed(heavy, 8, 2, "two-b");
const oneB = await timed(heavy, 8, 1, "one-b");
const seqB = await sequential();
const [seq, one, two] = [Math.min(seqA, seqB), Math.min(oneA.s, oneB.s), Math.min(twoA.s, twoB.s)];
const same = new Set([oneA.digest, oneB.digest, twoA.digest, twoB.digest]).size === 1;
console.log(`8 candidates × 400 steps (best of 2): sequential in-process ${seq.toFixed(2)} s, 1 worker ${one.toFixed(2)} s, 2 workers ${two.toFixed(2)} s: speed-up ${(one / two).toFixed(2)}×; same digest: ${same}`);
console.log(`load average after: ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
await redis.dispose();
process.exit(0);
