// The queue evaluator: a generation's candidates go on a BullMQ queue, workers anywhere evaluate
// them, the results come back through Redis.
//
// Candidates travel by reference, as binary Redis entries keyed by (run, generation, candidate,
// digest) with a time to live, not inside the jobs: a worker on another machine then needs only
// Redis (no shared directory), jobs stay a few hundred bytes, and the entries vanish by themselves
// when a run is abandoned. The run's checkpoint, not Redis, is what a resumed run reads.
// Results are gathered by polling their entries (every 25 ms) and the jobs' states (every second)
// rather than through QueueEvents' stream: polling notices a Redis restart that lost the queue.
import type { Queue } from "bullmq";
import type { Redis as RedisClient } from "ioredis";
import { tf } from "@fluxion/backend";
import { candidateCodec, disposeCandidate, withEvaluation } from "../search/candidate.js";
import { checkProblemRef } from "../search/evaluators/load-problem.js";
import { WORST_FITNESS } from "../search/fitness/score.js";
import type { Candidate, EncodedResult, EncodedTask, Evaluator, ProblemRef } from "../search/interfaces.js";
import { bullConnection, connectionParts, openRedis, type ConnectionParts, type QueueConnection } from "./connection.js";
import { taskNames, type TaskNames } from "./keys.js";
import { loadQueueModules } from "./modules.js";
import { decodeResult, type QueueJobData } from "./records.js";

/** The queue evaluators and workers use unless told otherwise. */
export const DEFAULT_QUEUE = "fluxion-evolve";

/** Options of `createQueueEvaluator`. */
export interface QueueEvaluatorOptions {
  /** Where Redis is: `redis://HOST:PORT` or `{ host, port }`. */
  readonly connection: QueueConnection;
  /** The fitness problem, as workers rebuild it. */
  readonly problem: ProblemRef;
  /** The queue's name (default "fluxion-evolve"; workers must serve the same). */
  readonly queue?: string;
  /** Time limit of one evaluation attempt, in seconds (default 600). */
  readonly timeLimit?: number;
  /** Attempts per candidate before it fails (default 3). */
  readonly attempts?: number;
  /** First retry delay in seconds, doubled each retry (default 1). */
  readonly backoff?: number;
  /** How long candidates and results may stay in Redis, in seconds (default 86400; 10 minutes once gathered). */
  readonly ttl?: number;
  /** How long Redis may be unreachable during a generation before `evaluate` gives up, in seconds (default 60). */
  readonly unreachableTimeout?: number;
  /** Where notes go, e.g. that jobs were lost and put back (default: nowhere). */
  readonly log?: (line: string) => void;
}

/** One candidate's way through the queue. */
interface Pending {
  readonly index: number;
  readonly input: Candidate;
  readonly task: EncodedTask;
  readonly names: TaskNames;
  resubmissions: number;
}

const RESULT_POLL_MS = 25;
const STATE_POLL_MS = 1000;
const MAX_RESUBMISSIONS = 3;
const COMMAND_TIMEOUT_MS = 5000;
const GATHERED_TTL_MS = 10 * 60 * 1000;
const NO_WORKER_NOTICE_MS = 30_000;

/** An `Evaluator` on a BullMQ queue; make it with `createQueueEvaluator`. */
export class QueueEvaluator implements Evaluator {
  private closed = false;

  /** @internal */
  constructor(
    private readonly queue: Queue,
    private readonly client: RedisClient,
    private readonly parts: ConnectionParts,
    private readonly options: QueueEvaluatorOptions,
  ) {}

  /** The queue's name. */
  get name(): string {
    return this.queue.name;
  }

  /** Evaluates the candidates on the queue's workers; see `Evaluator.evaluate`. */
  async evaluate(candidates: readonly Candidate[], ctx: { run: string; seed: number; generation: number }): Promise<Candidate[]> {
    if (this.closed) throw new Error("queue evaluator: evaluate after close");
    const { problem } = this.options;
    const pending: Pending[] = candidates.map((input, index) => {
      const task: EncodedTask = { run: ctx.run, seed: ctx.seed, generation: ctx.generation, id: input.id, candidate: candidateCodec.encode(input) };
      return { index, input, task, names: taskNames(this.queue.name, task, problem), resubmissions: 0 };
    });
    await this.guard(() => this.submit(pending), ctx.generation);
    const outcomes = await this.gather(pending, ctx.generation);
    // Every result is read: only now are tensors made, so a failure above leaks nothing.
    const decoded: (Candidate | undefined)[] = [];
    try {
      for (const p of pending) {
        const outcome = outcomes[p.index]!;
        decoded.push("result" in outcome ? candidateCodec.decode(outcome.result.candidate) : undefined);
      }
    } catch (err) {
      decoded.forEach((c) => c && disposeCandidate(c));
      throw err;
    }
    // The inputs are consumed: a trained copy replaces each, a failed one keeps its tensors.
    const out = pending.map((p, i) => {
      const outcome = outcomes[p.index]!;
      if ("error" in outcome) return withEvaluation(p.input, { fitness: WORST_FITNESS, metrics: {}, error: outcome.error });
      disposeCandidate(p.input);
      return decoded[i]!;
    });
    // Best effort: the results are in hand, and the entries expire anyway.
    await withTimeout(this.expireSoon(pending), COMMAND_TIMEOUT_MS).catch(() => {});
    return out;
  }

