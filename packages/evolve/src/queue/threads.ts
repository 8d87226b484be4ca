// The threads a queue worker evaluates in. Training is CPU-bound; on the worker's main thread it
// would starve BullMQ's lock renewal and every long job would look stalled. Here the main thread
// only talks to Redis, and a thread that overruns its time limit is terminated and replaced.
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { EncodedResult, EncodedTask, ProblemRef } from "../search/interfaces.js";

/** What a thread is asked to do. */
export interface ThreadRequest {
  readonly problem: ProblemRef;
  readonly backend: string;
  readonly task: EncodedTask;
}

/** What a thread answers: that the evaluation starts (backend and problem ready), then its result or error. */
export type ThreadReply = { readonly started: true } | { readonly result: EncodedResult } | { readonly error: string };

/** How long a thread may take to start and build the problem (its data) before the evaluation itself. */
const SETUP_LIMIT_MS = 120_000;

/** The thread's module beside this file: `.js` in the built package, `.ts` when run from the sources (with a loader). */
function threadFile(): string {
  const here = import.meta.url;
  return fileURLToPath(new URL(`./eval-thread.${here.endsWith(".ts") ? "ts" : "js"}`, here));
}

/** A fixed number of evaluation threads, each started when first needed and replaced when it dies. */
export class EvaluationThreads {
  private readonly idle: Worker[] = [];
  private readonly busy = new Set<Worker>();
  private closed = false;

  constructor(private readonly size: number) {}

  /** Evaluates `request` in a free thread; rejects after `timeLimitMs` (the thread is then terminated). */
  async run(request: ThreadRequest, timeLimitMs: number): Promise<EncodedResult> {
    if (this.closed) throw new Error("queue worker: the evaluation threads are closed");
    if (this.busy.size >= this.size) throw new Error(`queue worker: all ${this.size} evaluation threads are busy`);
    const thread = this.idle.pop() ?? new Worker(threadFile());
    this.busy.add(thread);
    let healthy = false;
    try {
      const reply = await this.ask(thread, request, timeLimitMs);
      healthy = true;
      if ("error" in reply) throw new Error(reply.error);
      return reply.result;
    } finally {
      this.busy.delete(thread);
      if (healthy && !this.closed) this.idle.push(thread);
      else void thread.terminate();
    }
  }

  /**
   * Sends `request` and waits for the result. The time limit counts from the thread's "started"
   * (a new thread first loads its modules and builds the problem, which gets its own, longer limit).
   */
  private ask(thread: Worker, request: ThreadRequest, timeLimitMs: number): Promise<Exclude<ThreadReply, { started: true }>> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout;
      const arm = (ms: number, what: string): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          done();
          reject(new Error(`${what} exceeded its time limit of ${ms / 1000} s`));
        }, ms);
      };
      const done = (): void => {
        clearTimeout(timer);
        thread.off("message", onMessage).off("error", onError).off("exit", onExit);
      };
      const onMessage = (reply: ThreadReply): void => {
        if ("started" in reply) arm(timeLimitMs, "the evaluation");
        else done(), resolve(reply);
      };
      const onError = (err: Error): void => (done(), reject(new Error(`the evaluation thread crashed: ${err.message}`, { cause: err })));
      const onExit = (code: number): void => (done(), reject(new Error(`the evaluation thread exited with code ${code}`)));
      arm(Math.max(timeLimitMs, SETUP_LIMIT_MS), "loading the problem");
      thread.on("message", onMessage).on("error", onError).on("exit", onExit);
      // A copy of the bytes travels (transferring would detach the caller's buffer).
      thread.postMessage(request);
    });
  }

  /** Terminates every thread (a running evaluation's promise rejects). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.idle, ...this.busy].map((t) => t.terminate()));
    this.idle.length = 0;
  }
}
