// The machinery of `outputsize`: the registry of shape rules, the shape of one callable, of a
// chain, and Flux's LazyLayer (the `_` of `@autosize`). Flux gets sizes by running the model on
// arrays of its `Nil` number; here a layer with a rule is not run, anything else (a custom layer, a
// container's connection) runs once on zeros inside tf.tidy.
import { tf } from "@fluxion/backend";
import { dispose } from "../core/dispose.js";
import { call, isCallable, Layer, type Callable } from "../core/layer.js";
import { repr } from "../core/show.js";

/** A tensor's size, batch first. */
export type Shape = number[];
/** A layer's (or function's) output size for the sizes of its inputs; throws as the layer would. */
export type ShapeRule = (layer: any, inputs: Shape[]) => Shape;

const classRules = new Map<Function, ShapeRule>();
const functionRules = new Map<Function, ShapeRule>();

/**
 * Gives a layer class (or a plain function such as an activation) a shape rule, so `outputsize`
 * need not run it (Flux's layers get this from `Nil`; a rule is the JavaScript equivalent).
 */
export function registerOutputSize(target: Function, rule: ShapeRule): void {
  if (typeof target !== "function" || typeof rule !== "function") throw new TypeError("registerOutputSize: expected a class or function and a rule function");
  (target.prototype instanceof Layer ? classRules : functionRules).set(target, rule);
}

function ruleFor(f: Callable): ShapeRule | undefined {
  if (typeof f === "function") return functionRules.get(f);
  for (let p = Object.getPrototypeOf(f); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    const rule = classRules.get(p.constructor);
    if (rule) return rule;
  }
  return undefined;
}

/** `f`'s output size for inputs of sizes `inputs`: by its rule, or by one run on zeros. */
export function shapeOf(f: Callable, inputs: Shape[]): Shape {
  if (f instanceof LazyLayer) return f.buildFor(inputs);
  const rule = ruleFor(f);
  return rule ? rule(f, inputs) : shapeByRunning(f, inputs);
}

/** Runs `f` on zeros of the given sizes and keeps only the output's size. */
export function shapeByRunning(f: Callable, inputs: Shape[]): Shape {
  let shape: Shape | null = null;
  tf.tidy(() => {
    const y = call(f, ...inputs.map((s) => tf.zeros(s)));
    if (!(y instanceof tf.Tensor)) throw new Error(`outputsize: ${repr(f)} did not return a tensor`);
    shape = [...y.shape];
  });
  return shape!;
}

/** A chain's output size, naming the layer that failed as Flux's `outputsize` does. */
export function chainShape(layers: readonly Callable[], inputs: Shape[]): Shape {
  let shapes = inputs;
  layers.forEach((l, i) => {
    try {
      shapes = [shapeOf(l, shapes)];
    } catch (err) {
      const size = shapes.length === 1 ? `with input of size [${shapes[0]!.join(", ")}]` : `with inputs of sizes ${shapes.map((s) => `[${s.join(", ")}]`).join(", ")}`;
      throw new Error(`layer ${repr(l)}, index ${i} in Chain, gave an error ${size}: ${(err as Error).message}`, { cause: err });
    }
  });
  return shapes[0]!;
}

/**
 * Flux's `LazyLayer`, the `_` of `@autosize`: `new LazyLayer((n, size) => new Dense([n, 10]))`
 * builds its layer the first time it sees an input, with n the input's last axis (channels or
 * features: Flux's `_`, its second-last or first dim) and `size` the whole input size.
 */
export class LazyLayer extends Layer {
  layer: Callable | null = null;

  constructor(
    /** Builds the layer from the input's last-axis size `n` and its whole `size`. */
    readonly make: (n: number, size: Shape) => Callable,
    readonly description: string = String(make),
  ) {
    super();
    if (typeof make !== "function") throw new TypeError(`LazyLayer: expected a function (n, size) => layer, got ${typeof make}`);
  }

  /** Builds the layer for inputs of these sizes (once) and returns its output size. */
  buildFor(inputs: Shape[]): Shape {
    if (this.layer !== null) return shapeOf(this.layer, inputs);
    const first = inputs[0]!;
    const made = this.make(first.at(-1)!, [...first]);
    if (!isCallable(made)) throw new Error(`LazyLayer: ${this.description} did not return a layer or a function`);
    try {
      const shape = shapeOf(made, inputs);
      this.layer = made; // kept only once it accepted the input, as in Flux
      return shape;
    } catch (err) {
      dispose(made);
      throw err;
    }
  }

  apply(x: tf.Tensor, ...rest: unknown[]): any {
    if (this.layer === null) this.buildFor([[...x.shape]]);
    return call(this.layer!, x, ...rest);
  }

  repr(): string {
    return `LazyLayer(${this.layer === null ? this.description : repr(this.layer)})`;
  }
}

