import { describe } from "./describe.js";
import { children, functor, isPlainObject, isShared, kindOf } from "./functor.js";
import type { Key, KeyPath } from "./key-path.js";

/** The function a walk calls to descend: `recurse(x, ...ys)`, or `recurse(kp, x, ...ys)` for path walks. */
export type Recurse = (...args: any[]) => any;

/** One step of a traversal (Julia's `AbstractWalk`): decides what to do with a node. */
export interface Walk {
  /** Handles the node in `args` (path walks: `kp, x, ...ys`), calling `recurse` on the children it descends into. */
  walk(recurse: Recurse, ...args: any[]): any;
}

/**
 * Ties the recursive knot: calls `walk` on `args` with a `recurse` that calls `walk` again.
 * Path walks take a KeyPath as their first argument.
 */
export function execute(walk: Walk, ...args: any[]): any {
  const recurse: Recurse = (...a) => walk.walk(recurse, ...a);
  return recurse(...args);
}

/** The value under `key` in `y`, read the way the first tree's node of kind `kind` is read. */
function childAt(y: any, key: Key, argIndex: number): unknown {
  if (y instanceof Map) {
    if (!y.has(key)) throw new Error(`fmap: argument ${argIndex} has no key ${String(key)} where the first tree has one`);
    return y.get(key);
  }
  // A plain object has only its own keys (not inherited ones like "toString").
  const has = y !== null && typeof y === "object" && (isPlainObject(y) ? Object.hasOwn(y, key as PropertyKey) : (key as PropertyKey) in y);
  if (!has) {
    throw new Error(`fmap: argument ${argIndex} has no key ${String(key)} where the first tree has one (it has ${describe(y)})`);
  }
  return y[key as PropertyKey];
}

/**
 * Maps `fn(key, child, ...ysChildren)` over the children `ch` of the first tree, reading the other
 * trees' children by the first tree's keys; returns a container of the same kind as `ch`.
 */
export function mapChildren(ch: any, ys: readonly unknown[], fn: (key: Key, c: unknown, ...yc: unknown[]) => unknown): any {
  if (Array.isArray(ch)) {
    ys.forEach((y, i) => {
      if (!Array.isArray(y) || y.length < ch.length) {
        throw new Error(`fmap: argument ${i + 2} must be an array of length at least ${ch.length}, like the first tree; got ${describe(y)}`);
      }
    });
    return ch.map((c, i) => fn(i, c, ...ys.map((y) => (y as unknown[])[i])));
  }
  if (ch instanceof Map) {
    const out = new Map();
    for (const [k, c] of ch) out.set(k, fn(k, c, ...ys.map((y, i) => childAt(y, k, i + 2))));
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(ch)) out[k] = fn(k, ch[k], ...ys.map((y, i) => childAt(y, k, i + 2)));
  return out;
}

/** The other trees' nodes must be containers where the first tree has one. */
function checkStructure(x: unknown, ys: readonly unknown[]): void {
  if (ys.length === 0 || kindOf(x) === "leaf") return;
  ys.forEach((y, i) => {
    if (y === null || typeof y !== "object") {
      throw new Error(`fmap: structure mismatch: the first tree has ${describe(x)} where argument ${i + 2} has ${describe(y)}`);
    }
  });
}

function defaultStep(x: unknown, ys: readonly unknown[], fn: (key: Key, c: unknown, ...yc: unknown[]) => unknown): unknown {
  checkStructure(x, ys);
  const [ch, re] = functor(x);
  return re(mapChildren(ch, ys, fn));
}

function structuralStep(x: unknown, ys: readonly unknown[], fn: (key: Key, c: unknown, ...yc: unknown[]) => unknown): unknown {
  checkStructure(x, ys);
  return mapChildren(children(x), ys.map(children), fn);
}

/** Recurses into the children and rebuilds a node of the same kind (same class) from the results. */
export class DefaultWalk implements Walk {
  walk(recurse: Recurse, x: unknown, ...ys: unknown[]): unknown {
    return defaultStep(x, ys, (_k, c, ...yc) => recurse(c, ...yc));
  }
}

/** Recurses into the children and returns plain containers: a registered class becomes a plain object. */
export class StructuralWalk implements Walk {
  walk(recurse: Recurse, x: unknown, ...ys: unknown[]): unknown {
    return structuralStep(x, ys, (_k, c, ...yc) => recurse(c, ...yc));
  }
}

/**
 * Calls `fn(x, ...ys)` instead of walking where `exclude(x, ...ys)` holds, which stops the
 * recursion. `exclude` also sees the other trees' nodes (Julia's sees only `x`).
 */
export class ExcludeWalk implements Walk {
  constructor(
    /** The walk used where `exclude` does not hold. */
    readonly inner: Walk,
    /** What an excluded node becomes. */
    readonly fn: (x: any, ...ys: any[]) => unknown,
    /** Where the recursion stops. */
    readonly exclude: (x: any, ...ys: any[]) => boolean,
  ) {}
  walk(recurse: Recurse, x: unknown, ...ys: unknown[]): unknown {
    return this.exclude(x, ...ys) ? this.fn(x, ...ys) : this.inner.walk(recurse, x, ...ys);
  }
}

/** Marks "no prune value given": later visits of a shared node return its first result. */
export const NO_PRUNE: unique symbol = Symbol("NO_PRUNE");

