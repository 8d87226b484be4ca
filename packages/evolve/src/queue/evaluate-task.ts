// One evaluation on a worker: the run's backend (the same numbers as the sequential evaluator need
// the same backend), then the search's own worker side, `evaluateEncoded`.
import { useBackend, tf, type BackendName } from "@fluxion/backend";
import { evaluateEncoded } from "../search/evaluators/evaluate-encoded.js";
import type { EncodedResult } from "../search/interfaces.js";
import type { ThreadRequest } from "./threads.js";

/** Evaluates one candidate as the sequential evaluator would, on the run's backend. */
export async function evaluateTask(request: ThreadRequest): Promise<EncodedResult> {
  if (tf.getBackend() !== request.backend) await useBackend(request.backend as BackendName);
  return evaluateEncoded(request.problem, request.task);
}
