// What the selections share: candidates ranked by fitness, and checks of their arguments.
import type { Candidate, Evolution } from "../interfaces.js";

/** The fitness a selection reads: a failed or non-finite evaluation ranks last. */
export function rankFitness(fn: string, c: Candidate): number {
  if (c.fitness === undefined) throw new Error(`${fn}: candidate ${c.id} has no fitness; evaluate the population before evolving it`);
  return Number.isNaN(c.fitness) ? -Infinity : c.fitness;
}

/** The population best first (higher fitness; equal fitness: lower id first). */
export function byFitness(fn: string, population: readonly Candidate[]): Candidate[] {
  const f = new Map(population.map((c) => [c, rankFitness(fn, c)]));
  return [...population].sort((a, b) => f.get(b)! - f.get(a)! || a.id - b.id);
}

/** Throws unless `n` is a whole number ≥ `min`. */
export function checkCount(fn: string, what: string, n: unknown, min = 0): number {
  if (!Number.isInteger(n) || (n as number) < min) throw new Error(`${fn}: ${what} must be a whole number ≥ ${min}, got ${String(n)}`);
  return n as number;
}

/** Throws unless `e` is an Evolution. */
export function checkEvolution(fn: string, e: unknown): Evolution {
  if (e === null || typeof e !== "object" || typeof (e as Evolution).evolve !== "function") throw new Error(`${fn}: expected an Evolution (an object with evolve(population, ctx)), got ${e === null ? "null" : typeof e}`);
  return e as Evolution;
}
