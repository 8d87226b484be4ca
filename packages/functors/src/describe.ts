import { isPlainObject } from "./functor.js";

/** A short phrase for error messages: "an array of length 2", "a Dense", "number 3". */
export function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (x instanceof Map) return "a Map";
  if (isPlainObject(x)) return "a plain object";
  if (typeof x === "object") return `a ${x.constructor?.name ?? "object"}`;
  return `${typeof x} ${String(x)}`;
}
