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

/**
 * Runs `f`, which must refuse its input: throw an Error of fluxion's own (not a TypeError,
 * RangeError or ReferenceError from deep inside tfjs or JavaScript) and leave no tensor behind.
 * Returns that error, for its message to be checked.
 */
export function refusal(f: () => unknown): Error {
  const before = liveTensors();
  let thrown: { error: unknown } | null = null;
  try {
    f();
  } catch (error) {
    thrown = { error };
  }
  if (thrown === null) throw new Error("refusal: the call returned normally; it should have thrown");
  const err = thrown.error;
  if (!(err instanceof Error) || err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError) {
    throw new Error(`refusal: expected fluxion's own Error, got ${err instanceof Error ? `a ${err.name}: ${err.message}` : String(err)}`, { cause: err });
  }
  const grown = liveTensors() - before;
  if (grown !== 0) throw new Error(`refusal: the failed call left ${grown} tensor(s) behind (${err.message})`);
  return err;
}
