// Flux's `state` and `loadmodel!`: a model's plain-data tree, and copying one model's (or state
// tree's) tensors into another model's Variables.
import { tf } from "@fluxion/backend";
import { ExcludeWalkWithKeyPath, KeyPath, children, describe, execute, fleaves, fmapStructure, isLeaf, type Key, type Recurse, type Walk } from "@fluxion/functors";
import { NO_STATE } from "@fluxion/optimisers";
import { checkOptions } from "../core/checks.js";

/** A leaf `state` keeps: a tensor or a plain value. */
function isStateLeaf(x: unknown): boolean {
  const t = typeof x;
  return x instanceof tf.Tensor || x === null || x === undefined || t === "number" || t === "bigint" || t === "string" || t === "boolean";
}

/**
 * Flux's `state(model)`: the model's tree made of plain containers (a registered layer becomes a
 * plain object keyed by its fields), keeping tensors (the same objects, not copies), numbers,
 * strings, booleans and null; every other leaf (functions, Rngs, …) becomes `[]` (`NO_STATE`,
 * Julia's `()`). Non-trainable buffers such as BatchNorm's running statistics are included.
 */
export function state(model: unknown): any {
  return fmapStructure((x: unknown) => (isStateLeaf(x) ? x : NO_STATE), model);
}

/** Options of `loadModel`. */
export interface LoadModelOptions {
  /** Children for which this is false (in `dst` and in `src`) are skipped, e.g. `(x) => !(x instanceof Dropout)`. */
  filter?: (x: unknown) => boolean;
}

/** What a destination Variable will receive: a source tensor, or zeros (from a `false` source). */
type Planned = { kind: "copy"; src: tf.Tensor } | { kind: "zero" };

/**
 * Flux's `loadmodel!(dst, src)`: copies every tensor of `src` (a model or a state tree of plain
 * objects, arrays and Maps) into the matching tf.Variable of `dst`, walking both by their children.
 * Keys must match at each node; tensors must have the same shape; a `false` source zero-fills
 * (a bias saved as absent), a `false` destination ignores its source, and other non-tensor leaves
 * (activations, hyper-parameters) are not copied. A Variable reached twice in `dst` (tied) must be
 * given equal sources. Every check runs before anything is written, so a failing load leaves `dst`
 * unchanged. Only Variables can be loaded into: a plain tf.Tensor in `dst` is an error (tensors
 * are immutable), unless its source is that same tensor. Returns `dst`.
 */
export function loadModel<M>(dst: M, src: unknown, options: LoadModelOptions = {}): M {
  checkOptions("loadModel", options, ["filter"]);
  const filter = options.filter ?? (() => true);
  if (typeof filter !== "function") throw new TypeError(`loadModel: filter must be a function, got ${typeof filter}`);
  const plan = new Map<tf.Tensor, Planned>();
  // Leaves are checked into `plan`; a bare tensor (or other leaf) as `dst` is loaded as one, where
  // Flux would find no children and do nothing. No cache: a node reached twice is checked twice.
  const leaf = (kp: KeyPath, d: unknown, s: unknown): void => {
    const planned = plan.get(d as tf.Tensor);
    if (planned !== undefined) tieCheck(d as tf.Tensor, planned, s, kp);
    else loadLeaf(d, s, plan, kp);
  };
  execute(new ExcludeWalkWithKeyPath(new LoadWalk(filter), leaf, (_kp, d) => isLeaf(d)), new KeyPath(), dst, src);
  // Phase 2: nothing above wrote; now every check has passed.
  for (const [v, p] of plan) {
    if (p.kind === "copy" && p.src === v) continue;
    const variable = v as tf.Variable;
    tf.tidy(() => {
      variable.assign(p.kind === "zero" ? tf.zeros(variable.shape, variable.dtype) : p.src.dtype === variable.dtype ? p.src : tf.cast(p.src, variable.dtype));
    });
  }
  return dst;
}

function entriesOf(x: unknown, filter: (x: unknown) => boolean): [Key, unknown][] {
  const ch = children(x);
  const all: [Key, unknown][] = Array.isArray(ch) ? ch.map((c, i) => [i, c]) : ch instanceof Map ? [...ch] : Object.entries(ch);
  const kept = all.filter(([, c]) => filter(c));
  // A filtered array is re-indexed, as Julia's filter on a tuple is.
  return Array.isArray(ch) ? kept.map(([, c], i) => [i, c]) : kept;
}

function showKeys(keys: Key[]): string {
  return `[${keys.map((k) => (typeof k === "string" ? JSON.stringify(k) : String(k))).join(", ")}]`;
}

function sameKeys(a: Key[], b: Key[]): boolean {
  const set = new Set(b);
  return a.length === b.length && a.every((k) => set.has(k));
}

/** Flux's `loadmodel!` step: the kept children of `dst` and `src` must have the same keys; recurse into each pair. */
class LoadWalk implements Walk {
  constructor(readonly filter: (x: unknown) => boolean) {}
  walk(recurse: Recurse, kp: KeyPath, dst: unknown, src: unknown): void {
    const dsts = entriesOf(dst, this.filter);
    const srcs = new Map(entriesOf(src, this.filter));
    const keysDst = dsts.map(([k]) => k);
    const keysSrc = [...srcs.keys()];
    if (!sameKeys(keysDst, keysSrc)) {
      throw new Error(`loadModel${at(kp)}: Tried to load ${showKeys(keysSrc)} into ${showKeys(keysDst)} but the structures do not match.`);
    }
    for (const [k, d] of dsts) recurse(kp.push(k), d, srcs.get(k));
  }
}

