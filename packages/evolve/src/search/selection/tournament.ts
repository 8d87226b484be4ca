// NaiveGAflux's TournamentSelection: n tournaments of k candidates each.
import type { Rng } from "@fluxion/nn";
import type { Candidate, Evolution, EvolutionContext } from "../interfaces.js";
import { EvolveCandidates } from "./evolve-candidates.js";
import { byFitness, checkCount, checkEvolution } from "./rank.js";

/** Options of `TournamentSelection`. */
export interface TournamentOptions {
  /** Makes the next candidates from the winners (default: `new EvolveCandidates()`, plain copies). */
  evolve?: Evolution;
  /** Names the generator, `seeds(generation, "select", purpose)`; default "tournament". */
  purpose?: string;
}

/**
 * `n` tournaments of `k` candidates (drawn from shuffled copies of the population, so every
 * candidate takes part about equally often); in each, the rank-i candidate (0: the fittest) wins
 * with probability p(1−p)^i, the last one with the rest, (1−p)^(k−1). The winners, in order, go
 * through `evolve`, which makes the new candidates.
 */
export class TournamentSelection implements Evolution {
  readonly n: number;
  readonly k: number;
  readonly p: number;
  readonly evolution: Evolution;
  readonly purpose: string;
  constructor(n: number, k: number, p: number, options: TournamentOptions = {}) {
    this.n = checkCount("TournamentSelection", "n", n);
    this.k = checkCount("TournamentSelection", "k", k, 1);
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new Error(`TournamentSelection: p must be a probability in [0, 1], got ${String(p)}`);
    this.p = p;
    this.evolution = checkEvolution("TournamentSelection", options.evolve ?? new EvolveCandidates());
    this.purpose = options.purpose ?? "tournament";
  }

  /** The winners of the `n` tournaments, with `rng`. */
  select(population: readonly Candidate[], rng: Rng): Candidate[] {
    if (population.length === 0) throw new Error("TournamentSelection: the population is empty");
    const k = Math.min(this.k, population.length);
    const entrants: Candidate[] = [];
    while (entrants.length < this.n * k) entrants.push(...rng.permutation(population.length).map((i) => population[i]!));
    return Array.from({ length: this.n }, (_, t) => {
      const ranked = byFitness("TournamentSelection", entrants.slice(t * k, (t + 1) * k));
      let i = 0;
      while (i < ranked.length - 1 && rng.float() >= this.p) i++;
      return ranked[i]!;
    });
  }

  /** The candidates of the next generation made from `population` (see the class). */
  evolve(population: readonly Candidate[], ctx: EvolutionContext): Candidate[] {
    const winners = this.select(population, ctx.seeds(ctx.generation, "select", this.purpose));
    return this.evolution.evolve(winners, ctx);
  }
}
