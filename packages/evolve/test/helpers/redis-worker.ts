// A queue worker process for the queue tests, run from the sources:
// `node --import test/support/register-ts.mjs test/helpers/redis-worker.ts URL [lockDuration ms] [stalledInterval ms]`.
// Prints "worker ready" once serving, its log lines, and "worker closed" once SIGTERM has let the
// running job finish.
import { startQueueWorker } from "@fluxion/evolve/queue";

const [url, lockDuration = "30000", stalledInterval = "30000"] = process.argv.slice(2);
const worker = await startQueueWorker({
  connection: url!,
  lockDuration: Number(lockDuration),
  stalledInterval: Number(stalledInterval),
  stopOnSignals: true,
  log: (line) => console.log(line),
});
console.log("worker ready");
await worker.closed;
console.log("worker closed");
