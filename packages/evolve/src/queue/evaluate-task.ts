// One evaluation on a worker: the run's backend (the same numbers as the sequential evaluator need
// the same backend) and problem, then the search's own worker side, `evaluateEncoded`.
import { useBackend, tf, type BackendName } from "@fluxion/backend";
import { evaluateEncoded } from "../search/evaluators/evaluate-encoded.js";
import { loadProblem } from "../search/evaluators/load-problem.js";
import type { EncodedResult } from "../search/interfaces.js";
import type { ThreadRequest } from "./threads.js";

/** Switches to the run's backend and builds its problem (once per thread: both are kept). */
export async function prepareTask(request: ThreadRequest): Promise<void> {
  if (tf.getBackend() !== request.backend) await useBackend(request.backend as BackendName);
  await loadProblem(request.problem);
}

/** Evaluates one candidate as the sequential evaluator would (after `prepareTask`). */
export function evaluateTask(request: ThreadRequest): Promise<EncodedResult> {
  return evaluateEncoded(request.problem, request.task);
}