function at(kp: KeyPath): string {
  return kp.isEmpty() ? "" : ` at ${kp.toString({ compact: true })}`;
}

function describeValue(x: unknown): string {
  if (x instanceof tf.Tensor) return `a ${x.dtype} tensor of shape [${x.shape.join(", ")}]`;
  return describe(x);
}

/** Flux's `loadleaf!`, checking only: the write is recorded in `plan`. */
function loadLeaf(dst: unknown, src: unknown, plan: Map<tf.Tensor, Planned>, kp: KeyPath): void {
  const fail = (msg: string): never => {
    throw new Error(`loadModel${at(kp)}: ${msg}`);
  };
  if (dst instanceof tf.Tensor) {
    if (dst.isDisposed) fail("the destination tensor is disposed");
    let planned: Planned;
    if (src instanceof tf.Tensor) {
      checkSource(src, dst, fail);
      if (!tf.util.arraysEqual(src.shape, dst.shape)) fail(`Tried to load size [${src.shape.join(", ")}] array into size [${dst.shape.join(", ")}]`);
      planned = { kind: "copy", src };
    } else if (src === false) {
      planned = { kind: "zero" };
    } else if (src === true) {
      return fail("Cannot copy boolean parameter == true to non-zero parameter.");
    } else {
      return fail(`Tried to copy ${describeValue(src)} into an array destination; this is not allowed.`);
    }
    // Loading a tensor into itself writes nothing, so a plain tensor may receive itself.
    if (!(dst instanceof tf.Variable) && src !== dst) {
      fail(`the destination is a plain tf.Tensor, which cannot be overwritten; loadModel loads into tf.Variable parameters only`);
    }
    plan.set(dst, planned);
  } else if (src instanceof tf.Tensor) {
    // A `false` destination (an absent bias) silently ignores any source, as in Flux.
    if (dst === true) fail("Cannot copy non-zero parameter to boolean parameter == true.");
    if (dst !== false) fail(`Tried to copy an array to ${describeValue(dst)}; this is not allowed.`);
  } else if (dst !== false && !isLeaf(src)) {
    // Stricter than Flux, which ignores them: tensors with no place in the model are a mismatch.
    const n = fleaves(src).filter((t) => t instanceof tf.Tensor).length;
    if (n > 0) fail(`Tried to load ${n} tensor${n === 1 ? "" : "s"} into ${describeValue(dst)}, which holds none; the structures do not match.`);
  }
  // Two non-tensors: nothing to copy (activation functions, Dropout's p, …).
}

/** The dtypes a numeric Variable can be loaded from (by a cast); strings and complex numbers cannot. */
const LOADABLE = ["float32", "int32", "bool"];

/** A source tensor must be live, and castable to the destination's dtype. */
function checkSource(src: tf.Tensor, dst: tf.Tensor, fail: (msg: string) => never): void {
  if (src.isDisposed) fail("the source tensor is disposed");
  if (src.dtype !== dst.dtype && !(LOADABLE.includes(src.dtype) && LOADABLE.includes(dst.dtype))) {
    fail(`Tried to load a ${src.dtype} tensor into a ${dst.dtype} destination`);
  }
}

/** Flux's `_tie_check`: a Variable loaded before must be given the same values again. */
function tieCheck(dst: tf.Tensor, planned: Planned, src: unknown, kp: KeyPath): void {
  const fail = (msg: string): never => {
    throw new Error(`loadModel${at(kp)}: ${msg}`);
  };
  const mismatch = "Encountered tied destination parameters with untied and mismatched sources.";
  const mixed = "Encountered tied parameter with boolean source at some nodes and non-boolean sources at others.";
  // The destination's values after the planned write, as its dtype stores them.
  const current = (): number[] | null => (planned.kind === "zero" ? null : castValues(planned.src, dst.dtype));
  if (src instanceof tf.Tensor) {
    checkSource(src, dst, fail);
    if (planned.kind === "copy" && planned.src === src) return;
    if (!tf.util.arraysEqual(src.shape, dst.shape)) fail(mismatch);
    const now = current();
    const next = castValues(src, dst.dtype);
    if (!next.every((v, i) => v === (now === null ? 0 : now[i]))) fail(mismatch);
  } else if (typeof src === "boolean") {
    const now = current();
    if (src || (now !== null && now.some((v) => v !== 0))) fail(mixed);
  }
  // Any other source at a tied Variable is accepted, as Flux does.
}

/** The values of `t` as a tensor of `dtype` would hold them (what assign after cast would store). */
function castValues(t: tf.Tensor, dtype: tf.DataType): number[] {
  const values = Array.from(t.dataSync() as ArrayLike<number>, Number);
  if (dtype === t.dtype) return values;
  if (dtype === "float32") return values.map(Math.fround);
  if (dtype === "int32") return values.map((v) => Math.trunc(v) | 0);
  if (dtype === "bool") return values.map((v) => (v !== 0 ? 1 : 0));
  return values;
}
