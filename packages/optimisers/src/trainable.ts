import { tf } from "@fluxion/backend";
import { KeyPath, functor, isLeaf, type Key } from "@fluxion/functors";

// Keyed by class; lookups walk the prototype chain like functor registrations do.
const trainableFields = new Map<Function, readonly string[]>();

/**
 * Declares which fields of `Class` are trained (Optimisers.jl's `trainable`); the other children
 * are still walked by fmap, but never set up, updated or flattened.
 */
export function registerTrainable(Class: Function, fields: readonly string[]): void {
  if (typeof Class !== "function") throw new TypeError(`registerTrainable: expected a class, got ${typeof Class}`);
  trainableFields.set(Class, [...fields]);
}

function declaredTrainable(x: object): readonly string[] | undefined {
  for (let p = Object.getPrototypeOf(x); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    const f = trainableFields.get(p.constructor);
    if (f) return f;
  }
  return undefined;
}

/** A float tf.Tensor or tf.Variable: the only values rules train. */
export function isNumeric(x: unknown): x is tf.Tensor {
  return x instanceof tf.Tensor && (x.dtype === "float32" || x.dtype === "complex64");
}

/** Whether `x`'s rebuilt copy can be written in place (a tf.Variable). */
export function mayWrite(x: unknown): x is tf.Variable {
  return x instanceof tf.Variable;
}

/** The children of `x` as `[key, child, trainable]` entries, in child order. */
export function trainableEntries(x: unknown): [Key, unknown, boolean][] {
  const [ch] = functor(x);
  const declared = x !== null && typeof x === "object" ? declaredTrainable(x) : undefined;
  const entries: [Key, unknown][] = Array.isArray(ch) ? ch.map((c, i) => [i, c]) : ch instanceof Map ? [...ch] : Object.entries(ch);
  return entries.map(([k, c]) => [k, c, declared ? declared.includes(k as string) : true]);
}

/** The trainable subset of `children(x)`: a plain object (or array/Map) of the trainable children. */
export function trainable(x: unknown): unknown {
  const [ch] = functor(x);
  const entries = trainableEntries(x).filter(([, , t]) => t);
  if (Array.isArray(ch)) return entries.map(([, c]) => c);
  if (ch instanceof Map) return new Map(entries.map(([k, c]) => [k, c]));
  return Object.fromEntries(entries.map(([k, c]) => [k, c]));
}

export interface TrainableMapOptions {
  /** Give plain containers (true: a registered class becomes a plain object) or rebuild each node's kind. */
  structural: boolean;
  /** What a non-numeric leaf or non-trainable child becomes. Default: itself. */
  other?: (x: unknown) => unknown;
}

/**
 * Maps `fn(tensor, keyPath)` over the trainable numeric leaves of `x`, depth first in child order.
 * A tensor reached twice is mapped once and its result reused, so ties survive.
 */
export function mapTrainable(
  x: unknown,
  fn: (t: tf.Tensor, kp: KeyPath) => unknown,
  options: TrainableMapOptions,
  kp: KeyPath = new KeyPath(),
  cache: Map<unknown, unknown> = new Map(),
): unknown {
  const other = options.other ?? ((v: unknown) => v);
  if (isNumeric(x)) {
    if (!cache.has(x)) cache.set(x, fn(x, kp));
    return cache.get(x);
  }
  if (isLeaf(x)) return other(x);
  const [ch, re] = functor(x);
  const mapped = trainableEntries(x).map(([k, c, t]): [Key, unknown] => [
    k,
    t ? mapTrainable(c, fn, options, kp.push(k), cache) : other(c),
  ]);
  const out = Array.isArray(ch) ? mapped.map(([, v]) => v) : ch instanceof Map ? new Map(mapped) : Object.fromEntries(mapped);
  return options.structural ? out : re(out);
}

/**
 * The trainable tensors of `model` in flattening order, each tied tensor once; with
 * `{ path: true }`, `[KeyPath, tensor]` pairs (a tied tensor at its first path).
 */
export function trainables(model: unknown): tf.Tensor[];
export function trainables(model: unknown, options: { path: true }): [KeyPath, tf.Tensor][];
export function trainables(model: unknown, options: { path?: boolean } = {}): tf.Tensor[] | [KeyPath, tf.Tensor][] {
  const found: [KeyPath, tf.Tensor][] = [];
  mapTrainable(model, (t, kp) => found.push([kp, t]), { structural: true });
  return options.path ? found : found.map(([, t]) => t);
}
