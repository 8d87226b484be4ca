// Flux's `@layer`: one declaration makes a class a functor, names its trainable fields and gives
// it Flux's multi-line printing.
import { registerFunctor, type FieldSpec } from "@fluxion/functors";
import { registerTrainable } from "@fluxion/optimisers";

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
  return Class;
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
