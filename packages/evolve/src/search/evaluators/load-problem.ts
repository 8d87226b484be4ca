// A problem module is imported and its problem built once per process or thread, then reused
// by every evaluation that names the same ProblemRef.
import { describe, isPlainObject } from "@fluxion/functors";
import type { Problem, ProblemRef } from "../interfaces.js";

const cache = new Map<string, Promise<Problem>>();

/** The cache key of a ProblemRef: its module, export name and options. */
export function problemKey(ref: ProblemRef): string {
  return JSON.stringify([ref.module, ref.name ?? "problem", ref.options ?? null]);
}

/** Checks the shape of a ProblemRef, naming `fn` in the error. */
export function checkProblemRef(fn: string, ref: unknown): ProblemRef {
  const r = ref as ProblemRef;
  if (!isPlainObject(ref) || typeof r.module !== "string" || r.module === "" || (r.name !== undefined && typeof r.name !== "string")) {
    throw new Error(`${fn}: problem must be { module: a module specifier, absolute path or file URL, name?, options? }, got ${describe(ref)}`);
  }
  return r;
}

async function build(ref: ProblemRef): Promise<Problem> {
  const name = ref.name ?? "problem";
  let mod: Record<string, unknown>;
  try {
    mod = (await import(ref.module)) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`loadProblem: cannot import the problem module '${ref.module}': ${(err as Error).message}`, { cause: err });
  }
  const make = mod[name];
  if (typeof make !== "function") throw new Error(`loadProblem: the module '${ref.module}' has no function export '${name}' (exports: ${Object.keys(mod).join(", ") || "none"})`);
  const problem = (await make(ref.options)) as Problem;
  if (typeof problem?.evaluate !== "function") throw new Error(`loadProblem: ${name}(options) of '${ref.module}' returned ${describe(problem)}, expected a Problem { evaluate(candidate, ctx) }`);
  return problem;
}

/** The problem `ref` names: imported and built on first use in this thread, then cached. A failed build is not cached. */
export function loadProblem(ref: ProblemRef): Promise<Problem> {
  checkProblemRef("loadProblem", ref);
  const key = problemKey(ref);
  let p = cache.get(key);
  if (p === undefined) {
    p = build(ref);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

/** Drops the cached problem of `ref` and frees its tensors (its `dispose`). */
export async function unloadProblem(ref: ProblemRef): Promise<void> {
  const key = problemKey(ref);
  const p = cache.get(key);
  if (p === undefined) return;
  cache.delete(key);
  (await p.catch(() => null))?.dispose?.();
}
