import { isPlainObject } from "./functor.js";

/**
 * A short phrase naming what `x` is, for error messages: "an array of length 2", "a Map",
 * "a plain object", "a Dense", "a function (sin)", "the number 3", "the string \"x\"".
 */
export function describe(x: unknown): string {
  if (x === null) return "null";
  if (x === undefined) return "undefined";
  if (typeof x === "function") return `a function${x.name ? ` (${x.name})` : ""}`;
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (x instanceof Map) return "a Map";
  if (isPlainObject(x)) return "a plain object";
  if (typeof x === "object") return `a ${x.constructor?.name ?? "object"}`;
  if (typeof x === "string") return `the string ${JSON.stringify(x)}`;
  return `the ${typeof x} ${String(x)}`;
}