  /** Puts the candidates' bytes in Redis and their jobs on the queue (keeping jobs already there). */
  private async submit(pending: readonly Pending[]): Promise<void> {
    if (pending.length === 0) return;
    const ttlMs = Math.round((this.options.ttl ?? 86_400) * 1000);
    const multi = this.client.multi();
    for (const p of pending) multi.set(p.names.taskKey, Buffer.from(p.task.candidate), "PX", ttlMs);
    // A transaction reports a failed command (e.g. Redis out of memory) in its replies, not by throwing.
    const failed = ((await multi.exec()) ?? []).find(([err]) => err);
    if (failed) throw new Error(`queue evaluator: Redis refused a candidate's bytes: ${failed[0]!.message}`, { cause: failed[0] });
    const fresh: Pending[] = [];
    for (const p of pending) {
      const job = await this.queue.getJob(p.names.jobId);
      if (job) {
        const state = await job.getState();
        const reusable = state === "completed" ? (await this.client.exists(p.names.resultKey)) === 1 : state !== "failed" && state !== "unknown";
        if (reusable) continue;
        await job.remove();
      }
      fresh.push(p);
    }
    const attempts = this.options.attempts ?? 3;
    await this.queue.addBulk(
      fresh.map((p) => {
        const data: QueueJobData = {
          run: p.task.run,
          seed: p.task.seed,
          generation: p.task.generation,
          id: p.task.id,
          problem: this.options.problem,
          backend: tf.getBackend() ?? "cpu",
          taskKey: p.names.taskKey,
          resultKey: p.names.resultKey,
          digest: p.names.digest,
          timeLimitMs: Math.round((this.options.timeLimit ?? 600) * 1000),
          ttlMs,
        };
        return {
          name: `${p.task.run} generation ${p.task.generation} candidate ${p.task.id}`,
          data,
          opts: {
            jobId: p.names.jobId,
            attempts,
            backoff: { type: "exponential", delay: Math.round((this.options.backoff ?? 1) * 1000) },
            removeOnComplete: { age: Math.ceil(ttlMs / 1000) },
            removeOnFail: { age: Math.ceil(ttlMs / 1000) },
          },
        };
      }),
    );
  }

  /** Waits for every candidate's result entry or final failure. */
  private async gather(pending: readonly Pending[], generation: number): Promise<({ result: EncodedResult } | { error: string })[]> {
    const outcomes: ({ result: EncodedResult } | { error: string })[] = [];
    let left = [...pending];
    let lastStates = Date.now();
    let lastProgress = Date.now();
    let warned = false;
    while (left.length > 0) {
      const before = left.length;
      const found = await this.guard(() => this.readResults(left), generation);
      for (const [p, bytes] of found) outcomes[p.index] = { result: decodeResult(bytes, p.names.digest, p.task.id) };
      left = left.filter((p) => outcomes[p.index] === undefined);
      if (left.length > 0 && Date.now() - lastStates >= STATE_POLL_MS) {
        lastStates = Date.now();
        await this.guard(() => this.checkStates(left, outcomes), generation);
        left = left.filter((p) => outcomes[p.index] === undefined);
        // A run waiting on a queue nobody serves would wait silently: say so, once per generation.
        if (!warned && left.length > 0 && Date.now() - lastProgress >= NO_WORKER_NOTICE_MS && (await this.guard(() => this.queue.getWorkersCount(), generation)) === 0) {
          warned = true;
          this.options.log?.(`queue evaluator: no worker serves queue '${this.queue.name}' at ${this.parts.address}; ${left.length} candidate(s) of generation ${generation} wait (start one: evolve-worker --queue URL, or startQueueWorker)`);
        }
      }
      if (left.length < before) lastProgress = Date.now();
      if (left.length > 0) await sleep(RESULT_POLL_MS);
    }
    return outcomes;
  }

  /** The result entries that exist now. */
  private async readResults(left: readonly Pending[]): Promise<[Pending, Uint8Array][]> {
    const multi = this.client.multi();
    for (const p of left) multi.getBuffer(p.names.resultKey);
    const replies = (await multi.exec()) ?? [];
    return left.flatMap((p, i) => {
      const [err, value] = replies[i] ?? [null, null];
      if (err) throw err;
      return value ? [[p, new Uint8Array(value as Buffer)] as [Pending, Uint8Array]] : [];
    });
  }

