// A queue worker: serves fitness evaluations of any run on a queue until it is closed. Jobs come
// from BullMQ (which recovers the job of a worker that died, through its lock and stalled-job
// checks); the candidate's bytes come from Redis, the evaluation runs in a thread (threads.ts), and
// the result goes back to Redis under the job's own key, so a job that runs twice does no harm.
import type { Job } from "bullmq";
import { DEFAULT_QUEUE } from "./evaluator.js";
import { bullConnection, connectionParts, openRedis, type QueueConnection } from "./connection.js";
import { loadQueueModules } from "./modules.js";
import { checkJobData, encodeResult, summary, type JobSummary } from "./records.js";
import { EvaluationThreads } from "./threads.js";

/** Options of `startQueueWorker`. */
export interface QueueWorkerOptions {
  /** Where Redis is: `redis://HOST:PORT` or `{ host, port }`. */
  readonly connection: QueueConnection;
  /** The queue's name (default "fluxion-evolve", the evaluator's default). */
  readonly queue?: string;
  /** Jobs evaluated at once, each in its own thread (default 1). */
  readonly concurrency?: number;
  /**
   * How long a job's lock lasts without renewal, in ms (default 30000). The lock is renewed every
   * half of it while the job runs; when a worker dies, its job goes back to the queue once the lock
   * has expired and a stalled-job check (every `stalledInterval` ms, default 30000) sees it.
   */
  readonly lockDuration?: number;
  readonly stalledInterval?: number;
  /** How often a job may be recovered from a dead worker before it fails (default 2). */
  readonly maxStalledCount?: number;
  /** Close on SIGTERM and SIGINT, finishing the running jobs first (default false: the caller decides). */
  readonly stopOnSignals?: boolean;
  /** Where progress lines go (default: nowhere). */
  readonly log?: (line: string) => void;
}

/** A running queue worker. */
export interface QueueWorker {
  /** The queue it serves. */
  readonly queue: string;
  /** Stops taking jobs, waits for the running ones to finish, and disconnects. */
  close(): Promise<void>;
  /** Settles when the worker has closed (after `close` or a signal). */
  readonly closed: Promise<void>;
}

/**
 * Starts a worker serving any run's evaluation jobs on a queue. Rejects with one clear Error when
 * Redis cannot be reached or bullmq/ioredis are not installed.
 */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const who = "queue worker";
  const concurrency = options.concurrency ?? 1;
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new Error(`${who}: concurrency must be an integer ≥ 1, got ${String(concurrency)}`);
  const queue = options.queue ?? DEFAULT_QUEUE;
  const parts = connectionParts(options.connection, who);
  const log = options.log ?? (() => {});
  const modules = await loadQueueModules();
  const client = await openRedis(modules, parts, who);
  const threads = new EvaluationThreads(concurrency);

  const processor = async (job: Job): Promise<JobSummary> => {
    const data = checkJobData(job.data, job.id);
    const name = `candidate ${data.id} of run ${data.run}, generation ${data.generation}`;
    // At-least-once delivery: a job that already wrote its result (and then lost its lock) is done.
    if ((await client.exists(data.resultKey)) === 1) return { reused: true };
    const bytes = await client.getBuffer(data.taskKey);
    if (bytes === null) {
      throw new modules.bullmq.UnrecoverableError(`${who}: the bytes of ${name} are not in Redis (key ${data.taskKey}): its run has gone or its entries expired`);
    }
    log(`evaluating ${name} (attempt ${job.attemptsMade + 1})`);
    const task = { run: data.run, seed: data.seed, generation: data.generation, id: data.id, candidate: new Uint8Array(bytes) };
    const result = await threads.run({ problem: data.problem, backend: data.backend, task }, data.timeLimitMs);
    await client.set(data.resultKey, Buffer.from(encodeResult(result, data.digest)), "PX", data.ttlMs);
    log(`${name}: fitness ${result.fitness}${result.error ? ` (${result.error})` : ""}`);
    return summary(result);
  };

  const worker = new modules.bullmq.Worker(queue, processor, {
    connection: bullConnection(parts),
    concurrency,
    lockDuration: options.lockDuration ?? 30_000,
    stalledInterval: options.stalledInterval ?? 30_000,
    maxStalledCount: options.maxStalledCount ?? 2,
    autorun: false,
  });
  // BullMQ reports connection trouble as "error" events (without a listener Node would throw),
  // the same one every reconnection attempt while Redis is away: each is logged once in a row.
  let lastError = "";
  worker.on("error", (err) => {
    if (err.message !== lastError) log(`${who}: ${(lastError = err.message)}`);
  });
  worker.on("completed", () => (lastError = ""));
  try {
    await worker.waitUntilReady();
  } catch (err) {
    await worker.close(true).catch(() => {});
    await threads.close();
    client.disconnect();
    throw err;
  }
  worker.run().catch((err: Error) => log(`${who}: stopped taking jobs: ${err.message}`));

  let markClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  let closing: Promise<void> | undefined;
  const onSignal = (): void => {
    log(`${who}: stopping after the running job(s)`);
    void close();
  };
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      process.off("SIGTERM", onSignal).off("SIGINT", onSignal);
      try {
        await worker.close(); // waits for the running jobs
        await threads.close();
      } finally {
        client.disconnect();
        markClosed();
      }
    })());
  if (options.stopOnSignals) process.on("SIGTERM", onSignal).on("SIGINT", onSignal);
  return { queue, close, closed };
}
