import { liveTensorCount } from "./engine.js";
import { tf } from "./tf.js";

/** Tensors alive now, across every backend of the shared engine (safe before any backend starts). */
export function liveTensors(): number {
  return liveTensorCount();
}

/**
 * Runs `fn` and checks it leaves exactly `expectedNew` more live tensors than before (the ones it
 * returns, by default counted from its result). Throws an Error naming the difference otherwise.
 * Works with sync and async functions.
 */
export function assertNoLeaks<T>(fn: () => T, expectedNew?: number): T;
export function assertNoLeaks<T>(fn: () => Promise<T>, expectedNew?: number): Promise<T>;
export function assertNoLeaks<T>(fn: () => T | Promise<T>, expectedNew?: number): T | Promise<T> {
  const before = liveTensors();
  const check = (result: T): T => {
    const expected = expectedNew ?? countTensors(result);
    const grown = liveTensors() - before;
    if (grown !== expected) {
      throw new Error(`tensor leak: expected ${expected} new live tensor(s) (the result), found ${grown}`);
    }
    return result;
  };
  const out = fn();
  return out instanceof Promise ? out.then(check) : check(out);
}

/** Number of distinct undisposed tensor objects reachable in `x` through arrays, plain objects and Maps. */
export function countTensors(x: unknown): number {
  const seen = new Set<unknown>();
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== "object" || seen.has(v)) return;
    seen.add(v);
    if (v instanceof tf.Tensor) {
      if (!v.isDisposed) tensors += 1;
      return;
    }
    if (Array.isArray(v)) v.forEach(visit);
    else if (v instanceof Map) v.forEach(visit);
    else Object.values(v as object).forEach(visit);
  };
  let tensors = 0;
  visit(x);
  return tensors;
}
