// The values a saved graph's JSON holds: numbers, strings, booleans, null and arrays of them as
// they are, and every function or object (activations, classes, Rngs) as {"$name": registered name}.
import { describe, isPlainObject } from "@fluxion/functors";
import { nameOf, valueOf } from "./names.js";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** `value` as JSON; `where` names it in errors (e.g. "vertex 'h' (Dense): sigma"). */
export function toJson(fn: string, where: string, value: unknown): Json {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`${fn}: ${where} is ${value}, which JSON cannot hold`);
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => toJson(fn, `${where}[${i}]`, v));
  if (typeof value === "function" || typeof value === "object") return { $name: nameOf(fn, where, value) };
  throw new Error(`${fn}: ${where} is ${describe(value)}, which cannot be saved`);
}

/** The value `toJson` wrote, registered names looked up. */
export function fromJson(fn: string, where: string, json: unknown): unknown {
  if (json === null || typeof json === "boolean" || typeof json === "string" || typeof json === "number") return json;
  if (Array.isArray(json)) return json.map((v, i) => fromJson(fn, `${where}[${i}]`, v));
  if (isPlainObject(json) && Object.keys(json).length === 1 && "$name" in json) return valueOf(fn, where, json.$name);
  throw new Error(`${fn}: ${where} is ${describe(json)}, not a value saveGraph writes`);
}

/** Each field of `fields` through `fromJson`. */
export function fieldsFromJson(fn: string, where: string, fields: unknown): Record<string, unknown> {
  if (!isPlainObject(fields)) throw new Error(`${fn}: ${where} must be an object of fields, got ${describe(fields)}`);
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, fromJson(fn, `${where}: ${k}`, v)]));
}
