// `evolve-worker --queue redis://HOST:PORT`: serves the evaluations of every evolve run on that
// queue, from this machine, until stopped (Ctrl-C or SIGTERM finish the running job first).
import { startQueueWorker } from "@fluxion/evolve/queue";
import type { OptionSpec } from "../parse-args.js";

/** The `--queue` option of `evolve` and `evolve-worker`. */
export const QUEUE_OPTION: OptionSpec = {
  value: "a Redis URL, redis://HOST:PORT",
  placeholder: "URL",
  help: "evaluate on the BullMQ queue at this Redis (workers: evolve-worker --queue URL); with --workers N also start N local workers",
};

/** The `--queue` option of `evolve-worker`. */
export const WORKER_QUEUE_OPTION: OptionSpec = { value: "a Redis URL, redis://HOST:PORT", placeholder: "URL", help: "the Redis of the queue to serve (required)" };

/** The `--concurrency` option of `evolve-worker`. */
export const CONCURRENCY_OPTION: OptionSpec = { value: "a whole number ≥ 1", placeholder: "N", help: "candidates evaluated at once, each in its own thread (default 1)" };

/** Set in the environment of the local workers `evolve --queue URL --workers N` starts. */
export const LOCAL_WORKER_ENV = "FLUXION_EVOLVE_LOCAL_WORKER";

/** Serves the queue until the process is told to stop. */
export async function evolveWorker(options: { queue: string; concurrency: number }): Promise<void> {
  const worker = await startQueueWorker({ connection: options.queue, concurrency: options.concurrency, stopOnSignals: true, log: (line) => console.log(line) });
  // A local worker of a run stops with it, even when the run dies without stopping it: its stdin,
  // a pipe from the run, then closes.
  const local = process.env[LOCAL_WORKER_ENV] === "1";
  if (local) process.stdin.on("end", () => void worker.close()).resume();
  console.log(`serving the evolve queue '${worker.queue}' at ${withoutPassword(options.queue)} with ${options.concurrency} thread(s); stop with Ctrl-C or SIGTERM (the running job finishes first)`);
  await worker.closed;
  if (local) process.stdin.destroy(); // a flowing stdin would keep the process alive
  console.log("stopped");
}

/** The URL with its password, if any, masked (it is printed). */
function withoutPassword(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.href;
}
