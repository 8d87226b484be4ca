/** Values fmap treats as leaves whatever their registration: the result type maps these to `R`. */
export type LeafValue =
  | string
  | number
  | boolean
  | bigint
  | symbol
  | null
  | undefined
  | ((...args: any[]) => any)
  | ArrayBufferView
  | { readonly dataId: object; readonly shape: readonly number[] }; // a tfjs Tensor, duck-typed

/**
 * The type of `fmap(f, x)` when `f` returns `R`: the shape of `T` with every leaf replaced by `R`.
 * Exact for plain objects, arrays, tuples and Maps of known leaves; class instances map field-wise.
 */
export type Fmapped<T, R> = T extends LeafValue
  ? R
  : T extends Map<infer K, infer V>
    ? Map<K, Fmapped<V, R>>
    : T extends readonly unknown[]
      ? { -readonly [I in keyof T]: Fmapped<T[I], R> }
      : T extends object
        ? { [K in keyof T]: Fmapped<T[K], R> }
        : R;

/** Options of the fmap family (Julia's keywords). */
export interface FmapOptions {
  /** Where it holds, `f` is called and the recursion stops; it also gets the other trees' nodes. Default: `isLeaf`. */
  exclude?: (x: any, ...ys: any[]) => boolean;
  /** The walk to use; it is wrapped in an exclude walk and, unless `cache` is null, a cached walk. */
  walk?: import("./walks.js").Walk;
  /** Identity cache for shared nodes; `null` turns deduplication off (ties are then broken). */
  cache?: Map<unknown, unknown> | null;
  /** If given, every later visit of a shared node returns this instead of the first result. */
  prune?: unknown;
}

/** Options of the path variants: `exclude` also receives the KeyPath. */
export interface FmapWithPathOptions extends Omit<FmapOptions, "exclude"> {
  /** As `FmapOptions.exclude`, with the node's KeyPath first. */
  exclude?: (kp: import("./key-path.js").KeyPath, x: any, ...ys: any[]) => boolean;
}
