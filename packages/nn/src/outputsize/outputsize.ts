// Flux's `outputsize` and `@autosize`, on the shape rules of shape-rules.ts (see engine.ts).
import { fmap, isLeaf } from "@fluxion/functors";
import { isCallable, type Callable } from "../core/layer.js";
import { chainShape, LazyLayer, shapeOf, type Shape } from "./engine.js";
import "./shape-rules.js";

/** Options of `outputsize`. */
export interface OutputSizeOptions {
  /** Adds a batch of 1 in front of each input size (and so in the result), Flux's `padbatch`. */
  padbatch?: boolean;
}

function checkShapes(name: string, sizes: unknown): Shape[] {
  const isShape = (s: unknown): s is Shape => Array.isArray(s) && s.every((d) => Number.isInteger(d) && d >= 0);
  if (isShape(sizes)) return [[...sizes]];
  if (Array.isArray(sizes) && sizes.length > 0 && sizes.every(isShape)) return sizes.map((s) => [...s]);
  throw new Error(`${name}: expected an input size (an array of non-negative integers, batch first) or an array of sizes, got ${JSON.stringify(sizes)}`);
}

/**
 * Flux's `outputsize(m, inputsize; padbatch = false)`: the size of `m`'s output for an input of
 * size `inputSize` (batch first), without computing it: built-in layers use their shape rules.
 * Several inputs are given as an array of sizes; an array of layers is a Chain. Throws what the
 * layer would throw for a wrong size, naming the failing layer of a Chain.
 */
export function outputsize(m: Callable | readonly Callable[], inputSize: Shape | Shape[], options: OutputSizeOptions = {}): Shape {
  let shapes = checkShapes("outputsize", inputSize);
  if (options.padbatch) shapes = shapes.map((s) => [1, ...s]);
  if (Array.isArray(m)) return chainShape(m, shapes);
  if (!isCallable(m)) throw new TypeError(`outputsize: expected a layer, a function or an array of them, got ${m === null ? "null" : typeof m}`);
  return shapeOf(m as Callable, shapes);
}

/** `new LazyLayer(make)`, short for use inside `autosize`. */
export function lazy(make: (n: number, size: Shape) => Callable): LazyLayer {
  return new LazyLayer(make);
}

/** Flux's `striplazy`: the model with every (built) LazyLayer replaced by its layer. */
export function stripLazy<M>(model: M): M {
  return fmap({ exclude: (x: unknown) => isLeaf(x) || x instanceof LazyLayer }, (x: unknown) => {
    if (!(x instanceof LazyLayer)) return x;
    if (x.layer === null) throw new Error(`stripLazy: ${x.repr()} was never built; run outputsize(model, size) first`);
    return x.layer;
  }, model);
}

/**
 * Flux's `@autosize (size...,) model`: builds every `lazy((n) => …)` layer of `model` for an input
 * of size `inputSize` (batch first) and returns the model without them. For example
 * `autosize([1, 28, 28, 1], new Chain(lazy((c) => new Conv([3, 3], [c, 8])), flatten, lazy((n) => new Dense([n, 10]))))`.
 */
export function autosize<M extends Callable | readonly Callable[]>(inputSize: Shape | Shape[], model: M): M {
  outputsize(model, inputSize);
  return stripLazy(model);
}
