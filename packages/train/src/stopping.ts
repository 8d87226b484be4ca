// Flux's patience triggers (src/utils.jl): `patience`, `earlyStopping`, `plateau`.

/** Options of `earlyStopping` and `plateau`. */
export interface TriggerOptions<S> {
  /** How far `score` is from `best` (earlyStopping) or from the last score (plateau); default `best - score`. */
  distance?: (best: S, score: S) => number;
  /** The score to compare the first call's with (default Infinity, as in Flux 0.16). */
  initScore?: S;
  /** The least distance that counts as progress. */
  minDist?: number;
}

/**
 * Flux's `patience(predicate, wait)`: a function that counts the consecutive calls for which
 * `predicate(...args)` holds (a false one resets the count) and returns true once the count
 * reaches `wait`.
 */
export function patience<A extends unknown[]>(predicate: (...args: A) => boolean, wait: number): (...args: A) => boolean {
  checkTrigger("patience", predicate, "wait", wait);
  let count = 0;
  return (...args: A) => {
    count = predicate(...args) ? count + 1 : 0;
    return count >= wait;
  };
}

/**
 * Flux's `early_stopping(f, delay; distance = -, init_score = Inf, min_dist = 0)`: returns true
 * once `delay` consecutive calls have not improved on the best score so far by at least `minDist`
 * (`distance(best, f(...args)) < minDist`). With the default distance, lower scores are better.
 */
export function earlyStopping<A extends unknown[], S = number>(f: (...args: A) => S, delay: number, options: TriggerOptions<S> = {}): (...args: A) => boolean {
  checkTrigger("earlyStopping", f, "delay", delay);
  const { distance = minus("earlyStopping"), minDist = 0 } = options;
  let best = (options.initScore ?? Infinity) as S;
  return patience((...args: A) => {
    const score = f(...args);
    const delta = distance(best, score);
    best = delta < 0 ? best : score;
    return delta < minDist;
  }, delay);
}

/**
 * Flux's `plateau(f, width; distance = -, init_score = Inf, min_dist = 1f-6)`: returns true once
 * `width` consecutive calls have each moved less than `minDist` from the call before
 * (`|distance(last, f(...args))| < minDist`).
 */
export function plateau<A extends unknown[], S = number>(f: (...args: A) => S, width: number, options: TriggerOptions<S> = {}): (...args: A) => boolean {
  checkTrigger("plateau", f, "width", width);
  // Flux's default is the Float32 1f-6, compared in Float64.
  const { distance = minus("plateau"), minDist = Math.fround(1e-6) } = options;
  let last = (options.initScore ?? Infinity) as S;
  return patience((...args: A) => {
    const score = f(...args);
    const delta = Math.abs(distance(last, score));
    last = score;
    return delta < minDist;
  }, width);
}

function minus<S>(name: string): (a: S, b: S) => number {
  return (a, b) => {
    if (typeof a !== "number" || typeof b !== "number") {
      throw new Error(`${name}: the scores must be numbers for the default distance (best - score), got ${typeof a} and ${typeof b}; pass a distance`);
    }
    return a - b;
  };
}

function checkTrigger(name: string, f: unknown, field: string, n: number): void {
  if (typeof f !== "function") throw new Error(`${name}: the first argument must be a function, got ${f === null ? "null" : typeof f}`);
  if (typeof n !== "number" || Number.isNaN(n) || n < 0) throw new Error(`${name}: ${field} must be a non-negative number of calls, got ${String(n)}`);
}
