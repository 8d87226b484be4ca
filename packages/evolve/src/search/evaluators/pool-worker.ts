// The piscina worker of PoolEvaluator: selects the main thread's backend once, then evaluates
// encoded candidates (the problem module is imported once per thread, by evaluateEncoded). The
// problem and backend come once per thread as piscina's workerData, so a problem's options
// (possibly a whole data set) are not copied with every task.
import { workerData } from "node:worker_threads";
import { useBackend, type BackendName } from "@fluxion/backend";
import type { EncodedResult, EncodedTask, ProblemRef } from "../interfaces.js";
import { evaluateEncoded } from "./evaluate-encoded.js";
import { loadProblem } from "./load-problem.js";

/** What every worker of a pool gets once (piscina's `workerData`). */
export interface PoolWorkerData {
  readonly problem: ProblemRef;
  /** The main thread's backend, so both compute the same numbers. */
  readonly backend: BackendName;
}

let ready: Promise<PoolWorkerData> | null = null;

async function setUp(): Promise<PoolWorkerData> {
  const { problem, backend } = workerData as PoolWorkerData;
  await useBackend(backend);
  return { problem, backend };
}

/** Evaluates one encoded candidate (piscina calls the default export); `null` only sets the thread up (backend, problem). */
export default async function evaluateTask(task: EncodedTask | null): Promise<EncodedResult | null> {
  ready ??= setUp();
  const { problem } = await ready;
  if (task === null) {
    await loadProblem(problem);
    return null;
  }
  return evaluateEncoded(problem, task);
}
