// A queue worker process for the queue tests: `node --conditions=@fluxion/source --import
// ./redis-ts-loader.mjs redis-worker.ts URL [concurrency] [lockDuration ms] [stalledInterval ms]`.
// Prints "worker ready" once serving, its log lines, and "worker closed" when SIGTERM has let the
// running job finish.
import { startQueueWorker } from "@fluxion/evolve/queue";

const [url, concurrency = "1", lockDuration = "30000", stalledInterval = "30000", queue = "fluxion-evolve"] = process.argv.slice(2);
const worker = await startQueueWorker({
  connection: url!,
  queue,
  concurrency: Number(concurrency),
  lockDuration: Number(lockDuration),
  stalledInterval: Number(stalledInterval),
  stopOnSignals: true,
  log: (line) => console.log(line),
});
console.log("worker ready");
await worker.closed;
console.log("worker closed");
