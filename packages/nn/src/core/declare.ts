// Flux's `@layer`: one declaration makes a class a functor, names its trainable fields and gives
// it Flux's multi-line printing.
import { registerFunctor, type FieldSpec } from "@fluxion/functors";
import { registerTrainable } from "@fluxion/optimisers";
import { withFluxionKernels } from "@fluxion/backend/internal";

/** `expand` (default) prints children on their own lines; `noexpand` one line; `ignore` no summary. */
export type ShowMode = "expand" | "noexpand" | "ignore";

/** What `layer(Class, …)` declares about a layer class: its children, trained fields, printing. */
export interface LayerDeclaration {
  /** The children (default: every own enumerable field), as in `registerFunctor`. */
  fields?: FieldSpec;
  /** The trained subset of the children (default: all of them). */
  trainable?: readonly string[];
  /** How `show` / `toString()` prints instances. */
  show?: ShowMode;
}

const showModes = new Map<Function, ShowMode>();
const OPTIONS = ["fields", "trainable", "show"];

/**
 * Declares `Class` a layer (Flux's `@layer`): registers it as a functor over `fields`, its
 * trainable fields, and its printing mode. Returns the class, so it can wrap a class expression.
 */
export function layer<C extends Function>(Class: C, declaration: LayerDeclaration = {}): C {
  if (typeof Class !== "function") throw new TypeError(`layer: expected a class, got ${typeof Class}`);
  const unknown = Object.keys(declaration).filter((k) => !OPTIONS.includes(k));
  if (unknown.length) {
    throw new Error(`layer(${Class.name}): unknown option ${unknown.map((k) => JSON.stringify(k)).join(", ")}; the options are fields, trainable and show`);
  }
  const mode = declaration.show ?? "expand";
  if (!["expand", "noexpand", "ignore"].includes(mode)) {
    throw new Error(`layer(${Class.name}): show must be "expand", "noexpand" or "ignore", got ${JSON.stringify(mode)}`);
  }
  if (declaration.trainable !== undefined && (!Array.isArray(declaration.trainable) || declaration.trainable.some((f) => typeof f !== "string"))) {
    throw new Error(`layer(${Class.name}): trainable must be an array of field names, got ${JSON.stringify(declaration.trainable)}`);
  }
  registerFunctor(Class, declaration.fields);
  if (declaration.trainable) registerTrainable(Class, declaration.trainable);
  showModes.set(Class, mode);
  applyWithFluxionKernels(Class);
  return Class;
}

// The `apply` methods already made to run with fluxion's kernels.
const withKernels = new WeakSet<Function>();

/**
 * Makes the class's own `apply` run with fluxion's kernels (@fluxion/backend's `withFluxionKernels`:
 * its matrix product on cpu and wasm, 10-40x faster than the stock one there), so a forward pass
 * outside a gradient call (inference, evaluation) is as fast as inside one. Same maths; sums may
 * round differently in the last float32 bits.
 */
function applyWithFluxionKernels(Class: Function): void {
  const own = Object.getOwnPropertyDescriptor(Class.prototype, "apply");
  const apply: unknown = own?.value;
  if (typeof apply !== "function" || withKernels.has(apply)) return;
  const wrapped = function (this: unknown, ...inputs: unknown[]): unknown {
    return withFluxionKernels(() => apply.apply(this, inputs));
  };
  withKernels.add(wrapped);
  Object.defineProperty(Class.prototype, "apply", { ...own, value: wrapped });
}

/** The show mode declared for `x`'s class (or an ancestor's), if it was declared with `layer`. */
export function showModeOf(x: unknown): ShowMode | undefined {
  if (x === null || typeof x !== "object") return undefined;
  for (let p = Object.getPrototypeOf(x); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    const mode = showModes.get(p.constructor);
    if (mode) return mode;
  }
  return undefined;
}
