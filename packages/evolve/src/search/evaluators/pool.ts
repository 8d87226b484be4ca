// Evaluation on a pool of worker threads (piscina): candidates cross as bytes, each worker builds
// the problem once, and a worker that crashes or throws has its candidate retried, then failed.
import type { Piscina } from "piscina";
import { tf } from "@fluxion/backend";
import type { BackendName } from "@fluxion/backend";
import { describe } from "@fluxion/functors";
import { candidateCodec, disposeCandidate, withEvaluation } from "../candidate.js";
import { WORST_FITNESS } from "../fitness/score.js";
import type { Candidate, EncodedResult, EncodedTask, Evaluator, ProblemRef } from "../interfaces.js";
import { checkProblemRef } from "./load-problem.js";
import type { PoolWorkerData } from "./pool-worker.js";

/** Options of `PoolEvaluator`. */
export interface PoolOptions {
  /** Worker threads. Default `os.availableParallelism()`. */
  workers?: number;
  /** Attempts per candidate before it is marked failed. Default 2. */
  attempts?: number;
  /** The backend the workers use. Default the main thread's (`tf.getBackend()`). */
  backend?: BackendName;
  /** The worker module; default this package's `pool-worker` beside this file. */
  filename?: string;
  /** Node options of the worker threads (e.g. a loader to run TypeScript sources). */
  execArgv?: string[];
  /** An attempt running longer than this is aborted (its thread ends and is replaced) and counts as failed. Default Infinity. */
  timeoutSeconds?: number;
}

/** This file's own worker module: `.js` in the built package, `.ts` when run from the sources. */
function defaultWorker(): string {
  const here = import.meta.url;
  return new URL(`./pool-worker.${here.endsWith(".ts") ? "ts" : "js"}`, here).href;
}

/** `import(specifier)` hidden from bundlers: piscina and node:os exist only in Node. */
async function nodeModule<T>(specifier: string): Promise<T> {
  try {
    return (await import(/* webpackIgnore: true */ /* @vite-ignore */ specifier)) as T;
  } catch (err) {
    throw new Error(`PoolEvaluator needs Node's worker threads ('${specifier}'), which are not available here; use SequentialEvaluator`, { cause: err });
  }
}

function checkCount(name: string, x: unknown): void {
  if (x !== undefined && (!Number.isSafeInteger(x) || (x as number) < 1)) throw new Error(`PoolEvaluator: ${name} must be a whole number >= 1, got ${describe(x)}`);
}

/**
 * Evaluates candidates on worker threads (piscina), all at once up to `workers` in parallel.
 * Fitness and weights are bit for bit those of `SequentialEvaluator`: every candidate is
 * evaluated from its bytes with the generators of (seed, generation), in whatever thread. A
 * worker that throws or exits has its candidate retried (`attempts` in all), then the candidate
 * comes back untrained with the worst fitness and the error. `close()` ends the threads.
 */
export class PoolEvaluator implements Evaluator {
  readonly problem: ProblemRef;
  readonly workers: number | undefined;
  readonly attempts: number;
  #options: PoolOptions;
  #pool: Promise<Piscina> | null = null;
  #closed = false;
  // At most one task per thread is handed to piscina, so a task's time limit runs while it runs, not while it queues.
  #threads = 1;
  #active = 0;
  #waiting: (() => void)[] = [];

  constructor(problem: ProblemRef, options: PoolOptions = {}) {
    this.problem = checkProblemRef("PoolEvaluator", problem);
    checkCount("workers", options.workers);
    checkCount("attempts", options.attempts);
    this.workers = options.workers;
    this.attempts = options.attempts ?? 2;
    const t = options.timeoutSeconds;
    if (t !== undefined && (typeof t !== "number" || !(t > 0))) throw new Error(`PoolEvaluator: timeoutSeconds must be a number > 0, got ${describe(t)}`);
    this.#options = options;
  }

  async #start(backend: BackendName): Promise<Piscina> {
    const mod = await nodeModule<typeof import("piscina") & { default?: { Piscina?: typeof Piscina } }>("piscina");
    // ESM gives the named export; a CommonJS interop (jest) only `default`, the class itself.
    const PiscinaClass = (mod.Piscina ?? mod.default?.Piscina ?? mod.default) as typeof Piscina;
    const os = await nodeModule<typeof import("node:os")>("node:os");
    const threads = this.workers ?? os.availableParallelism();
    this.#threads = threads;
    const pool = new PiscinaClass({
      filename: this.#options.filename ?? defaultWorker(),
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Infinity,
      workerData: { problem: this.problem, backend } satisfies PoolWorkerData,
      ...(this.#options.execArgv === undefined ? {} : { execArgv: this.#options.execArgv }),
    });
    // Start every thread and build its problem before any time limit runs.
    await Promise.all(Array.from({ length: threads }, () => pool.run(null)));
    return pool;
  }

  async #slot<T>(f: () => Promise<T>): Promise<T> {
    while (this.#active >= this.#threads) await new Promise<void>((wake) => this.#waiting.push(wake));
    this.#active += 1;
    try {
      return await f();
    } finally {
      this.#active -= 1;
      this.#waiting.shift()?.();
    }
  }

  async #run(pool: Piscina, task: EncodedTask): Promise<EncodedResult | Error> {
    const t = this.#options.timeoutSeconds ?? Infinity;
    let last: unknown;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      try {
        return (await this.#slot(() => pool.run(task, { signal: Number.isFinite(t) ? AbortSignal.timeout(Math.ceil(t * 1000)) : null }))) as EncodedResult;
      } catch (err) {
        last = err;
      }
    }
    const aborted = (last as Error)?.name === "AbortError" || /aborted/i.test(String((last as Error)?.message));
    const why = aborted ? `no result within timeoutSeconds = ${this.#options.timeoutSeconds}` : String((last as Error)?.message ?? last);
    return new Error(`evaluation failed ${this.attempts} time${this.attempts === 1 ? "" : "s"}: ${why}`);
  }

  async evaluate(candidates: readonly Candidate[], ctx: { run: string; seed: number; generation: number }): Promise<Candidate[]> {
    if (this.#closed) throw new Error("PoolEvaluator: evaluate after close()");
    this.#pool ??= this.#start(this.#options.backend ?? (tf.getBackend() as BackendName));
    const pool = await this.#pool;
    const tasks = candidates.map((c): EncodedTask => ({ run: ctx.run, seed: ctx.seed, generation: ctx.generation, id: c.id, candidate: candidateCodec.encode(c) }));
    const results = await Promise.all(tasks.map((task) => this.#run(pool, task)));
    return candidates.map((c, i) => {
      const r = results[i]!;
      if (!(r instanceof Error)) {
        try {
          const trained = candidateCodec.decode(r.candidate);
          disposeCandidate(c);
          return trained;
        } catch (err) {
          return withEvaluation(c, { fitness: WORST_FITNESS, metrics: {}, error: `the worker's result cannot be read: ${(err as Error).message}` });
        }
      }
      return withEvaluation(c, { fitness: WORST_FITNESS, metrics: {}, error: r.message });
    });
  }

  /** Ends the worker threads. */
  async close(): Promise<void> {
    this.#closed = true;
    const pool = this.#pool;
    this.#pool = null;
    if (pool !== null) await (await pool).destroy();
  }
}
