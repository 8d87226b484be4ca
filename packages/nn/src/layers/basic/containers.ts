// Flux's containers that combine sub-layers: Parallel, SkipConnection, PairwiseFusion, Maxout.
// Each runs inside one tf.tidy, so the sub-layers' intermediate outputs are freed and only what
// the container returns survives (a sub-layer may return its input unchanged: that is kept too).
import { tf } from "@fluxion/backend";
import { isPlainObject } from "@fluxion/functors";
import { activationName, setActivationName } from "../../functions/activations.js";
import { layer } from "../../core/declare.js";
import { call, isCallable, Layer, type Callable } from "../../core/layer.js";
import { repr } from "../../core/show.js";
import { checkInputsLive } from "../../core/checks.js";
import { dispose } from "../../core/dispose.js";
import { IndexedLayers, type Layers, layersRepr } from "./indexed-layers.js";

function checkCallable(owner: string, what: string, l: unknown): void {
  if (!isCallable(l)) {
    throw new Error(`${owner}: ${what} must be a layer or a function, got ${l === null ? "null" : Array.isArray(l) ? "an array" : typeof l}`);
  }
}

// tfjs ops are named `add__op`; print them as `add`, as Flux prints `+` or `vcat`.
function nameConnection(f: Callable): void {
  if (typeof f === "function" && activationName(f).endsWith("__op")) setActivationName(f, activationName(f).slice(0, -4));
}

/** `(layers…)` or `({ name: layer, … })` after a connection: the list or the named object. */
function collectLayers(owner: string, args: unknown[], forbidden: readonly string[]): Layers {
  const named = args.length === 1 && isPlainObject(args[0]) && typeof (args[0] as { apply?: unknown }).apply !== "function";
  const layers = named ? { ...(args[0] as Record<string, Callable>) } : (args as Callable[]);
  if (named) {
    const bad = Object.keys(layers).filter((k) => forbidden.includes(k));
    if (bad.length) throw new Error(`a ${owner} layer cannot have a named sub-layer called ${forbidden.map((f) => `"${f}"`).join(" or ")}, got ${bad.map((b) => `"${b}"`).join(", ")}`);
  }
  const entries = Object.entries(layers);
  if (entries.length === 0) throw new Error(`${owner}: expected at least one sub-layer, got none`);
  for (const [k, l] of entries) checkCallable(owner, `sub-layer ${k}`, l);
  return layers;
}

// tf.tidy keeps the tensors inside arrays and plain objects it is given back.
const tidy = <T>(f: () => T): T => tf.tidy(f as () => tf.TensorContainer) as T;

/**
 * `new Parallel(connection, a, b, …)` or `new Parallel(connection, { α: a, β: b })`: with one input
 * x it returns `connection(a(x), b(x), …)`; with N inputs and N sub-layers, `connection(a(x1),
 * b(x2), …)`; with N inputs and one sub-layer, that layer on each. An array input is splatted.
 * `connection` is any function of the outputs, e.g. `plus`, `concatFeatures` or `tf.maximum`.
 */
export class Parallel extends IndexedLayers {
  connection: Callable;
  layers: Layers;

  constructor(connection: Callable, ...layers: Callable[] | [Record<string, Callable>]) {
    super();
    checkCallable("Parallel", "the connection", connection);
    this.connection = connection;
    this.layers = collectLayers("Parallel", layers, ["connection", "layers"]);
    nameConnection(connection);
  }

  apply(...xs: unknown[]): any {
    if (xs.length === 1 && Array.isArray(xs[0])) xs = xs[0];
    const layers = this.list();
    const nl = layers.length;
    const nx = xs.length;
    if (nx !== 1 && nl !== 1 && nx !== nl) {
      throw new Error(`Parallel with ${nl} > 1 sub-layers can take one input or ${nl} inputs, but got ${nx} inputs`);
    }
    if (nx === 0) throw new Error(`Parallel with 1 sub-layer needs at least one input, but got 0 inputs`);
    checkInputsLive(this, xs);
    return tidy(() => {
      const ys = nx === 1 ? layers.map((l) => call(l, xs[0])) : nl === 1 ? xs.map((x) => call(layers[0]!, x)) : layers.map((l, i) => call(l, xs[i]));
      return call(this.connection, ...ys);
    });
  }

  repr(): string {
    return `Parallel(${repr(this.connection)}, ${layersRepr(this.layers)})`;
  }
}
layer(Parallel, { fields: ["connection", "layers"] });

/**
 * `new SkipConnection(layers, connection)` returns `connection(layers(x), x)`: `plus` gives a
 * residual block, `concatFeatures` a DenseNet-style concatenation.
 */
export class SkipConnection extends Layer {
  layers: Callable;
  connection: Callable;

  constructor(layers: Callable, connection: Callable) {
    super();
    checkCallable("SkipConnection", "the layers", layers);
    checkCallable("SkipConnection", "the connection", connection);
    this.layers = layers;
    this.connection = connection;
    nameConnection(connection);
  }

  apply(x: unknown): any {
    checkInputsLive(this, [x]);
    return tidy(() => call(this.connection, call(this.layers, x), x));
  }

