// A queue worker process for the queue tests, run from the sources:
// `node --import test/support/register-ts.mjs test/helpers/redis-worker.ts URL lockDuration stalledInterval queue`
// (durations in ms).
// Prints "worker ready" once serving, its log lines, and "worker closed" once SIGTERM has let the
// running job finish.
import { startQueueWorker } from "@fluxion/evolve/queue";

const [url, lockDuration, stalledInterval, queue] = process.argv.slice(2);
const worker = await startQueueWorker({
  connection: url!,
  queue: queue!,
  lockDuration: Number(lockDuration),
  stalledInterval: Number(stalledInterval),
  stopOnSignals: true,
  log: (line) => console.log(line),
});
console.log("worker ready");
await worker.closed;
console.log("worker closed");
