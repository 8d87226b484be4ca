import { describe } from "@fluxion/functors";
import { show } from "./show.js";

/**
 * Base class of this package's layers: `apply` runs the layer (Julia's `m(x)`), `repr` is the
 * one-line form (`Dense(2 => 3)`), `toString()` the multi-line summary with parameter counts.
 * Subclasses are declared with `layer(Class, …)` so that fmap, setup and destructure see inside.
 */
export abstract class Layer {
  /** Runs the layer on its inputs (Julia's `m(x)`). */
  abstract apply(...inputs: any[]): any;
  /** The one-line form, as in `Dense(2 => 3, relu)`. */
  abstract repr(): string;

  /** The multi-line summary: the layer tree with parameter counts. */
  toString(): string {
    return show(this);
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return show(this);
  }
}

/** Anything a container can run: a layer, or a plain function such as `softmax` or `flatten`. */
export type Callable =
  | Layer
  | {
      /** Runs it on `inputs`. */
      apply(...inputs: any[]): any;
    }
  | ((...inputs: any[]) => any);

/** Whether `f` can be run by `call`: a function, or an object with an `apply` method. */
export function isCallable(f: unknown): f is Callable {
  return typeof f === "function" || (f !== null && typeof f === "object" && typeof (f as { apply?: unknown }).apply === "function");
}

/** Runs `f` on `inputs`: a function is called, a layer applied. */
export function call(f: Callable, ...inputs: unknown[]): any {
  if (!isCallable(f)) throw new TypeError(`expected a layer or a function to apply, got ${describe(f)}`);
  return typeof f === "function" ? f(...inputs) : f.apply(...inputs);
}
