// The argument and input checks the layers share, each with one wording: Flux's DimensionMismatch
// text for inputs, `Name: what must be …, got …` for constructor arguments.
import type { tf } from "@fluxion/backend";
import { describe, isPlainObject } from "@fluxion/functors";
import type { Activation } from "../functions/activations.js";

type Printable = { repr(): string };

const typeName = (x: unknown): string => (x === null ? "null" : typeof x);

/** The dtypes the layers compute with (int32 and bool are cast or promoted to float32). */
const REAL = ["float32", "int32", "bool"];

/**
 * Throws when `x` is not a live real-valued tensor, or when one of `layer`'s own parameters is
 * disposed: every layer's `apply` starts here, so bad input never reaches a TypeError in tfjs.
 */
export function checkTensor(layer: Printable, x: unknown): asserts x is tf.Tensor {
  if (x === null || typeof x !== "object" || !("dataSync" in x) || !("shape" in x)) {
    throw new Error(`layer ${layer.repr()} expects a tensor input, got ${describe(x)}`);
  }
  const t = x as tf.Tensor;
  if (t.isDisposed) throw new Error(`layer ${layer.repr()}: the input tensor is disposed`);
  if (!REAL.includes(t.dtype)) throw new Error(`layer ${layer.repr()} expects a real-valued tensor (float32, int32 or bool), got a ${t.dtype} tensor`);
  checkParameters(layer);
}

/**
 * Throws when a tensor held directly by `layer` (a parameter or buffer) is disposed, as after
 * `dispose(model)`. One flag read per child: sub-layers check their own when they run.
 */
export function checkParameters(layer: Printable): void {
  // The layer's own fields, not its functor children: no object is built per call.
  for (const k in layer) {
    if (isDisposedTensor((layer as Record<string, unknown>)[k])) throw new Error(`${layer.repr()}: parameter ${k} is disposed (was the model disposed?)`);
  }
}

/** Throws when an input of a container (a tensor, or a tensor in an array of inputs) is disposed. */
export function checkInputsLive(layer: Printable, xs: readonly unknown[]): void {
  for (const x of xs) {
    if (isDisposedTensor(x) || (Array.isArray(x) && x.some(isDisposedTensor))) throw new Error(`layer ${layer.repr()}: the input tensor is disposed`);
  }
}

// Duck-typed: this file imports tfjs only for its types.
const isDisposedTensor = (x: unknown): boolean => x !== null && typeof x === "object" && (x as { isDisposed?: unknown }).isDisposed === true && "dtype" in x;

function checkLastAxis(layer: Printable, x: { rank: number; shape: readonly number[] }, expected: number, what: string, minRank: number): void {
  if (x.rank < minRank || x.shape.at(-1) !== expected) {
    throw new Error(`layer ${layer.repr()} expects size(input, -1) == ${expected} (${what} last), but got a tensor of shape [${x.shape.join(", ")}]`);
  }
}

/** Throws Flux's DimensionMismatch message when the feature (last) axis of `x` is not `expected`. */
export function checkFeatures(layer: Printable, x: tf.Tensor, expected: number, minRank = 1): void {
  checkLastAxis(layer, x, expected, "features", minRank);
}

/** The same for an image-like input: its channel (last) axis must be `channels`. */
export function checkInputChannels(layer: Printable, x: { rank: number; shape: readonly number[] }, channels: number): void {
  checkLastAxis(layer, x, channels, "channels", 0);
}

/** A constructor's channel count: a positive integer. */
export function checkChannelCount(name: string, chs: unknown): asserts chs is number {
  if (!Number.isInteger(chs) || (chs as number) <= 0) throw new Error(`${name}: the number of channels must be a positive integer, got ${String(chs)}`);
}

/** A layer's activation (or another function-valued `field`, such as λ) must be a function. */
export function checkActivation(layerName: string, value: unknown, field = "σ"): Activation {
  if (typeof value !== "function") throw new Error(`${layerName}: ${field} must be a function, got ${typeName(value)}`);
  return value as Activation;
}

/** Checks an `in => out` pair written as [in, out]. */
export function checkPair(name: string, pair: unknown): [number, number] {
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error(`${name}: expected [in, out] (Flux's in => out) as two positive integers, got ${JSON.stringify(pair)}`);
  }
  return pair as [number, number];
}

/** An options argument: a plain object with no keys but `known` (a typo must not pass silently). */
export function checkOptions(owner: string, options: unknown, known: readonly string[]): void {
  if (!isPlainObject(options)) throw new Error(`${owner}: expected an options object { ${known.join(", ")} }, got ${typeName(options)}`);
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length) throw new Error(`${owner}: unknown option ${unknown.join(", ")}; the options are ${known.join(", ")}`);
}
