// Vertex traits in a saved graph: Immutable, MutationShield (allowed classes by registered name)
// and ApplyIf (predicate and action by registered name), each with its base; any other trait
// object is saved by the name it is registered under.
import { describe, isPlainObject } from "@fluxion/functors";
import { ApplyIf, Immutable, MutationShield, type Trait } from "../graph/traits.js";
import { nameOf, valueOf } from "./names.js";
import type { Json } from "./json-values.js";

/** The trait chain of vertex `name` as JSON. */
export function traitToJson(fn: string, name: string, trait: Trait | null): Json {
  if (trait === null) return null;
  const where = `the ${trait.constructor.name} trait of vertex '${name}'`;
  const base = (): Json => traitToJson(fn, name, trait.base);
  if (trait.constructor === Immutable) return { trait: "Immutable" };
  if (trait.constructor === MutationShield) {
    const allowed = (trait as MutationShield).allowed.map((c, i) => nameOf(fn, `${where}: allowed class ${i}`, c));
    return { trait: "MutationShield", allowed, base: base() };
  }
  if (trait.constructor === ApplyIf) {
    const t = trait as ApplyIf;
    return { trait: "ApplyIf", predicate: nameOf(fn, `${where}: predicate`, t.predicate), apply: nameOf(fn, `${where}: apply`, t.apply), base: base() };
  }
  return { $name: nameOf(fn, `${where} (not Immutable, MutationShield or ApplyIf)`, trait) };
}

/** The trait chain `traitToJson` wrote. */
export function traitFromJson(fn: string, name: string, json: unknown): Trait | null {
  if (json === null) return null;
  const where = `the trait of vertex '${name}'`;
  if (!isPlainObject(json)) throw new Error(`${fn}: ${where} is ${describe(json)}; expected null or a trait object`);
  if ("$name" in json) return valueOf(fn, where, json.$name) as Trait;
  const base = (): Trait | null => traitFromJson(fn, name, json.base ?? null);
  switch (json.trait) {
    case "Immutable":
      return new Immutable();
    case "MutationShield": {
      if (!Array.isArray(json.allowed)) throw new Error(`${fn}: ${where}: MutationShield's allowed must be an array of names`);
      const allowed = json.allowed.map((a, i) => valueOf(fn, `${where}: allowed class ${i}`, a) as Function);
      return new MutationShield(base(), ...allowed);
    }
    case "ApplyIf":
      return new ApplyIf(valueOf(fn, `${where}: predicate`, json.predicate) as ApplyIf["predicate"], valueOf(fn, `${where}: apply`, json.apply) as ApplyIf["apply"], base());
    default:
      throw new Error(`${fn}: ${where} is '${String(json.trait)}'; this version reads Immutable, MutationShield, ApplyIf and registered traits`);
  }
}
