import { tf } from "@fluxion/backend";
import { describe, isPlainObject } from "@fluxion/functors";
import { layer } from "../../core/declare.js";
import { call, isCallable, type Callable } from "../../core/layer.js";
import { showsVector } from "../../core/show.js";
import { checkInputsLive } from "../../core/checks.js";
import { IndexedLayers, type Layers, layersRepr } from "./indexed-layers.js";

/**
 * `new Chain(a, b, c)` applies its layers in order (Flux's `Chain`); `new Chain({ enc, dec })`
 * names them; `new Chain([a, b])` holds a plain array (Flux's vector form). Index with `at(i)`
 * (0-based, negative from the end), `get(name)`, `slice(from, to)`.
 */
export class Chain extends IndexedLayers {
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
      if (!isCallable(l)) throw new Error(`Chain: layer ${k} must be a layer or a function, got ${describe(l)}`);
    }
  }

  /** The multi-line show keeps the vector form's brackets (Flux's `_big_show`). */
  get [showsVector](): boolean {
    return this.vectorForm;
  }

  protected override get entry(): string {
    return "layer";
  }

  protected override sizeString(n: number): string {
    return `a Chain of ${n} layers`;
  }

  /** Runs the layers in turn; several inputs reach the first layer as one array (Flux's tuple). */
  apply(x: unknown, ...more: unknown[]): any {
    checkInputsLive(this, [x, ...more]);
    // Intermediate outputs are freed; the result (a tensor or a container of tensors) is kept.
    return tf.tidy(() => {
      let y = more.length === 0 ? x : [x, ...more];
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

  /** A Chain of layers `from` up to (not including) `to`, sharing them (Flux's `c[1:2]`). */
  slice(from?: number, to?: number): Chain {
    if (Array.isArray(this.layers)) {
      const part = this.layers.slice(from, to);
      return this.vectorForm ? new Chain(part) : new Chain(...part);
    }
    return new Chain(Object.fromEntries(Object.entries(this.layers).slice(from, to)));
  }

  repr(): string {
    return this.vectorForm ? `Chain([${layersRepr(this.layers)}])` : `Chain(${layersRepr(this.layers)})`;
  }
}
layer(Chain, { fields: ["layers"] });
