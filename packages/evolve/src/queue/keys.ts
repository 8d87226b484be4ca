// Names on the queue. A job and its Redis entries are named by (run, generation, candidate id) and
// a digest of everything that decides the result (seed, problem, the candidate's bytes): a job
// that runs twice writes the same result under the same key, a resumed run finds the jobs it
// already submitted, and two runs on one queue never read each other's entries.
import { createHash } from "node:crypto";
import type { EncodedTask, ProblemRef } from "../search/interfaces.js";

/** The Redis key prefix of every entry the queue evaluator writes besides BullMQ's own. */
export const KEY_PREFIX = "fluxion:evolve";

/** The names of one candidate's job and entries. */
export interface TaskNames {
  /** The BullMQ job id (BullMQ forbids ":" in ids and integer ids). */
  readonly jobId: string;
  /** The entry holding the candidate's bytes. */
  readonly taskKey: string;
  /** The entry the worker writes the trained candidate and its fitness to. */
  readonly resultKey: string;
  /** Hex digest of the seed, the problem and the candidate's bytes. */
  readonly digest: string;
}

/** The names of `task`'s job and Redis entries on queue `queue`. */
export function taskNames(queue: string, task: EncodedTask, problem: ProblemRef): TaskNames {
  const hash = createHash("sha256");
  hash.update(JSON.stringify([task.seed, problem.module, problem.name ?? "problem", problem.options ?? null]));
  hash.update(task.candidate);
  const digest = hash.digest("hex").slice(0, 16);
  const where = `${queue}:${encodeURIComponent(task.run)}:${task.generation}:${task.id}:${digest}`;
  return {
    jobId: `${encodeURIComponent(task.run)}.g${task.generation}.c${task.id}.${digest}`,
    taskKey: `${KEY_PREFIX}:task:${where}`,
    resultKey: `${KEY_PREFIX}:result:${where}`,
    digest,
  };
}
