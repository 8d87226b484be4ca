import { functor, isPlainObject, kindOf } from "./functor.js";
import type { Key, KeyPath } from "./key-path.js";
import type { Recurse, Walk } from "./walks.js";

/** Options of `SelectWalk`: which children it descends into, what the others become. */
export interface SelectWalkOptions {
  /** Whether the walk descends into child `key` of `node`. Default: every child. */
  select?: (node: any, key: Key) => boolean;
  /** What a child not selected becomes. Default: the child itself. */
  skip?: (child: any) => unknown;
  /** Give plain containers, as StructuralWalk does, instead of rebuilding each node's kind. */
  structural?: boolean;
}

/** `y`'s child under `key`, or undefined where `y` is no container or lacks the key. */
function partialChild(y: unknown, key: Key): unknown {
  if (kindOf(y) === "leaf") return undefined;
  if (y instanceof Map) return y.get(key);
  if (isPlainObject(y) && !Object.hasOwn(y, key as PropertyKey)) return undefined; // not "toString"
  return (y as Record<PropertyKey, unknown>)[key as PropertyKey];
}

type Descend = (key: Key, child: unknown, ys: unknown[]) => unknown;

function selectStep(options: SelectWalkOptions, x: unknown, ys: readonly unknown[], descend: Descend): unknown {
  const { select, skip, structural } = options;
  const [ch, re] = functor(x);
  let changed = false;
  const one = (key: Key, c: unknown): unknown => {
    const out = select === undefined || select(x, key) ? descend(key, c, ys.map((y) => partialChild(y, key))) : skip ? skip(c) : c;
    changed ||= out !== c;
    return out;
  };
  let mapped: unknown;
  if (Array.isArray(ch)) mapped = ch.map((c, i) => one(i, c));
  else if (ch instanceof Map) mapped = new Map([...ch].map(([k, c]) => [k, one(k, c)]));
  else {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(ch)) out[k] = one(k, ch[k]);
    mapped = out;
  }
  if (structural) return mapped;
  return changed ? re(mapped) : x;
}

/**
 * Walks only the children `select` picks (Optimisers.jl's `TrainableStructWalk`, with its
 * `trainable` passed in as `select`); the others become `skip(child)`. The other trees may be
 * partial: where one lacks a key or holds a leaf (null, a number, `[]`) in place of a node, the
 * children it gives are `undefined`, for `exclude` (which sees every tree) and `f` to handle, as
 * Optimisers.jl treats a gradient's `nothing`. Rebuilding returns a node unchanged when none of
 * its children changed.
 */
export class SelectWalk implements Walk {
  constructor(/** Which children it descends into. */ readonly options: SelectWalkOptions = {}) {}
  walk(recurse: Recurse, x: unknown, ...ys: unknown[]): unknown {
    return selectStep(this.options, x, ys, (_k, c, yc) => recurse(c, ...yc));
  }
}

/** `SelectWalk` with key paths. */
export class SelectWalkWithPath implements Walk {
  constructor(/** Which children it descends into. */ readonly options: SelectWalkOptions = {}) {}
  walk(recurse: Recurse, kp: KeyPath, x: unknown, ...ys: unknown[]): unknown {
    return selectStep(this.options, x, ys, (k, c, yc) => recurse(kp.push(k), c, ...yc));
  }
}
