import { registrationOf, type FieldSpec } from "./registry.js";

/** Rebuilds a node of the original kind from (mapped) children. */
export type Reconstruct = (children: any) => any;

const NO_CHILDREN: readonly [] = Object.freeze([]) as readonly [];

/** Whether `x` is a plain object (`{…}` or `Object.create(null)`), which fmap walks into by key. */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== "object") return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** The child field names of a registered functor instance, in child order. */
function fieldsOf(x: object, spec: FieldSpec | undefined): readonly string[] {
  if (spec === undefined) return Object.keys(x);
  return typeof spec === "function" ? spec(x) : spec;
}

type Kind = "leaf" | "array" | "object" | "map" | "class";

export function kindOf(x: unknown): Kind {
  if (x === null || typeof x !== "object") return "leaf";
  if (Array.isArray(x)) return x.length === 0 ? "leaf" : "array"; // [] is Julia's (): a leaf
  if (isPlainObject(x)) return "object";
  if (x instanceof Map) return "map";
  const reg = registrationOf(x);
  if (reg?.kind !== "functor") return "leaf";
  // A registered class with no fields at all is a leaf; one with an empty field list is not.
  return reg.fields === undefined && Object.keys(x).length === 0 ? "leaf" : "class";
}

/**
 * Splits `x` into its children and a function that rebuilds an `x`-like node from new children.
 * Arrays give the array, plain objects the object, Maps the Map, registered classes a plain object
 * of their child fields; leaves give no children and a rebuild that returns `x` itself.
 */
export function functor(x: unknown): [children: any, reconstruct: Reconstruct] {
  switch (kindOf(x)) {
    case "leaf":
      return [NO_CHILDREN, () => x];
    case "array":
    case "object":
    case "map":
      return [x, (ch) => ch];
    case "class": {
      const obj = x as Record<string, unknown>;
      const fields = fieldsOf(obj, (registrationOf(obj) as { fields?: FieldSpec }).fields);
      const ch: Record<string, unknown> = {};
      for (const f of fields) ch[f] = obj[f];
      return [ch, (mapped) => rebuild(obj, fields, mapped)];
    }
  }
}

/**
 * A copy of `original` (same prototype, constructor not run) with child fields replaced: by name
 * from an object, or positionally from an array in the fields' declaration order (Julia's `re`).
 */
function rebuild(original: Record<string, unknown>, fields: readonly string[], mapped: unknown): object {
  const out = Object.create(Object.getPrototypeOf(original)) as Record<string, unknown>;
  Object.assign(out, original);
  if (Array.isArray(mapped)) {
    const declared = Object.keys(original).filter((k) => fields.includes(k));
    if (mapped.length !== declared.length) {
      throw new Error(`rebuild ${original.constructor.name}: expected ${declared.length} children, got ${mapped.length}`);
    }
    declared.forEach((k, i) => (out[k] = mapped[i]));
  } else {
    for (const f of fields) if (f in (mapped as object)) out[f] = (mapped as Record<string, unknown>)[f];
  }
  return out;
}

/** The children of `x`: `[]` for a leaf. */
export function children(x: unknown): any {
  return functor(x)[0];
}

/**
 * True for values with no children: primitives, functions, tensors, typed arrays, unregistered
 * class instances, classes registered as leaves, and the empty array (Julia's `()`).
 * `{}` and an empty Map are containers with no children, not leaves.
 */
export function isLeaf(x: unknown): boolean {
  return kindOf(x) === "leaf";
}

/**
 * Whether walks visit `x` once and reuse the result when it is reached again (Julia's `usecache`):
 * leaf objects (tensors, typed arrays, …), Maps and registered class instances. Primitives,
 * functions, plain arrays and plain objects are walked every time.
 */
export function isShared(x: unknown): boolean {
  if (x === null || typeof x !== "object") return false;
  const kind = kindOf(x);
  if (kind === "leaf") return !Array.isArray(x);
  return kind === "map" || kind === "class";
}
