import { describe } from "./describe.js";
import { isPlainObject } from "./functor.js";

/** One step into a tree: a field name, a 0-based array index, or a Map key. */
export type Key = string | number | symbol | object | boolean | bigint | null | undefined;

/** A path of keys from a tree's root to one of its nodes. Nested KeyPaths are spliced in. */
export class KeyPath {
  readonly keys: readonly Key[];

  constructor(...keys: (Key | KeyPath)[]) {
    this.keys = keys.flatMap((k) => (k instanceof KeyPath ? k.keys : [k]));
  }

  get length(): number {
    return this.keys.length;
  }
  /** The key at index `i` (negative counts from the end). */
  at(i: number): Key {
    return this.keys.at(i);
  }
  /** The keys from `start` to before `end`, as a new KeyPath (as `Array.prototype.slice`). */
  slice(start?: number, end?: number): KeyPath {
    return new KeyPath(...this.keys.slice(start, end));
  }
  /** The last key (undefined for the empty path). */
  last(): Key {
    return this.keys[this.keys.length - 1];
  }
  /** All keys but the first. */
  tail(): KeyPath {
    return this.slice(1);
  }
  /** Whether this is the root's path, with no keys. */
  isEmpty(): boolean {
    return this.keys.length === 0;
  }
  /** This path extended by `key` (a new KeyPath). */
  push(key: Key): KeyPath {
    if (key instanceof KeyPath) return new KeyPath(this, key);
    // Every path walk calls this once per child: one array copy, no flatMap over the keys.
    const kp = Object.create(KeyPath.prototype) as { keys: readonly Key[] };
    kp.keys = [...this.keys, key];
    return kp as KeyPath;
  }
  /** Whether `other` has the same keys (compared with `Object.is`). */
  equals(other: KeyPath): boolean {
    return other.keys.length === this.keys.length && this.keys.every((k, i) => Object.is(k, other.keys[i]));
  }
  /** The keys, in order. */
  [Symbol.iterator](): Iterator<Key> {
    return this.keys[Symbol.iterator]();
  }
  /** `KeyPath("a", 3)`; with `compact`, the keys joined by dots: `a.3`. */
  toString(options: { compact?: boolean } = {}): string {
    if (options.compact) return this.keys.map(String).join(".");
    return `KeyPath(${this.keys.map(showKey).join(", ")})`;
  }
}

function showKey(k: Key): string {
  return typeof k === "string" ? JSON.stringify(k) : String(k);
}

function step(x: unknown, k: Key): { has: boolean; value?: unknown } {
  if (x instanceof Map) return x.has(k) ? { has: true, value: x.get(k) } : { has: false };
  if (Array.isArray(x)) {
    const ok = typeof k === "number" && Number.isInteger(k) && k >= 0 && k < x.length;
    return ok ? { has: true, value: x[k as number] } : { has: false };
  }
  if (x !== null && (typeof x === "object" || typeof x === "function") && (typeof k === "string" || typeof k === "number" || typeof k === "symbol")) {
    // A plain object's keys are its own fields (a NamedTuple's names), not inherited names like
    // "toString"; other objects may also expose prototype getters (Julia's getproperty overloads).
    const has = isPlainObject(x) ? Object.hasOwn(x, k) : k in (x as object);
    return has ? { has: true, value: (x as Record<PropertyKey, unknown>)[k] } : { has: false };
  }
  return { has: false };
}

/** The node of `x` at `kp`; throws an error naming the missing key when there is none. */
export function getKeyPath(x: unknown, kp: KeyPath): unknown {
  let node = x;
  kp.keys.forEach((k, i) => {
    const s = step(node, k);
    if (!s.has) throw new Error(`getKeyPath: no key ${showKey(k)} at ${kp.slice(0, i).toString()} of ${kp.toString()}`);
    node = s.value;
  });
  return node;
}

/** Whether every key of `kp` exists along the way. */
export function hasKeyPath(x: unknown, kp: KeyPath): boolean {
  let node = x;
  for (const k of kp.keys) {
    const s = step(node, k);
    if (!s.has) return false;
    node = s.value;
  }
  return true;
}

/** Sets the node of `x` at `kp` to `v`, in place on its parent (Julia's `setkeypath!`). */
export function setKeyPath(x: unknown, kp: KeyPath, v: unknown): void {
  if (kp.isEmpty()) throw new Error("setKeyPath: an empty KeyPath has no parent to set on");
  const parent = getKeyPath(x, kp.slice(0, -1));
  const k = kp.last();
  if (parent instanceof Map) parent.set(k, v);
  else if (Array.isArray(parent)) {
    if (!(typeof k === "number" && Number.isInteger(k) && k >= 0 && k < parent.length)) {
      throw new Error(`setKeyPath: index ${showKey(k)} is out of bounds for an array of length ${parent.length}`);
    }
    parent[k] = v;
  } else if (parent !== null && typeof parent === "object" && (typeof k === "string" || typeof k === "number" || typeof k === "symbol")) {
    if (Object.isFrozen(parent)) throw new Error(`setKeyPath: the node at ${kp.slice(0, -1).toString()} is frozen`);
    (parent as Record<PropertyKey, unknown>)[k] = v;
  } else {
    throw new Error(`setKeyPath: cannot set key ${showKey(k)} on ${describe(parent)}`);
  }
}
