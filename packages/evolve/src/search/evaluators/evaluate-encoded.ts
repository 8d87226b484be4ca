// The worker side of every evaluator that moves candidates as bytes (thread pool, job queue).
import { candidateCodec, disposeCandidate, withEvaluation } from "../candidate.js";
import { seedRandom } from "@fluxion/nn";
import { mixSeed, seedsFor } from "../seeds.js";
import type { Candidate, EncodedResult, EncodedTask, Evaluation, Problem, ProblemRef } from "../interfaces.js";
import { loadProblem } from "./load-problem.js";
import { WORST_FITNESS } from "../fitness/score.js";

/** `problem.evaluate`, with an exception turned into the worst fitness and its message. */
export async function evaluateSafely(problem: Problem, c: Candidate, generation: number, seed: number): Promise<Evaluation> {
  try {
    // Code drawing from nn's default generator (Dropout without an rng) draws the same in any thread.
    seedRandom(mixSeed(seed, generation, c.id, "default-rng"));
    return await problem.evaluate(c, { generation, seeds: seedsFor(seed) });
  } catch (err) {
    return { fitness: WORST_FITNESS, metrics: {}, error: String((err as Error)?.message ?? err) };
  }
}

/**
 * Evaluates one encoded candidate: builds the problem (once per thread), decodes the candidate,
 * trains and validates it with the task's generation and seed, and returns the trained candidate
 * encoded with its fitness. Every tensor it makes is freed. Deterministic: the same task gives the
 * same bytes in any thread or process.
 */
export async function evaluateEncoded(problem: ProblemRef, task: EncodedTask): Promise<EncodedResult> {
  const p = await loadProblem(problem);
  const c = candidateCodec.decode(task.candidate);
  try {
    if (c.id !== task.id) throw new Error(`evaluateEncoded: the task is for candidate ${task.id}, its bytes hold candidate ${c.id}`);
    const e = await evaluateSafely(p, c, task.generation, task.seed);
    return {
      id: c.id,
      fitness: e.fitness,
      metrics: { ...e.metrics },
      candidate: candidateCodec.encode(withEvaluation(c, e)),
      ...(e.error === undefined ? {} : { error: e.error }),
    };
  } finally {
    disposeCandidate(c);
  }
}
