// NaiveGAflux's EliteSelection: the best candidates, kept as they are.
import type { Candidate, Evolution, EvolutionContext } from "../interfaces.js";
import { byFitness, checkCount } from "./rank.js";

/** The `n` fittest candidates (ties: lower id first), the same objects, unchanged. */
export class EliteSelection implements Evolution {
  readonly n: number;
  constructor(n: number) {
    this.n = checkCount("EliteSelection", "n", n);
  }
  /** The candidates of the next generation made from `population` (see the class). */
  evolve(population: readonly Candidate[], _ctx: EvolutionContext): Candidate[] {
    return byFitness("EliteSelection", population).slice(0, this.n);
  }
}
