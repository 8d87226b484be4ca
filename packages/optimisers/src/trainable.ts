import { tf } from "@fluxion/backend";
import { KeyPath, SelectWalk, SelectWalkWithPath, fmapWithPath, functor, type Key, type SelectWalkOptions } from "@fluxion/functors";

// Keyed by class; lookups walk the prototype chain like functor registrations do.
const trainableFields = new Map<Function, readonly string[]>();
// The lookup's answer per class (null: all children), cleared when a registration changes it.
const resolved = new Map<Function, readonly string[] | null>();

/**
 * Declares which fields of `Class` are trained (Optimisers.jl's `trainable`); the other children
 * are still walked by fmap, but never set up, updated or flattened.
 */
export function registerTrainable(Class: Function, fields: readonly string[]): void {
  if (typeof Class !== "function") throw new TypeError(`registerTrainable: expected a class, got ${typeof Class}`);
  trainableFields.set(Class, [...fields]);
  resolved.clear();
}

function declaredTrainable(x: object): readonly string[] | null {
  const Class = x.constructor;
  let fields = resolved.get(Class);
  if (fields === undefined) {
    fields = null;
    for (let p = Object.getPrototypeOf(x); p && p !== Object.prototype && fields === null; p = Object.getPrototypeOf(p)) {
      fields = trainableFields.get(p.constructor) ?? null;
    }
    resolved.set(Class, fields);
  }
  return fields;
}

/** Whether child `key` of `node` is trained: every child, unless `registerTrainable` names some. */
export function isTrainableChild(node: unknown, key: Key): boolean {
  if (node === null || typeof node !== "object" || Array.isArray(node)) return true;
  const declared = declaredTrainable(node);
  return declared === null || declared.includes(key as string);
}

/** A float32 tf.Tensor or tf.Variable: the only values rules train (complex ones are refused, see `checkTrainable`). */
export function isNumeric(x: unknown): x is tf.Tensor {
  return x instanceof tf.Tensor && x.dtype === "float32";
}

/**
 * Whether `x`, at `kp` of a trainable part of a model, is trained; a complex64 tensor is an
 * error rather than silently left alone (tfjs's complex support is partial: no wasm kernels, no
 * `slice` on cpu, so neither `update` nor `destructure` could be right for it).
 */
export function checkTrainable(x: unknown, kp: KeyPath | null, fn: string): x is tf.Tensor {
  if (x instanceof tf.Tensor && x.dtype === "complex64") {
    throw new Error(`${fn}: the model has a complex64 tensor${kp ? ` at ${kp.toString()}` : ""}; fluxion trains float32 tensors only`);
  }
  return isNumeric(x);
}

/** Whether `x`'s rebuilt copy can be written in place (a tf.Variable). */
export function mayWrite(x: unknown): x is tf.Variable {
  return x instanceof tf.Variable;
}

/** The walk over a model's trainable children only (Optimisers.jl's `_trainable_walk`). */
export function trainableWalk(options: Omit<SelectWalkOptions, "select"> = {}): SelectWalk {
  return new SelectWalk({ ...options, select: isTrainableChild });
}

/** `trainableWalk` with key paths. */
export function trainableWalkWithPath(options: Omit<SelectWalkOptions, "select"> = {}): SelectWalkWithPath {
  return new SelectWalkWithPath({ ...options, select: isTrainableChild });
}

/** The trainable subset of `children(x)`: a plain object (or array/Map) of the trainable children. */
export function trainable(x: unknown): unknown {
  const [ch] = functor(x);
  if (Array.isArray(ch)) return ch.filter((_, i) => isTrainableChild(x, i));
  if (ch instanceof Map) return new Map([...ch].filter(([k]) => isTrainableChild(x, k)));
  return Object.fromEntries(Object.entries(ch).filter(([k]) => isTrainableChild(x, k)));
}

/**
 * The trainable tensors of `model` in flattening order, each tied tensor once; with
 * `{ path: true }`, `[KeyPath, tensor]` pairs (a tied tensor at its first path).
 */
export function trainables(model: unknown): tf.Tensor[];
export function trainables(model: unknown, options: { path: true }): [KeyPath, tf.Tensor][];
export function trainables(model: unknown, options: { path?: boolean } = {}): tf.Tensor[] | [KeyPath, tf.Tensor][] {
  const found = trainablesWithPath(model, "trainables");
  return options.path ? found : found.map(([, t]) => t);
}

/** `trainables(model, { path: true })`, with `fn` naming the caller in errors. */
export function trainablesWithPath(model: unknown, fn: string): [KeyPath, tf.Tensor][] {
  const found: [KeyPath, tf.Tensor][] = [];
  // fmap's cache calls `f` once per tensor, at its first path.
  fmapWithPath({ walk: trainableWalkWithPath({ structural: true }) }, (kp, x) => checkTrainable(x, kp, fn) && found.push([kp, x]), model);
  return found;
}
