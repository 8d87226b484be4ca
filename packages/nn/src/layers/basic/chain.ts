import { tf } from "@fluxion/backend";
import { describe, isPlainObject } from "@fluxion/functors";
import { layer } from "../../core/declare.js";
import { call, Layer, type Callable } from "../../core/layer.js";
import { repr } from "../../core/show.js";

type Layers = Callable[] | Record<string, Callable>;

/**
 * `new Chain(a, b, c)` applies its layers in order (Flux's `Chain`); `new Chain({ enc, dec })`
 * names them; `new Chain([a, b])` holds a plain array (Flux's vector form). Index with `at(i)`
 * (0-based, negative from the end), `get(name)`, `slice(from, to)`.
 */
export class Chain extends Layer {
  layers: Layers;
  /** Whether this Chain was built from an array (printed as `Chain([...])`). */
  private readonly vectorForm: boolean;

  constructor(...layers: Callable[] | [Record<string, Callable>] | [Callable[]]) {
    super();
    if (layers.length === 1 && Array.isArray(layers[0])) {
      this.layers = [...layers[0]];
      this.vectorForm = true;
    } else if (layers.length === 1 && isPlainObject(layers[0])) {
      const named = layers[0] as Record<string, Callable>;
      if ("layers" in named) throw new Error(`Chain: a layer may not be named "layers"`);
      this.layers = { ...named };
      this.vectorForm = false;
    } else {
      this.layers = layers as Callable[];
      this.vectorForm = false;
    }
    for (const [k, l] of Object.entries(this.layers)) {
      if (typeof l !== "function" && (l === null || typeof l !== "object" || typeof (l as { apply?: unknown }).apply !== "function")) {
        throw new Error(`Chain: layer ${k} must be a layer or a function, got ${describe(l)}`);
      }
    }
  }

  /** The layers in order. */
  list(): Callable[] {
    return Object.values(this.layers);
  }

  get length(): number {
    return this.list().length;
  }

  apply(x: unknown): any {
    // Intermediate outputs are freed; the result (a tensor or a container of tensors) is kept.
    return tf.tidy(() => {
      let y = x;
      for (const l of this.list()) y = call(l, y);
      return y as tf.TensorContainer;
    });
  }

  /** The output of every layer in turn (Flux's `activations`). The caller owns all of them. */
  activations(x: unknown): any[] {
    return tf.tidy(() => {
      const out: unknown[] = [];
      let y = x;
      for (const l of this.list()) {
        y = call(l, y);
        out.push(y);
      }
      return out as tf.TensorContainer;
    }) as unknown as any[];
  }

  /** Layer `i` (0-based; negative counts from the end). */
  at(i: number): Callable {
    const list = this.list();
    const l = list.at(i);
    if (!Number.isInteger(i) || l === undefined) throw new RangeError(`Chain.at: index ${i} is out of range for a Chain of ${list.length} layers`);
    return l;
  }

  /** The layer named `name`. */
  get(name: string): Callable {
    if (Array.isArray(this.layers) || !(name in this.layers)) {
      throw new Error(`Chain.get: no layer named ${JSON.stringify(name)}; the names are ${Array.isArray(this.layers) ? "none (this Chain is not named)" : Object.keys(this.layers).join(", ")}`);
    }
    return this.layers[name]!;
  }

  /** A Chain of layers `from` up to (not including) `to`, sharing them (Flux's `c[1:2]`). */
  slice(from?: number, to?: number): Chain {
    if (Array.isArray(this.layers)) {
      const part = this.layers.slice(from, to);
      return this.vectorForm ? new Chain(part) : new Chain(...part);
    }
    return new Chain(Object.fromEntries(Object.entries(this.layers).slice(from, to)));
  }

  repr(): string {
    if (Array.isArray(this.layers)) {
      const inner = this.layers.map(repr).join(", ");
      return this.vectorForm ? `Chain([${inner}])` : `Chain(${inner})`;
    }
    return `Chain(${Object.entries(this.layers).map(([k, l]) => `${k} = ${repr(l)}`).join(", ")})`;
  }
}
layer(Chain, { fields: ["layers"] });
