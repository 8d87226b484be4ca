// The indexing that Chain, Parallel and PairwiseFusion share over their `layers` field, which is
// an array or a plain object of named sub-layers.
import { type Callable, Layer } from "../../core/layer.js";
import { repr } from "../../core/show.js";

/** Sub-layers in order: an array, or an object whose keys name them. */
export type Layers = Callable[] | Record<string, Callable>;

/** `a, b` or `α = a, β = b`: the sub-layers as a container's repr lists them. */
export function layersRepr(layers: Layers): string {
  return Array.isArray(layers) ? layers.map(repr).join(", ") : Object.entries(layers).map(([k, l]) => `${k} = ${repr(l)}`).join(", ");
}

/** A container of indexable sub-layers: `list()`, `length`, `at(i)`, `get(name)`. */
export abstract class IndexedLayers extends Layer {
  abstract layers: Layers;

  /** What the error messages call one entry. */
  protected get entry(): string {
    return "sub-layer";
  }

  /** How an index error describes the container's size. */
  protected sizeString(n: number): string {
    return `${n} ${this.entry}s`;
  }

  /** The sub-layers in order. */
  list(): Callable[] {
    return Object.values(this.layers);
  }

  get length(): number {
    return this.list().length;
  }

  /** Sub-layer `i` (0-based; negative counts from the end). */
  at(i: number): Callable {
    const list = this.list();
    const l = Number.isInteger(i) ? list.at(i) : undefined;
    if (l === undefined) throw new RangeError(`${this.constructor.name}.at: index ${i} is out of range for ${this.sizeString(list.length)}`);
    return l;
  }

  /** The sub-layer named `name`. */
  get(name: string): Callable {
    if (Array.isArray(this.layers) || !Object.prototype.hasOwnProperty.call(this.layers, name)) {
      const names = Array.isArray(this.layers) ? `none (its ${this.entry}s are not named)` : Object.keys(this.layers).join(", ");
      throw new Error(`${this.constructor.name}.get: no ${this.entry} named ${JSON.stringify(name)}; the names are ${names}`);
    }
    return this.layers[name]!;
  }
}
