// Flux's `throttle` (src/utils.jl) on JavaScript timers.

/** Options of `throttle`. */
export interface ThrottleOptions {
  /** Call `f` on the first call of a quiet period (default true). */
  leading?: boolean;
  /** Call `f` once more at the end of the period with the latest arguments of the calls it dropped (default false). */
  trailing?: boolean;
}

/**
 * Flux's `throttle(f, timeout; leading = true, trailing = false)`: a function that calls `f` at
 * most once every `timeout` seconds and returns the result of the last call of `f` (undefined
 * before there is one). A call during the cooldown is dropped, or with `trailing` kept (the
 * latest one) for the end of the cooldown, which then starts a new one. An error thrown by a
 * trailing call surfaces as an uncaught error, like any timer callback's; the throttle stays usable.
 */
export function throttle<A extends unknown[], R>(f: (...args: A) => R, timeout: number, options: ThrottleOptions = {}): (...args: A) => R | undefined {
  if (typeof f !== "function") throw new Error(`throttle: the first argument must be a function, got ${f === null ? "null" : typeof f}`);
  if (typeof timeout !== "number" || !(timeout >= 0) || timeout === Infinity) {
    throw new Error(`throttle: timeout must be a finite non-negative number of seconds, got ${String(timeout)}`);
  }
  const { leading = true, trailing = false } = options;
  let cooldown = true;
  let later: (() => void) | null = null;
  let result: R | undefined;
  let timer: { ref?: () => void; unref?: () => void } | null = null;

  // Flux's @async loop: at the end of each period run the kept call (the next period has begun), or end the cooldown.
  const endOfPeriod = (): void => {
    const run = later;
    later = null;
    if (run === null) {
      cooldown = true;
      return;
    }
    startPeriod();
    run();
  };
  // A period with no kept call need not keep Node alive: its timer is unref'd until a call is kept.
  const startPeriod = (): void => {
    timer = setTimeout(endOfPeriod, timeout * 1000) as typeof timer;
    if (later === null) timer?.unref?.();
  };
  const keep = (call: () => void): void => {
    later = call;
    timer?.ref?.();
  };

  return (...args: A): R | undefined => {
    if (cooldown) {
      // As in Flux, `f` runs before the cooldown starts: if it throws, the next call tries again.
      if (leading) result = f(...args);
      else keep(() => f(...args));
      cooldown = false;
      startPeriod();
    } else if (trailing) {
      keep(() => {
        result = f(...args);
      });
    }
    return result;
  };
}
