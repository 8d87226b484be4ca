// What Conv, CrossCor and ConvTranspose share: their options, and the parsing of
// (filter, [in, out], σ, options) or (weight, bias, σ, options) into their fields.
import { tf } from "@fluxion/backend";
import { type Activation, identity } from "../../functions/activations.js";
import { checkActivation, checkOptions, checkPair } from "../../core/checks.js";
import { glorotUniform, type Initialiser } from "../../functions/init.js";
import { checkBias, createBias, initParam, param, type BiasOption } from "../../core/params.js";
import { calcPadding, checkWindow, expandDilation, expandOption, type PadOption, SamePad } from "./conv-padding.js";

/** Options of `CrossCor` (and, extended, of `Conv` and `ConvTranspose`); defaults in each layer's description. */
export interface CrossCorOptions {
  /** Step between windows: one number or one per spatial dim (default 1). */
  stride?: number | readonly number[];
  /** Zero padding: a number, N per-dim values, 2N (lo, hi) values in dim order, or `new SamePad()`. */
  pad?: PadOption;
  /** Spacing between kernel taps (default 1). */
  dilation?: number | readonly number[];
  /** `true` (zeros), `false` (none) or a tensor [out]; only in the filter-size form. */
  bias?: BiasOption;
  /** Weight initialiser (default glorotUniform); only in the filter-size form. */
  init?: Initialiser;
}

/** Options of `Conv`: `CrossCorOptions` and `groups`. */
export interface ConvOptions extends CrossCorOptions {
  /** Split channels into this many independent groups (default 1). */
  groups?: number;
}

/** Options of `ConvTranspose`: `ConvOptions` and `outpad`. */
export interface ConvTransposeOptions extends ConvOptions {
  /** Extra size added at the end of each spatial dim of the output (default 0). */
  outpad?: number | readonly number[];
}

/** The fields of a conv layer; CrossCor has no `groups`, only ConvTranspose has `outpad`. */
export interface ConvFields {
  sigma: Activation;
  weight: tf.Variable;
  bias: tf.Variable | false;
  stride: number[];
  pad: number[];
  outpad?: number[];
  dilation: number[];
  groups?: number;
}

export type ConvKind = "Conv" | "CrossCor" | "ConvTranspose";

// ConvTranspose keeps tfjs's conv2dTranspose layout, out and in swapped.
const LAYOUTS: Record<ConvKind, string> = { Conv: "k…, in/groups, out", CrossCor: "k…, in, out", ConvTranspose: "k…, out/groups, in" };

function checkGroups(name: string, groups: unknown): number {
  if (!Number.isInteger(groups) || (groups as number) < 1) throw new Error(`${name}: groups must be a positive integer, got ${String(groups)}`);
  return groups as number;
}

function checkDivisible(name: string, side: "input" | "output", channels: number, groups: number): void {
  if (channels % groups !== 0) throw new Error(`${name}: the ${side} channel dimension (${channels}) must be divisible by groups = ${groups}`);
}

/** The number N of spatial dims of a given conv weight [k…, a, b] (rank 3 to 5). */
export function checkWeight(name: string, w: tf.Tensor, layout: string): number {
  if (w.rank < 3 || w.rank > 5) {
    throw new Error(`${name}: the weight must have 3 to 5 dims [${layout}], got shape [${w.shape.join(", ")}]`);
  }
  return w.rank - 2;
}

/** `init(shape)` inside a tidy, checked (Flux's DimensionMismatch from `convfilter`). */
/**
 * Parses a conv layer's constructor arguments into its fields: the filter-size form builds the
 * weight with `init`, the weight form copies the given one. Every argument is checked before the
 * weight is made.
 */
export function convFields(
  name: ConvKind,
  a: readonly number[] | tf.Tensor,
  b: readonly [number, number] | BiasOption | undefined,
  sigma: Activation | undefined,
  given: ConvTransposeOptions | undefined,
): ConvFields {
  const options = given ?? {};
  const transpose = name === "ConvTranspose";
  if (name === "CrossCor" && "groups" in options) throw new Error("CrossCor: there is no groups option (use Conv)");
  checkOptions(name, options, ["stride", "pad", "dilation", "bias", "init", ...(name === "CrossCor" ? [] : ["groups"]), ...(transpose ? ["outpad"] : [])]);
  const groups = checkGroups(name, options.groups ?? 1);
  let k: number[];
  let weight: () => tf.Variable;
  let biasOption: BiasOption;
  let outChannels: number;
  if (a instanceof tf.Tensor) {
    const n = checkWeight(name, a, LAYOUTS[name]);
    checkDivisible(name, transpose ? "input" : "output", a.shape[n + 1]!, groups);
    k = a.shape.slice(0, n);
    weight = () => param(a);
    biasOption = (b ?? true) as BiasOption;
    outChannels = transpose ? a.shape[n]! * groups : a.shape[n + 1]!;
  } else {
    k = checkWindow(name, "the filter size", a);
    const [cin, cout] = checkPair(name, b);
    checkDivisible(name, "input", cin, groups);
    checkDivisible(name, "output", cout, groups);
    const init = options.init ?? glorotUniform;
    const shape = transpose ? [...k, cout / groups, cin] : [...k, cin / groups, cout];
    weight = () => initParam(name, init, shape);
    biasOption = options.bias ?? true;
    outChannels = cout;
  }
  const n = k.length;
  checkBias(name, biasOption, [outChannels]);
  const checkedSigma = checkActivation(name, sigma ?? identity);
  const stride = expandOption(name, "stride", options.stride ?? 1, n, 1);
  const givenDilation = expandDilation(name, options.dilation ?? 1, k);
  const outpad = transpose ? expandOption(name, "outpad", options.outpad ?? 0, n, 0) : undefined;
  // Flux: SamePad for a transpose is the Conv padding of a kernel k − stride + 1.
  const padOption = options.pad ?? 0;
  const padKernel = transpose && padOption instanceof SamePad ? k.map((kk, i) => kk - stride[i]! + 1) : k;
  const pad = calcPadding(name, padOption, padKernel, givenDilation);
  // A dilation of 0 (only at a filter size of 1) spaces no taps: the same layer as dilation 1.
  const dilation = givenDilation.map((d) => Math.max(d, 1));
  const w = weight();
  const bias = createBias(w, biasOption, outChannels);
  return { sigma: checkedSigma, weight: w, bias, stride, pad, ...(outpad && { outpad }), dilation, ...(name !== "CrossCor" && { groups }) };
}
