// Entries fluxion puts into one of tfjs's global registries (gradients, kernels) for the length of
// one of its own calls, putting back whatever was there when the outermost call returns or throws.
// tfjs reads both registries at each op, so code outside fluxion's calls (tfjs-layers' fit and
// trainOnBatch, tf.grad, the benchmark's baselines) runs what the registry held before, unchanged.

/** How to read and write one registry, by the key an entry carries (its kernel name, and backend). */
export interface Registry<C> {
  /** The entry registered now under `c`'s key, if any. */
  get(c: C): C | undefined;
  /** Registers `c` under its key, replacing what is there. */
  put(c: C): void;
  /** Removes what is registered under `c`'s key. */
  remove(c: C): void;
}

/** A registry swap that nests: see `registryScope`. */
export interface RegistryScope<C> {
  /** Runs `f` (synchronous) with the entries in place; nested calls share the outermost swap. */
  run<T>(f: () => T): T;
  /** True inside `run`. */
  active(): boolean;
  /** Inside `run`, the entry that the one matching `which` displaced (undefined if none was registered). */
  displaced(which: (c: C) => boolean): C | undefined;
}

/** A scope that puts `entries()` (asked for at each outermost `run`) into `registry` while it runs. */
export function registryScope<C>(registry: Registry<C>, entries: () => readonly C[]): RegistryScope<C> {
  let depth = 0;
  let own: readonly C[] = [];
  let displaced: (C | undefined)[] = [];
  const restore = () => {
    own.forEach((c, i) => (displaced[i] ? registry.put(displaced[i]!) : registry.remove(c)));
    own = [];
    displaced = [];
  };
  return {
    run<T>(f: () => T): T {
      if (depth === 0) {
        own = entries();
        displaced = own.map((c) => registry.get(c));
        own.forEach((c) => registry.put(c));
      }
      depth += 1;
      try {
        return f();
      } finally {
        depth -= 1;
        if (depth === 0) restore();
      }
    },
    active: () => depth > 0,
    displaced: (which) => displaced[own.findIndex(which)],
  };
}
