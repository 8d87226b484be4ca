// One evaluation on a worker: the run's problem (rebuilt once per thread from its ProblemRef) on the
// run's backend, applied to one encoded candidate.
import { useBackend, tf, type BackendName } from "@fluxion/backend";
import type { EncodedResult } from "../search/interfaces.js";
import type { ThreadRequest } from "./threads.js";

const problems = new Map<string, Promise<any>>();

/** Evaluates one candidate as the sequential evaluator would. */
export async function evaluateTask(request: ThreadRequest): Promise<EncodedResult> {
  if (tf.getBackend() !== request.backend) await useBackend(request.backend as BackendName);
  const key = JSON.stringify(request.problem);
  if (!problems.has(key)) {
    const { module, name = "problem", options } = request.problem;
    problems.set(key, import(module).then((m) => m[name](options)));
  }
  const problem = await problems.get(key)!;
  return problem.evaluateEncoded(request.task); // SCAFFOLD until issue 15's evaluateEncoded lands
}
