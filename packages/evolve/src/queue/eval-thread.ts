// The body of a queue worker's evaluation thread (threads.ts): prepares the run's backend and
// problem, says so (the time limit counts from then), and evaluates one candidate per message.
import { parentPort } from "node:worker_threads";
import { evaluateTask, prepareTask } from "./evaluate-task.js";
import type { ThreadReply, ThreadRequest } from "./threads.js";

if (parentPort === null) throw new Error("eval-thread: runs only as a worker thread of a queue worker");
const port = parentPort;
port.on("message", (request: ThreadRequest) => {
  prepareTask(request)
    .then(() => {
      port.postMessage({ started: true } satisfies ThreadReply);
      return evaluateTask(request);
    })
    .then(
      (result): void => port.postMessage({ result } satisfies ThreadReply, [result.candidate.buffer as ArrayBuffer]),
      (err: unknown): void => port.postMessage({ error: err instanceof Error ? err.message : String(err) } satisfies ThreadReply),
    );
});
