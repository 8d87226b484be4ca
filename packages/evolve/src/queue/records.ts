// What travels on the queue: a small JSON job (names, not bytes), and the result entry a worker
// writes back (a JSON header, then the trained candidate's bytes).
import type { EncodedResult, ProblemRef } from "../search/interfaces.js";

/** A job's data: where the candidate is and what to evaluate it with. A few hundred bytes. */
export interface QueueJobData {
  readonly run: string;
  readonly seed: number;
  readonly generation: number;
  readonly id: number;
  readonly problem: ProblemRef;
  /** The tfjs backend the run evaluates on (the same numbers as the sequential evaluator need the same backend). */
  readonly backend: string;
  readonly taskKey: string;
  readonly resultKey: string;
  readonly digest: string;
  /** The time limit of one attempt, in milliseconds. */
  readonly timeLimitMs: number;
  /** How long the result entry lives, in milliseconds. */
  readonly ttlMs: number;
}

/** Checks a job's data (it may come from another program on the same queue). */
export function checkJobData(data: unknown, jobId: string | undefined): QueueJobData {
  const d = data as Partial<QueueJobData> | null;
  const bad = (what: string): Error => new Error(`queue worker: job ${jobId ?? "?"} is not a fluxion evaluation job (${what})`);
  if (d === null || typeof d !== "object") throw bad("its data is not an object");
  for (const k of ["run", "taskKey", "resultKey", "digest", "backend"] as const) if (typeof d[k] !== "string") throw bad(`${k} is not a string`);
  for (const k of ["seed", "generation", "id", "timeLimitMs", "ttlMs"] as const) if (typeof d[k] !== "number") throw bad(`${k} is not a number`);
  if (d.problem === null || typeof d.problem !== "object" || typeof d.problem.module !== "string") throw bad("problem.module is not a string");
  return d as QueueJobData;
}

/** The small value a job returns (its result entry holds the rest); `reused` when an earlier run of the job wrote it. */
export type JobSummary = { readonly fitness: number | string; readonly error?: string } | { readonly reused: true };

interface ResultHeader {
  readonly id: number;
  readonly digest: string;
  readonly fitness: number | string;
  readonly metrics: Record<string, number | string>;
  readonly error?: string;
}

// JSON has no Infinity or NaN; a fitness may be either (NaN/Inf ⇒ the worst), so they travel as text.
const number = (x: number): number | string => (Number.isFinite(x) ? x : String(x));
const unnumber = (x: number | string): number => (typeof x === "number" ? x : Number(x));

/** The bytes of a result entry: a 4-byte length, the JSON header, the candidate's bytes. */
export function encodeResult(result: EncodedResult, digest: string): Uint8Array {
  const metrics = Object.fromEntries(Object.entries(result.metrics).map(([k, v]) => [k, number(v)]));
  const header: ResultHeader = { id: result.id, digest, fitness: number(result.fitness), metrics, ...(result.error !== undefined ? { error: result.error } : {}) };
  const head = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(4 + head.length + result.candidate.length);
  new DataView(out.buffer).setUint32(0, head.length, true);
  out.set(head, 4);
  out.set(result.candidate, 4 + head.length);
  return out;
}

/** The result an entry holds; throws when it is not one or belongs to another task. */
export function decodeResult(bytes: Uint8Array, digest: string, id: number): EncodedResult {
  const corrupt = (why: string): Error => new Error(`queue evaluator: the result entry of candidate ${id} is corrupt (${why})`);
  if (bytes.length < 4) throw corrupt("shorter than its header");
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  if (4 + length > bytes.length) throw corrupt("its header runs past its end");
  let header: ResultHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + length)));
  } catch (err) {
    throw corrupt(`its header is not JSON: ${(err as Error).message}`);
  }
  if (header.digest !== digest || header.id !== id) throw corrupt(`it belongs to candidate ${header.id} with digest ${header.digest}`);
  const metrics = Object.fromEntries(Object.entries(header.metrics).map(([k, v]) => [k, unnumber(v)]));
  return {
    id: header.id,
    fitness: unnumber(header.fitness),
    metrics,
    candidate: bytes.slice(4 + length),
    ...(header.error !== undefined ? { error: header.error } : {}),
  };
}

/** A job's summary from a result. */
export const summary = (result: EncodedResult): JobSummary => ({ fitness: number(result.fitness), ...(result.error !== undefined ? { error: result.error } : {}) });
