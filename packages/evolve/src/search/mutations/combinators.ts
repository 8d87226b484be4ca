// NaiveGAflux's decorating mutations: with a probability, a chain, a weighted choice, a filter.
// Each lists its parts (`mutationLeaves`), so a MutationShield sees through it.
import type { Mutation, OperatorContext } from "../interfaces.js";

/** What every mutation returns. */
export type Mutated<T> = { value: T; changes: string[] };

/** Throws unless `m` is a Mutation, naming `fn` and `what`. */
export function checkMutation(fn: string, m: unknown, what = "the mutation"): void {
  if (m === null || typeof m !== "object" || (m as Mutation<unknown>).kind !== "mutation" || typeof (m as Mutation<unknown>).apply !== "function") {
    throw new Error(`${fn}: ${what} must be a Mutation (an object with kind "mutation" and apply), got ${m === null ? "null" : typeof m}`);
  }
}

function checkProbability(fn: string, p: unknown): number {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new Error(`${fn}: the probability must be a number in [0, 1], got ${String(p)}`);
  return p;
}

/** Applies `m` with probability `p` (one draw per application; NaiveGAflux's `MutationProbability`). */
export class MutationProbability<T> implements Mutation<T> {
  readonly kind = "mutation";
  readonly p: number;
  constructor(
    readonly m: Mutation<T>,
    p: number,
  ) {
    checkMutation("MutationProbability", m);
    this.p = checkProbability("MutationProbability", p);
  }
  apply(x: T, ctx: OperatorContext): Mutated<T> {
    return ctx.rng.float() < this.p ? this.m.apply(x, ctx) : { value: x, changes: [] };
  }
  /** The mutations it is made of (what a MutationShield checks). */
  mutationLeaves(): readonly unknown[] {
    return [this.m];
  }
}

/** Applies each mutation in turn to what the previous one gave (NaiveGAflux's `MutationChain`). */
export class MutationChain<T> implements Mutation<T> {
  readonly kind = "mutation";
  readonly ms: readonly Mutation<T>[];
  constructor(...ms: Mutation<T>[]) {
    ms.forEach((m, i) => checkMutation("MutationChain", m, `mutation ${i}`));
    this.ms = Object.freeze([...ms]);
  }
  apply(x: T, ctx: OperatorContext): Mutated<T> {
    let value = x;
    const changes: string[] = [];
    for (const m of this.ms) {
      const r = m.apply(value, ctx);
      value = r.value;
      changes.push(...r.changes);
    }
    return { value, changes };
  }
  /** The mutations it is made of (what a MutationShield checks). */
  mutationLeaves(): readonly unknown[] {
    return this.ms;
  }
}

/** Applies one of the mutations, drawn with probability proportional to its weight. */
export class MutationChoice<T> implements Mutation<T> {
  readonly kind = "mutation";
  readonly options: readonly (readonly [Mutation<T>, number])[];
  constructor(...options: (readonly [Mutation<T>, number])[]) {
    if (options.length === 0) throw new Error("MutationChoice: needs at least one [mutation, weight] pair");
    options.forEach((o, i) => {
      if (!Array.isArray(o) || o.length !== 2) throw new Error(`MutationChoice: option ${i} must be a [mutation, weight] pair`);
      checkMutation("MutationChoice", o[0], `the mutation of option ${i}`);
      if (typeof o[1] !== "number" || !(o[1] >= 0) || !Number.isFinite(o[1])) throw new Error(`MutationChoice: the weight of option ${i} must be a finite number ≥ 0, got ${String(o[1])}`);
    });
    if (!options.some((o) => o[1] > 0)) throw new Error("MutationChoice: at least one weight must be above 0");
    this.options = Object.freeze(options.map((o) => Object.freeze([o[0], o[1]] as const)));
  }
  apply(x: T, ctx: OperatorContext): Mutated<T> {
    const total = this.options.reduce((s, o) => s + o[1], 0);
    let u = ctx.rng.float() * total;
    // Rounding can leave u ≥ 0 after the last weight: then the last option with a weight wins.
    const picked = this.options.find((o) => (u -= o[1]) < 0) ?? [...this.options].reverse().find((o) => o[1] > 0)!;
    return picked[0].apply(x, ctx);
  }
  /** The mutations it is made of (what a MutationShield checks). */
  mutationLeaves(): readonly unknown[] {
    return this.options.map((o) => o[0]);
  }
}

/** Applies `m` only where `predicate(x)` holds (NaiveGAflux's `MutationFilter`). */
export class MutationFilter<T> implements Mutation<T> {
  readonly kind = "mutation";
  constructor(
    /** Where the mutation applies. */
    readonly predicate: (x: T) => boolean,
    readonly m: Mutation<T>,
  ) {
    if (typeof predicate !== "function") throw new Error(`MutationFilter: the predicate must be a function, got ${typeof predicate}`);
    checkMutation("MutationFilter", m);
  }
  apply(x: T, ctx: OperatorContext): Mutated<T> {
    return this.predicate(x) ? this.m.apply(x, ctx) : { value: x, changes: [] };
  }
  /** The mutations it is made of (what a MutationShield checks). */
  mutationLeaves(): readonly unknown[] {
    return [this.m];
  }
}

