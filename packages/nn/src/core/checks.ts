// The argument and input checks the layers share, each with one wording: Flux's DimensionMismatch
// text for inputs, `Name: what must be …, got …` for constructor arguments.
import type { tf } from "@fluxion/backend";
import { describe, isPlainObject } from "@fluxion/functors";
import type { Activation } from "../functions/activations.js";

type Printable = { repr(): string };

const typeName = (x: unknown): string => (x === null ? "null" : typeof x);

/** Throws when `x` is not a float tensor (the layers compute in float32). */
export function checkTensor(layer: Printable, x: unknown): asserts x is tf.Tensor {
  if (x === null || typeof x !== "object" || !("dataSync" in x) || !("shape" in x)) {
    throw new Error(`layer ${layer.repr()} expects a tensor input, got ${describe(x)}`);
  }
}

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
