// A member of the initial population: input → a search space's blocks → a shielded output layer.
import { Dense, Rng, glorotUniform, identity } from "@fluxion/nn";
import { CompGraph, inputVertex } from "../../graph/comp-graph.js";
import { MutationShield } from "../../graph/traits.js";
import { addLayer, checkArchSpace, FlattenSpace, type ArchSpace, type BuildContext, type Built } from "./arch-spaces.js";

/** Options of `initialGraph`. */
export interface InitialGraphOptions {
  /** The output layer's activation (default identity: logits or a regression value). */
  outputActivation?: (x: any) => any;
  /** Mutation classes the output layer's MutationShield lets through (default none). */
  allowed?: readonly Function[];
}

/**
 * A graph from `space` (null or an empty ChainSpace: no hidden layer, a linear model): the input
 * `input` of `inputShape`, the space's vertices, `flatten` when spatial dims remain, and a Dense
 * output `out` of `outputSize` with a `MutationShield` (so mutations never pick it). Every random
 * choice and initial weight comes from `rng`.
 */
export function initialGraph(space: ArchSpace | null, inputShape: number | readonly number[], outputSize: number, rng: Rng, options: InitialGraphOptions = {}): CompGraph {
  if (!Number.isInteger(outputSize) || outputSize < 1) throw new Error(`initialGraph: the output size must be a positive integer, got ${String(outputSize)}`);
  if (!(rng instanceof Rng)) throw new Error(`initialGraph: rng must be an Rng (new Rng(seed)), got ${rng === null ? "null" : typeof rng}`);
  if (space !== null) checkArchSpace("initialGraph", space);
  const shape = typeof inputShape === "number" ? [inputShape] : [...inputShape];
  const counts = new Map<string, number>();
  const ctx: BuildContext = {
    rng,
    name: (prefix) => {
      const n = (counts.get(prefix) ?? 0) + 1;
      counts.set(prefix, n);
      return `${prefix}${n}`;
    },
  };
  const input: Built = { handle: inputVertex("input", shape), shape };
  let last = space === null ? input : space.build(input, ctx);
  last = new FlattenSpace().build(last, ctx);
  const layer = new Dense([last.shape.at(-1)!, outputSize], options.outputActivation ?? identity, { init: glorotUniform({ rng }) });
  const out = addLayer(last, layer, "out", { rng, name: () => "out" }, new MutationShield(null, ...(options.allowed ?? [])));
  return new CompGraph(input.handle, out.handle);
}
