// NaiveGAflux's SusSelection: stochastic universal sampling, proportional to fitness.
import type { Rng } from "@fluxion/nn";
import type { Candidate, Evolution, EvolutionContext } from "../interfaces.js";
import { EvolveCandidates } from "./evolve-candidates.js";
import { checkCount, checkEvolution } from "./rank.js";

/** Options of `SusSelection`. */
export interface SusOptions {
  /** Makes the next candidates from the selected (default: `new EvolveCandidates()`, plain copies). */
  evolve?: Evolution;
  /** Names the generator, `seeds(generation, "select", purpose)`; default "sus". */
  purpose?: string;
}

/**
 * `n` candidates by stochastic universal sampling: n equally spaced pointers, the first at
 * U[0, Σf/n), over the population's cumulative fitness, so candidate i is picked ⌊n·fᵢ/Σf⌋ or
 * ⌈n·fᵢ/Σf⌉ times. Fitness must be finite and ≥ 0 (a candidate whose evaluation failed, with an
 * `error`, counts as 0); when every fitness is 0 each candidate that did not fail weighs the same.
 */
export class SusSelection implements Evolution {
  readonly n: number;
  readonly evolution: Evolution;
  readonly purpose: string;
  constructor(n: number, options: SusOptions = {}) {
    this.n = checkCount("SusSelection", "n", n);
    this.evolution = checkEvolution("SusSelection", options.evolve ?? new EvolveCandidates());
    this.purpose = options.purpose ?? "sus";
  }

  /** The `n` selected candidates, in population order, with `rng`. */
  select(population: readonly Candidate[], rng: Rng): Candidate[] {
    if (population.length === 0) throw new Error("SusSelection: the population is empty");
    const weights = population.map((c) => {
      if (c.error !== undefined) return 0;
      if (c.fitness === undefined) throw new Error(`SusSelection: candidate ${c.id} has no fitness; evaluate the population before evolving it`);
      if (!Number.isFinite(c.fitness) || c.fitness < 0) throw new Error(`SusSelection: fitness must be finite and ≥ 0 (it samples in proportion to it), but candidate ${c.id} has ${c.fitness}; use TournamentSelection or shift the fitness`);
      return c.fitness;
    });
    const total = weights.reduce((a, b) => a + b, 0);
    const alive = population.map((c) => (c.error === undefined ? 1 : 0));
    const w = total > 0 ? weights : alive.some((x) => x > 0) ? alive : weights.map(() => 1);
    const sum = w.reduce((a, b) => a + b, 0);
    const step = sum / this.n;
    let pointer = rng.float() * step;
    const out: Candidate[] = [];
    let cumulative = 0;
    for (let i = 0; i < population.length && out.length < this.n; i++) {
      cumulative += w[i]!;
      while (pointer < cumulative && out.length < this.n) {
        out.push(population[i]!);
        pointer += step;
      }
    }
    // Rounding may leave the last pointer a hair past the end: it falls on the last weighted candidate.
    const lastIndex = w.reduce((j, x, i) => (x > 0 ? i : j), 0);
    const last = population[lastIndex]!;
    while (out.length < this.n) out.push(last);
    return out;
  }

  /** The candidates of the next generation made from `population` (see the class). */
  evolve(population: readonly Candidate[], ctx: EvolutionContext): Candidate[] {
    return this.evolution.evolve(this.select(population, ctx.seeds(ctx.generation, "select", this.purpose)), ctx);
  }
}
