// The queue tests' problem: the engine's toy problem (test/fixtures/toy-problem.ts), with a busy
// wait before each evaluation (so a worker can be killed or stopped in the middle of a job) and
// an optional candidate that never finishes (to meet the time limit). The wait does not change
// the result: fitness and weights are the toy problem's. `trivial` skips training altogether (to
// measure the queue's own cost per job).
import type { Problem } from "@fluxion/evolve";
import { problem as toy, type ToyOptions } from "../fixtures/toy-problem.js";

export interface RedisProblemOptions extends ToyOptions {
  /** Milliseconds of busy CPU before each evaluation (default 0). */
  busyMs?: number;
  /** The candidate whose evaluation spins forever. */
  hangId?: number;
  /** No training: fitness 1 at once. */
  trivial?: boolean;
}

export function problem(options: RedisProblemOptions = {}): Problem {
  const { busyMs = 0, hangId, trivial = false, ...rest } = options;
  const base = toy(rest);
  return {
    evaluate(c, ctx) {
      const until = c.id === hangId ? Infinity : Date.now() + busyMs;
      while (Date.now() < until); // CPU-bound, as training is: the worker's lock must still be renewed
      return trivial ? { fitness: 1, metrics: {} } : base.evaluate(c, ctx);
    },
    dispose: () => base.dispose?.(),
  };
}
