// One evaluation on a worker: the run's problem (rebuilt once per thread from its ProblemRef) on the
// run's backend, applied to one encoded candidate.
import { useBackend, tf, type BackendName } from "@fluxion/backend";
import type { EncodedResult } from "../search/interfaces.js";
import type { ThreadRequest } from "./threads.js";

/** Evaluates one candidate as the sequential evaluator would. */
export async function evaluateTask(request: ThreadRequest): Promise<EncodedResult> {
  if (tf.getBackend() !== request.backend) await useBackend(request.backend as BackendName);
  throw new Error("evaluateTask: waiting for the search engine (issue 15)");
}
