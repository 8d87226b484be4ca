// The piscina worker of PoolEvaluator: selects the main thread's backend once, then evaluates
// encoded candidates (the problem module is imported once per thread, by evaluateEncoded).
import { useBackend, type BackendName } from "@fluxion/backend";
import type { EncodedResult, EncodedTask, ProblemRef } from "../interfaces.js";
import { evaluateEncoded } from "./evaluate-encoded.js";

/** What PoolEvaluator sends a worker for one candidate. */
export interface PoolJob {
  readonly problem: ProblemRef;
  readonly task: EncodedTask;
  /** The main thread's backend, so both compute the same numbers. */
  readonly backend: BackendName;
}

let ready: Promise<unknown> | null = null;

/** Evaluates one job (piscina calls the default export). */
export default async function evaluateJob(job: PoolJob): Promise<EncodedResult> {
  ready ??= useBackend(job.backend);
  await ready;
  return evaluateEncoded(job.problem, job.task);
}
