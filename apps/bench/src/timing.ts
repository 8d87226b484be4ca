// Interleaved timing: contenders take turns so that load from other processes on this shared
// machine falls on all alike; each turn is timed alone and the medians are compared. The order
// rotates each round (A B C, B C A, C A B, …): a turn pays for the caches and heap the turn before
// it left (a tfjs-layers step before a fluxion step cost the latter ~4 ms of 40 on the big MLP).

/** One contender: a name and one repetition of its work (awaited, so async baselines fit). */
export interface Contender {
  name: string;
  run: () => unknown;
}

/** How long to measure: at least `minReps` turns each, then stop at `reps` or after `budgetMs`. */
export interface TimingPlan {
  warmup: number;
  reps: number;
  minReps: number;
  budgetMs: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median milliseconds per turn of each contender, by name. */
export async function interleave(contenders: readonly Contender[], plan: TimingPlan): Promise<Record<string, number>> {
  for (let i = 0; i < plan.warmup; i++) for (const c of contenders) await c.run();
  const times = contenders.map(() => [] as number[]);
  const start = performance.now();
  for (let rep = 0; rep < plan.reps; rep++) {
    if (rep >= plan.minReps && performance.now() - start > plan.budgetMs) break;
    for (let turn = 0; turn < contenders.length; turn++) {
      const i = (rep + turn) % contenders.length;
      const t0 = performance.now();
      await contenders[i]!.run();
      times[i]!.push(performance.now() - t0);
    }
  }
  return Object.fromEntries(contenders.map((c, i) => [c.name, median(times[i]!)]));
}
