import { isLeaf } from "./functor.js";
import { KeyPath } from "./key-path.js";
import type { FmapOptions, FmapWithPathOptions, Fmapped } from "./types.js";
import {
  CachedWalk,
  CachedWalkWithPath,
  CollectWalk,
  DefaultWalk,
  DefaultWalkWithPath,
  ExcludeWalk,
  ExcludeWalkWithKeyPath,
  FlattenWalk,
  NO_PRUNE,
  StructuralWalk,
  StructuralWalkWithPath,
  execute,
  type Walk,
} from "./walks.js";

type LeafFn<R> = (x: any, ...ys: any[]) => R;
type PathFn<R> = (kp: KeyPath, x: any, ...ys: any[]) => R;

/** fmap's arguments with the options, if any, taken off the front. */
function splitOptions<O extends object>(args: any[]): [O, any, any, any[]] {
  if (typeof args[0] === "function") return [{} as O, args[0], args[1], args.slice(2)];
  if (args[0] === null || typeof args[0] !== "object" || typeof args[1] !== "function") {
    throw new TypeError("fmap: expected (f, x, ...ys) or (options, f, x, ...ys)");
  }
  return [args[0], args[1], args[2], args.slice(3)];
}

function wrap(walk: Walk, options: { cache?: Map<unknown, unknown> | null; prune?: unknown }, withPath: boolean): Walk {
  if (options.cache === null) return walk;
  const prune = "prune" in options ? options.prune : NO_PRUNE;
  const cache = options.cache ?? new Map();
  return withPath ? new CachedWalkWithPath(walk, prune, cache) : new CachedWalk(walk, prune, cache);
}

function run(args: any[], fallback: Walk): any {
  const [options, f, x, ys] = splitOptions<FmapOptions>(args);
  const walk = new ExcludeWalk(options.walk ?? fallback, f, options.exclude ?? isLeaf);
  return execute(wrap(walk, options, false), x, ...ys);
}

function runWithPath(args: any[], fallback: Walk): any {
  const [options, f, x, ys] = splitOptions<FmapWithPathOptions>(args);
  const exclude = options.exclude ?? ((_kp: KeyPath, v: unknown) => isLeaf(v));
  const walk = new ExcludeWalkWithKeyPath(options.walk ?? fallback, f, exclude);
  return execute(wrap(walk, options, true), new KeyPath(), x, ...ys);
}

/**
 * Applies `f` to every leaf of `x` and rebuilds the tree around the results, keeping each node's
 * kind (registered classes stay instances of their class). With more trees, `f(leaf, ...yLeaves)`
 * gets the nodes at the same place in each; structure comes from `x`. A shared node is mapped once
 * and its result shared. Options go first: `fmap({ exclude, walk, cache, prune }, f, x, ...ys)`.
 */
export function fmap<T, R>(f: LeafFn<R>, x: T, ...ys: unknown[]): Fmapped<T, R>;
export function fmap(options: FmapOptions, f: LeafFn<unknown>, x: unknown, ...ys: unknown[]): any;
export function fmap(...args: any[]): any {
  return run(args, new DefaultWalk());
}

/** Like `fmap`, but returns plain containers: a registered class becomes a plain object of its children. */
export function fmapStructure<T, R>(f: LeafFn<R>, x: T, ...ys: unknown[]): Fmapped<T, R>;
export function fmapStructure(options: FmapOptions, f: LeafFn<unknown>, x: unknown, ...ys: unknown[]): any;
export function fmapStructure(...args: any[]): any {
  return run(args, new StructuralWalk());
}

/** Like `fmap`, with `f(kp, leaf, ...yLeaves)` told each leaf's KeyPath; `exclude(kp, x)` too. */
export function fmapWithPath<T, R>(f: PathFn<R>, x: T, ...ys: unknown[]): Fmapped<T, R>;
export function fmapWithPath(options: FmapWithPathOptions, f: PathFn<unknown>, x: unknown, ...ys: unknown[]): any;
export function fmapWithPath(...args: any[]): any {
  return runWithPath(args, new DefaultWalkWithPath());
}

/** `fmapStructure` with key paths. */
export function fmapStructureWithPath<T, R>(f: PathFn<R>, x: T, ...ys: unknown[]): Fmapped<T, R>;
export function fmapStructureWithPath(options: FmapWithPathOptions, f: PathFn<unknown>, x: unknown, ...ys: unknown[]): any;
export function fmapStructureWithPath(...args: any[]): any {
  return runWithPath(args, new StructuralWalkWithPath());
}

/**
 * Every node of `x`, leaves included, in depth-first pre-order; a shared node appears once.
 * Where `exclude(node)` holds, the node and its subtree are left out.
 */
export function fcollect(x: unknown, options: { exclude?: (x: any) => boolean } = {}): unknown[] {
  const exclude = options.exclude ?? (() => false);
  const collect = new CollectWalk();
  execute(new ExcludeWalk(collect, () => collect.output, exclude), x);
  return collect.output;
}

/** The leaves of `x` in depth-first order, repeats included; `exclude` says what counts as a leaf. */
export function fleaves(x: unknown, options: { exclude?: (x: any) => boolean } = {}): unknown[] {
  return execute(new ExcludeWalk(new FlattenWalk(), (v) => [v], options.exclude ?? isLeaf), x);
}
