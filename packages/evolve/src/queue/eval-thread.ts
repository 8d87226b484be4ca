// The body of a queue worker's evaluation thread (threads.ts): rebuilds the run's problem once,
// switches to the run's backend, and evaluates one candidate per message.
import { parentPort } from "node:worker_threads";
import { evaluateTask } from "./evaluate-task.js";
import type { ThreadReply, ThreadRequest } from "./threads.js";

if (parentPort === null) throw new Error("eval-thread: runs only as a worker thread of a queue worker");
const port = parentPort;
port.on("message", (request: ThreadRequest) => {
  evaluateTask(request).then(
    (result): void => port.postMessage({ result } satisfies ThreadReply, [result.candidate.buffer as ArrayBuffer]),
    (err: unknown): void => port.postMessage({ error: err instanceof Error ? err.message : String(err) } satisfies ThreadReply),
  );
});
