// The reference evaluator: one candidate after another, in this thread, on the objects themselves.
import type { Candidate, Evaluator, ProblemRef } from "../interfaces.js";
import { withEvaluation } from "../candidate.js";
import { checkProblemRef, loadProblem } from "./load-problem.js";
import { evaluateSafely } from "./evaluate-encoded.js";

/**
 * Evaluates candidates one after another in this thread (the reference every other evaluator must
 * match bit for bit). The problem module is imported once and cached for the process.
 */
export class SequentialEvaluator implements Evaluator {
  readonly problem: ProblemRef;

  constructor(problem: ProblemRef) {
    this.problem = checkProblemRef("SequentialEvaluator", problem);
  }

  async evaluate(candidates: readonly Candidate[], ctx: { run: string; seed: number; generation: number }): Promise<Candidate[]> {
    const p = await loadProblem(this.problem);
    const out: Candidate[] = [];
    for (const c of candidates) out.push(withEvaluation(c, await evaluateSafely(p, c, ctx.generation, ctx.seed)));
    return out;
  }

  /** Nothing to stop: the problem stays cached for the process (`unloadProblem` frees it). */
  async close(): Promise<void> {}
}
