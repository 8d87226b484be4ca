// NaiveGAflux's CombinedEvolution: several strategies on the same population, results joined.
import type { Candidate, Evolution, EvolutionContext } from "../interfaces.js";
import { checkEvolution } from "./rank.js";

/**
 * Applies each evolution to the same population, in order, and joins what they return: e.g.
 * `new CombinedEvolution(new EliteSelection(2), new TournamentSelection(6, 2, 1, { evolve }))`
 * gives 2 + 6 = 8 candidates. A candidate kept by two of them appears once.
 */
export class CombinedEvolution implements Evolution {
  readonly evolutions: readonly Evolution[];
  constructor(...evolutions: Evolution[]) {
    if (evolutions.length === 0) throw new Error("CombinedEvolution: needs at least one evolution");
    evolutions.forEach((e, i) => checkEvolution(`CombinedEvolution (argument ${i + 1})`, e));
    this.evolutions = Object.freeze([...evolutions]);
  }
  /** The candidates of the next generation made from `population` (see the class). */
  evolve(population: readonly Candidate[], ctx: EvolutionContext): Candidate[] {
    const out: Candidate[] = [];
    for (const e of this.evolutions) for (const c of e.evolve(population, ctx)) if (!out.includes(c)) out.push(c);
    return out;
  }
}