  /**
   * Gathered entries expire within minutes rather than at once: a run with the same name and seed
   * (same candidates, same jobs) may still be waiting for them, and a job may still run twice.
   */
  private async expireSoon(pending: readonly Pending[]): Promise<void> {
    const ms = Math.min(GATHERED_TTL_MS, Math.round((this.options.ttl ?? 86_400) * 1000));
    const multi = this.client.multi();
    for (const p of pending) multi.pexpire(p.names.taskKey, ms).pexpire(p.names.resultKey, ms);
    await multi.exec();
  }

  /** Records final failures; puts back jobs Redis lost (a restart without persistence). */
  private async checkStates(left: readonly Pending[], outcomes: ({ result: EncodedResult } | { error: string })[]): Promise<void> {
    const lost: Pending[] = [];
    for (const p of left) {
      const state = await this.queue.getJobState(p.names.jobId);
      const who = `candidate ${p.task.id} (run ${p.task.run}, generation ${p.task.generation})`;
      if (state === "failed") {
        const job = await this.queue.getJob(p.names.jobId);
        const reason = job?.failedReason ?? "no reason recorded";
        outcomes[p.index] = { error: `queue evaluator: ${who} failed after ${job?.attemptsMade ?? "?"} attempt(s): ${reason}` };
      } else if (state === "unknown" || state === "completed") {
        // Completed without a result entry, or gone: Redis lost it.
        if (p.resubmissions >= MAX_RESUBMISSIONS) {
          outcomes[p.index] = { error: `queue evaluator: ${who} was lost by Redis ${p.resubmissions + 1} times (restarted without persistence?)` };
        } else lost.push(p);
      }
    }
    if (lost.length > 0) {
      this.options.log?.(`queue evaluator: Redis lost ${lost.length} job(s) of generation ${lost[0]!.task.generation}; putting them back`);
      for (const p of lost) p.resubmissions += 1;
      await this.submit(lost);
    }
  }

  /**
   * Runs a Redis step, retrying while Redis is unreachable; after `unreachableTimeout` seconds
   * rejects with one Error that says the run stops and how to resume it.
   */
  private async guard<T>(step: () => Promise<T>, generation: number): Promise<T> {
    const limitMs = (this.options.unreachableTimeout ?? 60) * 1000;
    const start = Date.now();
    for (;;) {
      try {
        return await withTimeout(step(), COMMAND_TIMEOUT_MS);
      } catch (err) {
        if (!isConnectionError(err)) throw err;
        if (Date.now() - start >= limitMs) {
          throw new Error(
            `queue evaluator: lost Redis at ${this.parts.address} for ${Math.round(limitMs / 1000)} s during generation ${generation} ` +
              `(${(err as Error).message}); the run stops here: restart it with the same checkpoint directory to resume`,
            { cause: err },
          );
        }
        await sleep(250);
      }
    }
  }

  /** Closes the queue's connections (workers keep running; they serve any run). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.close().catch(() => {});
    this.client.disconnect();
  }
}

/**
 * An evaluator on the BullMQ queue at `options.connection`. Rejects with one clear Error when Redis
 * cannot be reached or bullmq/ioredis are not installed, before anything is written anywhere.
 */
export async function createQueueEvaluator(options: QueueEvaluatorOptions): Promise<QueueEvaluator> {
  const who = "queue evaluator";
  checkProblemRef(who, options?.problem);
  for (const k of ["timeLimit", "attempts", "backoff", "ttl", "unreachableTimeout"] as const) {
    const v = options[k];
    if (v !== undefined && !(typeof v === "number" && v > 0 && Number.isFinite(v))) throw new Error(`${who}: ${k} must be a positive number, got ${String(v)}`);
  }
  if (options.attempts !== undefined && !Number.isInteger(options.attempts)) throw new Error(`${who}: attempts must be an integer, got ${options.attempts}`);
  const parts = connectionParts(options.connection, who);
  const modules = await loadQueueModules();
  const client = await openRedis(modules, parts, who);
  const queue = new modules.bullmq.Queue(options.queue ?? DEFAULT_QUEUE, { connection: bullConnection(parts) });
  queue.on("error", () => {}); // connection trouble surfaces through `guard`
  try {
    await withTimeout(queue.waitUntilReady(), COMMAND_TIMEOUT_MS);
  } catch (err) {
    client.disconnect();
    await queue.close().catch(() => {});
    throw err;
  }
  return new QueueEvaluator(queue, client, parts, options);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

class TimeoutError extends Error {}

/** `p`, or a rejection after `ms` (a command hanging on a reconnecting client counts as unreachable). */
function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new TimeoutError(`no answer from Redis within ${ms / 1000} s`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Whether an error says Redis is away (as opposed to a bug or a bad reply). */
function isConnectionError(err: unknown): boolean {
  if (err instanceof TimeoutError) return true;
  const text = `${(err as { code?: string })?.code ?? ""} ${(err as Error)?.message ?? ""}`;
  return /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|Connection is closed|enableOfflineQueue|Stream isn't writeable|MaxRetriesPerRequest|LOADING|Socket closed/i.test(text);
}
