// Vertex traits (NaiveNASlib's MutationTrait decorators): whether a vertex may change size, may be
// picked for a mutation, and what to do with it when a condition holds.

/** A trait decorating another (`base`), or the plain mutable vertex (`null`). */
export abstract class Trait {
  abstract readonly base: Trait | null;
  /** This trait with its base replaced (what Functors' fmap over a decorator does). */
  abstract withBase(base: Trait | null): Trait;
}

/** A vertex whose size never changes, like an input (NaiveNASlib's `Immutable`). */
export class Immutable extends Trait {
  readonly base = null;
  override withBase(): Trait {
    return this;
  }
  override toString(): string {
    return "Immutable()";
  }
}

/** Something a mutation may be made of: decorating mutations list their parts. */
export interface MutationLike {
  /** The mutations it is made of (each may itself be made of others). */
  mutationLeaves?(): readonly unknown[];
}

/** The leaf mutations of `m` (NaiveGAflux's `mutationleaves`). */
export function mutationLeaves(m: unknown): unknown[] {
  const leaves = (m as MutationLike | null)?.mutationLeaves?.();
  return leaves === undefined ? [m] : leaves.flatMap(mutationLeaves);
}

/**
 * `new MutationShield(base, ...allowed)`: the vertex is not picked for mutations, except those
 * every leaf of which is an instance of one of `allowed` (classes). It shields selection only:
 * a neighbour's size change may still reach the vertex, as in NaiveGAflux.
 */
export class MutationShield extends Trait {
  readonly allowed: readonly Function[];
  constructor(
    readonly base: Trait | null = null,
    ...allowed: Function[]
  ) {
    super();
    for (const a of allowed) if (typeof a !== "function") throw new TypeError(`MutationShield: allowed mutations must be classes, got ${typeof a}`);
    this.allowed = Object.freeze([...allowed]);
  }
  override withBase(base: Trait | null): Trait {
    return new MutationShield(base, ...this.allowed);
  }
  override toString(): string {
    return `MutationShield(${this.base ?? "mutable"}${this.allowed.map((a) => `, ${a.name}`).join("")})`;
  }
}

/** What ApplyIf is given: the graph and the vertex's name. */
export type VertexPredicate = (graph: any, name: string) => boolean;
/** What ApplyIf does to a vertex for which its predicate holds: change the graph at vertex `name`. */
export type VertexAction = (graph: any, name: string, options?: any) => void;

/**
 * `new ApplyIf(predicate, apply, base)`: `checkApply(graph)` calls `apply(graph, name)` on every
 * vertex with this trait for which `predicate(graph, name)` holds (NaiveGAflux's `ApplyIf`).
 */
export class ApplyIf extends Trait {
  constructor(
    readonly predicate: VertexPredicate,
    readonly apply: VertexAction,
    readonly base: Trait | null = null,
  ) {
    super();
    if (typeof predicate !== "function" || typeof apply !== "function") throw new TypeError("ApplyIf: predicate and apply must be functions");
  }
  override withBase(base: Trait | null): Trait {
    return new ApplyIf(this.predicate, this.apply, base);
  }
  override toString(): string {
    return `ApplyIf(${this.base ?? "mutable"})`;
  }
}

/** The traits of a chain, outermost first. */
export function traitChain(t: Trait | null): Trait[] {
  const out: Trait[] = [];
  for (let x = t; x !== null; x = x.base) out.push(x);
  return out;
}

/** Whether a trait (chain) makes its vertex immutable. */
export function isImmutable(t: Trait | null): boolean {
  return traitChain(t).some((x) => x instanceof Immutable);
}

/**
 * Whether a vertex with trait `t` may be picked for `mutations` (NaiveGAflux's `allow_mutation`):
 * Immutable never; a MutationShield only when mutations are given and every leaf of them is one
 * of its allowed classes (it answers without asking its base, as NaiveGAflux does); else yes.
 */
export function allowMutation(t: Trait | null, ...mutations: unknown[]): boolean {
  for (const x of traitChain(t)) {
    if (x instanceof Immutable) return false;
    if (x instanceof MutationShield) {
      const leaves = mutations.flatMap(mutationLeaves);
      return leaves.length > 0 && leaves.every((m) => x.allowed.some((A) => m instanceof (A as new (...a: never[]) => unknown)));
    }
  }
  return true;
}