  repr(): string {
    return `SkipConnection(${repr(this.layers)}, ${repr(this.connection)})`;
  }
}
layer(SkipConnection, { fields: ["layers", "connection"] });

/**
 * `new PairwiseFusion(connection, l1, l2, …)` (or named) returns the array of all outputs:
 * y1 = l1(x1), yᵢ = lᵢ(connection(yᵢ₋₁, xᵢ)). Given N inputs (or one array of N) it needs N
 * sub-layers; a single input is used at every step.
 */
export class PairwiseFusion extends IndexedLayers {
  connection: Callable;
  layers: Layers;

  constructor(connection: Callable, ...layers: Callable[] | [Record<string, Callable>]) {
    super();
    checkCallable("PairwiseFusion", "the connection", connection);
    this.connection = connection;
    this.layers = collectLayers("PairwiseFusion", layers, ["connection", "layers"]);
    nameConnection(connection);
  }

  apply(...xs: unknown[]): any[] {
    const layers = this.list();
    const n = layers.length;
    const many = xs.length > 1 || (xs.length === 1 && Array.isArray(xs[0]));
    const inputs = xs.length === 1 && Array.isArray(xs[0]) ? (xs[0] as unknown[]) : xs;
    if (inputs.length === 0 || (many && inputs.length !== n)) {
      throw new Error(`PairwiseFusion with ${n} sub-layers can take one input or ${n} inputs, but got ${inputs.length} inputs`);
    }
    checkInputsLive(this, inputs);
    const input = (i: number): unknown => (many ? inputs[i] : inputs[0]);
    return tidy(() => {
      const ys: unknown[] = [call(layers[0]!, input(0))];
      for (let i = 1; i < n; i++) ys.push(call(layers[i]!, call(this.connection, ys[i - 1], input(i))));
      return ys;
    });
  }

  repr(): string {
    return `PairwiseFusion(${repr(this.connection)}, ${layersRepr(this.layers)})`;
  }
}
layer(PairwiseFusion, { fields: ["connection", "layers"] });

/**
 * `new Maxout(a, b, …)` gives every sub-layer the same input and returns the elementwise maximum
 * of their outputs; `new Maxout(() => new Dense([5, 7], tanh), 3)` builds the sub-layers by
 * calling the factory n times.
 */
export class Maxout extends Layer {
  layers: Callable[];

  constructor(factory: () => Callable, n: number);
  constructor(...layers: Callable[]);
  constructor(...args: unknown[]) {
    super();
    if (args.length === 2 && typeof args[1] === "number") {
      const [factory, n] = args as [unknown, number];
      if (typeof factory !== "function") throw new Error(`Maxout(f, n): f must be a function that builds a layer, got ${typeof factory}`);
      if (!Number.isInteger(n) || n < 1) throw new Error(`Maxout(f, n): n must be a positive integer, got ${n}`);
      // The factory is user code: if it fails, or builds something that is not a layer, the
      // layers it built are disposed.
      const built: unknown[] = [];
      try {
        for (let i = 0; i < n; i++) {
          built.push((factory as () => unknown)());
          checkCallable("Maxout", `sub-layer ${i}`, built[i]);
        }
      } catch (err) {
        dispose(built);
        throw err;
      }
      this.layers = built as Callable[];
    } else {
      this.layers = args as Callable[];
    }
    if (this.layers.length === 0) throw new Error(`Maxout: expected at least one sub-layer, got none`);
    this.layers.forEach((l, i) => checkCallable("Maxout", `sub-layer ${i}`, l));
  }

  apply(x: unknown): tf.Tensor {
    checkInputsLive(this, [x]);
    return tidy(() => this.layers.map((l) => call(l, x) as tf.Tensor).reduce((acc, y) => tf.maximum(acc, y)));
  }

  repr(): string {
    return `Maxout(${this.layers.map(repr).join(", ")})`;
  }
}
layer(Maxout, { fields: ["layers"] });

/** Elementwise sum of any number of tensors (Julia's n-ary `+`); prints as `+`. */
export function plus(...xs: tf.Tensor[]): tf.Tensor {
  if (xs.length === 0) throw new Error("plus: expected at least one tensor");
  return xs.length === 1 ? xs[0]! : xs.length === 2 ? tf.add(xs[0]!, xs[1]!) : tf.tidy(() => xs.reduce((a, b) => tf.add(a, b)));
}
setActivationName(plus, "+");

/**
 * Concatenation along the last (feature) axis: the batch-first form of Julia's `vcat`, for
 * `Parallel(concatFeatures, …)` and `SkipConnection(layer, concatFeatures)`.
 */
export function concatFeatures(...xs: tf.Tensor[]): tf.Tensor {
  if (xs.length === 0) throw new Error("concatFeatures: expected at least one tensor");
  const rank = xs[0]!.rank;
  const lead = xs[0]!.shape.slice(0, -1);
  for (const x of xs) {
    if (x.rank !== rank || !tf.util.arraysEqual(x.shape.slice(0, -1), lead)) {
      throw new Error(`concatFeatures: all inputs must agree on every dimension but the last, got shapes ${xs.map((t) => `[${t.shape.join(", ")}]`).join(", ")}`);
    }
  }
  return xs.length === 1 ? xs[0]! : tf.concat(xs, -1);
}
