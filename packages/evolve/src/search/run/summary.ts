// What the loop reports after each generation, and what the checkpoint remembers of every
// candidate evaluated (for a report's lineage of the best model).
import { parameterCount } from "../fitness/train-validate.js";
import type { Candidate } from "../interfaces.js";

/** One generation in numbers. */
export interface GenerationSummary {
  readonly generation: number;
  /** The best fitness and the candidate that has it (the first of equals). */
  readonly best: number;
  readonly bestId: number;
  /** Trainable parameters of the best candidate. */
  readonly bestParams: number;
  /** The median fitness (the mean of the two middle ones for an even population). */
  readonly median: number;
  readonly size: number;
  /** Candidates whose evaluation failed (worst fitness, with an error). */
  readonly failed: number;
}

/** A candidate as the run's lineage remembers it: enough to trace the best model's ancestry. */
export interface LineageRecord {
  readonly generation: number;
  readonly parents: readonly number[];
  readonly operations: readonly string[];
  /** Its fitness in the last generation it was evaluated in. */
  readonly fitness: number | null;
}

/** The summary of an evaluated population. */
export function summarise(generation: number, population: readonly Candidate[]): GenerationSummary {
  if (population.length === 0) throw new Error(`runSearch: generation ${generation} has no candidates`);
  const fitness = population.map((c) => c.fitness ?? -Infinity);
  const bestAt = fitness.reduce((b, f, i) => (f > fitness[b]! ? i : b), 0);
  const sorted = [...fitness].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const best = population[bestAt]!;
  return { generation, best: fitness[bestAt]!, bestId: best.id, bestParams: parameterCount(best.graph), median, size: population.length, failed: population.filter((c) => c.error !== undefined).length };
}

/** The lineage records of `population`, added to `into` (a later evaluation of an id replaces its fitness). */
export function recordLineage(into: Record<string, LineageRecord>, population: readonly Candidate[]): void {
  for (const c of population) into[c.id] = { generation: c.generation, parents: [...c.lineage.parents], operations: [...c.lineage.operations], fitness: c.fitness ?? null };
}
