/** Which fields of an instance are its children: a fixed list, or one read from the instance. */
export type FieldSpec = readonly string[] | ((instance: any) => readonly string[]);

type Registration = { kind: "functor"; fields?: FieldSpec } | { kind: "leaf" };

// Keyed by constructor; lookups walk the prototype chain, so subclasses inherit a registration.
const registry = new Map<Function, Registration>();

/**
 * Makes instances of `Class` tree nodes (Julia's `@functor T (fields…)`). Without `fields`, every
 * own enumerable field is a child; with a list, only those (in list order) are, and rebuilding
 * keeps the others from the original. A function `(instance) => fields` reads the list from each
 * instance (Julia's `@flexiblefunctor`).
 */
export function registerFunctor(Class: Function, fields?: FieldSpec): void {
  if (typeof Class !== "function") throw new TypeError(`registerFunctor: expected a class, got ${typeof Class}`);
  if (fields !== undefined && typeof fields !== "function") {
    if (!Array.isArray(fields) || fields.some((f) => typeof f !== "string")) {
      throw new TypeError(`registerFunctor(${Class.name}): fields must be an array of field names or a function`);
    }
  }
  registry.set(Class, { kind: "functor", fields });
}

/** Makes instances of `Class` leaves even if an ancestor class is a functor (Julia's `@leaf T`). */
export function registerLeaf(Class: Function): void {
  if (typeof Class !== "function") throw new TypeError(`registerLeaf: expected a class, got ${typeof Class}`);
  registry.set(Class, { kind: "leaf" });
}

/** The registration that applies to `x` (its own class's, or the nearest ancestor's). */
export function registrationOf(x: object): Registration | undefined {
  for (let proto = Object.getPrototypeOf(x); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const reg = registry.get(proto.constructor);
    if (reg) return reg;
  }
  return undefined;
}
