// `evolve --queue redis://HOST:PORT`: the run evaluates through a BullMQ queue (@fluxion/evolve/queue);
// with `--workers N` it also starts N local `evolve-worker` processes, stopped when the run ends.
import { spawn, type ChildProcess } from "node:child_process";
import { createQueueEvaluator } from "@fluxion/evolve/queue";
import type { Evaluator, ProblemRef } from "fluxion";
import { LOCAL_WORKER_ENV } from "./queue-worker.js";

/** Options of `openQueueEvaluator`. */
export interface QueueRunOptions {
  /** The queue's Redis: redis://HOST:PORT. */
  readonly url: string;
  readonly problem: ProblemRef;
  /** Worker processes to start on this machine (0: only workers started elsewhere serve the run). */
  readonly localWorkers: number;
  /** The backend the local workers start with (each evaluation switches to the run's anyway). */
  readonly backend: string;
}

/**
 * A queue evaluator, and the local workers. Connects first: with Redis unreachable it throws
 * before any worker is started or anything is written.
 */
export async function openQueueEvaluator(options: QueueRunOptions): Promise<Evaluator> {
  // Its notes (jobs lost by a Redis restart and put back, no worker serving) go to stderr.
  const queue = await createQueueEvaluator({ connection: options.url, problem: options.problem, log: (line) => console.error(line) });
  // This very CLI, as `evolve-worker`: its output would interleave with the run's, so only errors
  // show; its stdin is a pipe from here, whose end (this process gone) stops it.
  const workers = Array.from({ length: options.localWorkers }, () =>
    spawn(process.execPath, [process.argv[1]!, "evolve-worker", "--queue", options.url, "--backend", options.backend], {
      stdio: ["pipe", "ignore", "inherit"],
      env: { ...process.env, [LOCAL_WORKER_ENV]: "1" },
    }),
  );
  return {
    evaluate: (candidates, ctx) => queue.evaluate(candidates, ctx),
    async close() {
      await queue.close();
      await Promise.all(workers.map(stopWorker));
    },
  };
}

/** SIGTERM and the end of its stdin (the worker finishes its job, if any), then wait for the exit. */
function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.stdin?.end();
    child.kill("SIGTERM");
  });
}