/**
 * Walks a shared node (see `isShared`) once and returns the same result when it is reached again,
 * or `prune` if one is given. The cache is keyed on the first tree's node only.
 */
export class CachedWalk implements Walk {
  /** What a repeated visit returns, or `NO_PRUNE`: the first visit's result. */
  readonly prune: unknown;
  /** The results so far, by node. */
  readonly cache: Map<unknown, unknown>;
  // Not default parameters: an explicit `undefined` prune (Julia's `prune = nothing`) must be kept.
  constructor(
    /** The walk that handles each node's first visit. */
    readonly inner: Walk,
    ...args: [prune?: unknown, cache?: Map<unknown, unknown>]
  ) {
    this.prune = args.length > 0 ? args[0] : NO_PRUNE;
    this.cache = args[1] ?? new Map();
  }
  walk(recurse: Recurse, x: unknown, ...ys: unknown[]): unknown {
    const shared = isShared(x);
    if (shared && this.cache.has(x)) return this.prune === NO_PRUNE ? this.cache.get(x) : this.prune;
    const out = this.inner.walk(recurse, x, ...ys);
    if (shared) this.cache.set(x, out);
    return out;
  }
}

/** Collects every node once, in depth-first pre-order (for `fcollect`). */
export class CollectWalk implements Walk {
  /** The nodes collected so far. */
  readonly output: unknown[] = [];
  private readonly seen = new Set<unknown>();
  walk(recurse: Recurse, x: unknown): unknown[] {
    if (isShared(x)) {
      if (this.seen.has(x)) return this.output;
      this.seen.add(x);
    }
    this.output.push(x);
    mapChildren(children(x), [], (_k, c) => recurse(c));
    return this.output;
  }
}

function valuesOf(container: any): unknown[] {
  if (Array.isArray(container)) return container;
  if (container instanceof Map) return [...container.values()];
  return Object.values(container);
}

/** Concatenates the arrays its recursion returns (for `fleaves`). */
export class FlattenWalk implements Walk {
  walk(recurse: Recurse, x: unknown, ...ys: unknown[]): unknown[] {
    // Appends in child order as it goes: no per-node values() and flatMap copies.
    const out: unknown[] = [];
    if (ys.length === 0) {
      for (const c of valuesOf(children(x))) for (const v of recurse(c) as unknown[]) out.push(v);
      return out;
    }
    structuralStep(x, ys, (_k, c, ...yc) => {
      for (const v of recurse(c, ...yc) as unknown[]) out.push(v);
    });
    return out;
  }
}

/** Lazily chains the iterables its recursion returns. Use it with `cache: null`. */
export class IterateWalk implements Walk {
  walk(recurse: Recurse, x: unknown, ...ys: unknown[]): Iterable<unknown> {
    const parts = valuesOf(structuralStep(x, ys, (_k, c, ...yc) => recurse(c, ...yc))) as Iterable<unknown>[];
    return (function* () {
      for (const p of parts) yield* p;
    })();
  }
}

// Path walks: the same steps with a KeyPath as first argument, extended by each child's key.

/** `DefaultWalk` with key paths. */
export class DefaultWalkWithPath implements Walk {
  walk(recurse: Recurse, kp: KeyPath, x: unknown, ...ys: unknown[]): unknown {
    return defaultStep(x, ys, (k, c, ...yc) => recurse(kp.push(k), c, ...yc));
  }
}

/** `StructuralWalk` with key paths. */
export class StructuralWalkWithPath implements Walk {
  walk(recurse: Recurse, kp: KeyPath, x: unknown, ...ys: unknown[]): unknown {
    return structuralStep(x, ys, (k, c, ...yc) => recurse(kp.push(k), c, ...yc));
  }
}

/** `ExcludeWalk` with key paths: `fn` and `exclude` also receive the node's KeyPath. */
export class ExcludeWalkWithKeyPath implements Walk {
  constructor(
    /** The walk used where `exclude` does not hold. */
    readonly inner: Walk,
    /** What an excluded node becomes. */
    readonly fn: (kp: KeyPath, x: any, ...ys: any[]) => unknown,
    /** Where the recursion stops. */
    readonly exclude: (kp: KeyPath, x: any, ...ys: any[]) => boolean,
  ) {}
  walk(recurse: Recurse, kp: KeyPath, x: unknown, ...ys: unknown[]): unknown {
    return this.exclude(kp, x, ...ys) ? this.fn(kp, x, ...ys) : this.inner.walk(recurse, kp, x, ...ys);
  }
}

/** `CachedWalk` with key paths (the cache is keyed on the node, not the path). */
export class CachedWalkWithPath implements Walk {
  private readonly cached: CachedWalk;
  constructor(inner: Walk, ...args: [prune?: unknown, cache?: Map<unknown, unknown>]) {
    // Reuse CachedWalk's logic, keyed on the node (second argument), not on the path.
    this.cached = new CachedWalk({ walk: (recurse, x, kp, ...ys) => inner.walk(recurse, kp, x, ...ys) }, ...args);
  }
  walk(recurse: Recurse, kp: KeyPath, x: unknown, ...ys: unknown[]): unknown {
    return this.cached.walk(recurse, x, kp, ...ys);
  }
}
