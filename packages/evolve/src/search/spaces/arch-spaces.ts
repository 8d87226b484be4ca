// Architecture spaces (NaiveGAflux's VertexSpace, RepeatArchSpace, ArchSpaceChain, ArchSpace):
// each adds vertices after a given one while a graph is built, drawing its choices from a generator.
import { flatten, outputsize, type Rng } from "@fluxion/nn";
import { vertex, type VertexHandle } from "../../graph/comp-graph.js";
import type { Trait } from "../../graph/traits.js";
import { ConvSpace, type LayerSpace } from "./layer-spaces.js";

/** A vertex while a graph is built, with the shape of one example it gives (features last, no batch axis). */
export interface Built {
  readonly handle: VertexHandle;
  readonly shape: readonly number[];
}

/** What an ArchSpace builds with: a generator and unique names. */
export interface BuildContext {
  readonly rng: Rng;
  /** A name not used yet in the graph being built, starting with `prefix`. */
  name(prefix: string): string;
}

/** Adds vertices after `from` and returns the last one (NaiveGAflux's `AbstractArchSpace`). */
export interface ArchSpace {
  /** Adds vertices after `from`, drawing from `ctx.rng`; returns the last one (`from` itself when it adds none). */
  build(from: Built, ctx: BuildContext): Built;
}

/** Throws unless `space` is an ArchSpace (an object with `build`), naming `fn`. */
export function checkArchSpace(fn: string, space: unknown, what = "the space"): ArchSpace {
  if (space === null || typeof space !== "object" || typeof (space as ArchSpace).build !== "function") {
    throw new Error(`${fn}: ${what} must be an architecture space (LayerBlock, RepeatSpace, ChainSpace, ChoiceSpace or an object with build), got ${space === null ? "null" : typeof space}`);
  }
  return space as ArchSpace;
}

/** `from` followed by a vertex holding `layer` (a layer or function), named after `prefix`. */
export function addLayer(from: Built, layer: unknown, prefix: string, ctx: BuildContext, trait: Trait | null = null): Built {
  const shape = outputsize(layer as never, [1, ...from.shape]).slice(1);
  return { handle: vertex(ctx.name(prefix), layer, from.handle, { trait }), shape };
}

/**
 * One layer from a layer space (NaiveGAflux's `VertexSpace`); a ConvSpace block ends with a 2×2
 * max pool with its `pool` probability. Builds nothing where the layer space does not fit the shape.
 */
export class LayerBlock implements ArchSpace {
  constructor(
    readonly space: LayerSpace,
    readonly trait: Trait | null = null,
  ) {
    if (space === null || typeof space !== "object" || typeof space.layer !== "function" || typeof space.fits !== "function") throw new Error("LayerBlock: expected a layer space (DenseSpace, ConvSpace or an object with prefix, fits and layer)");
  }
  /** Adds this space's vertices after `from`; returns the last one. */
  build(from: Built, ctx: BuildContext): Built {
    if (!this.space.fits(from.shape)) return from;
    let out = addLayer(from, this.space.layer(from.shape, ctx.rng), this.space.prefix, ctx, this.trait);
    if (this.space instanceof ConvSpace && this.space.pool > 0 && ctx.rng.float() < this.space.pool) {
      const pool = this.space.pooling(out.shape);
      if (pool) out = addLayer(out, pool, "pool", ctx);
    }
    return out;
  }
}

/** `space` repeated r times, r drawn uniformly from [min, max] (NaiveGAflux's `RepeatArchSpace`); r = 0 builds nothing. */
export class RepeatSpace implements ArchSpace {
  constructor(
    readonly space: ArchSpace,
    readonly min: number,
    readonly max: number,
  ) {
    checkArchSpace("RepeatSpace", space);
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < min) throw new Error(`RepeatSpace: expected whole numbers 0 ≤ min ≤ max, got ${String(min)} and ${String(max)}`);
  }
  /** Adds this space's vertices after `from`; returns the last one. */
  build(from: Built, ctx: BuildContext): Built {
    const r = this.min + ctx.rng.int(this.max - this.min + 1);
    let out = from;
    for (let i = 0; i < r; i++) out = this.space.build(out, ctx);
    return out;
  }
}

/** Each space in turn (NaiveGAflux's `ArchSpaceChain`); with none, builds nothing (a model with no hidden layer). */
export class ChainSpace implements ArchSpace {
  readonly spaces: readonly ArchSpace[];
  constructor(...spaces: ArchSpace[]) {
    spaces.forEach((s, i) => checkArchSpace("ChainSpace", s, `space ${i}`));
    this.spaces = Object.freeze([...spaces]);
  }
  /** Adds this space's vertices after `from`; returns the last one. */
  build(from: Built, ctx: BuildContext): Built {
    return this.spaces.reduce((out, s) => s.build(out, ctx), from);
  }
}

/** One of the spaces, drawn uniformly (NaiveGAflux's `ArchSpace(spaces...)`). */
export class ChoiceSpace implements ArchSpace {
  readonly spaces: readonly ArchSpace[];
  constructor(...spaces: ArchSpace[]) {
    if (spaces.length === 0) throw new Error("ChoiceSpace: needs at least one space");
    spaces.forEach((s, i) => checkArchSpace("ChoiceSpace", s, `space ${i}`));
    this.spaces = Object.freeze([...spaces]);
  }
  /** Adds this space's vertices after `from`; returns the last one. */
  build(from: Built, ctx: BuildContext): Built {
    return this.spaces[ctx.rng.int(this.spaces.length)]!.build(from, ctx);
  }
}

/** Flattens spatial dims into the features when there are any (a Dense output after convolutions). */
export class FlattenSpace implements ArchSpace {
  /** Adds this space's vertices after `from`; returns the last one. */
  build(from: Built, ctx: BuildContext): Built {
    return from.shape.length > 1 ? addLayer(from, flatten, "flatten", ctx) : from;
  }
}
