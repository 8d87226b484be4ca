// How each layer a vertex can hold is described in a saved graph: its class and the arguments that
// rebuild it (sizes, σ by registered name, stride/pad/dilation, epsilon/momentum, p, …). One row
// per class writes and reads the description; the rebuilt layer's weights are placeholders (zeros,
// so no random numbers are drawn) that the weights file then fills through nn's loadModelBytes.
import {
  AlphaDropout,
  BatchNorm,
  Conv,
  CrossCor,
  Dense,
  Dropout,
  GlobalMaxPool,
  GlobalMeanPool,
  LayerNorm,
  MaxPool,
  MeanPool,
  zeros32,
} from "@fluxion/nn";
import { describe, isPlainObject } from "@fluxion/functors";
import { fieldsFromJson, toJson, type Json } from "./json-values.js";
import { nameOf, valueOf } from "./names.js";

/** A layer in the graph JSON: a registered function (activation, flatten), or a class and its arguments. */
export type LayerJson = { fn: string } | { class: string; args: { [key: string]: Json } };

interface Row {
  Class: Function;
  /** The constructor arguments, as values (functions and objects are named by toJson). */
  write(l: any): Record<string, unknown>;
  /** The layer again, from the values `write` gave. */
  read(a: any): unknown;
}

const pick = (l: any, keys: string[]): Record<string, unknown> => Object.fromEntries(keys.map((k) => [k, l[k]]));

function convRow(Class: typeof Conv | typeof CrossCor, grouped: boolean): Row {
  return {
    Class,
    write: (l) => {
      const n = l.stride.length;
      const groups = grouped ? { groups: l.groups } : {};
      return { kernel: l.weight.shape.slice(0, n), in: l.weight.shape[n] * (l.groups ?? 1), out: l.weight.shape[n + 1], sigma: l.sigma, ...pick(l, ["stride", "pad", "dilation"]), ...groups, bias: l.bias !== false };
    },
    read: ({ kernel, in: nin, out, sigma, ...options }) => new Class(kernel, [nin, out], sigma, { ...options, init: zeros32 }),
  };
}

function poolRow(Class: typeof MaxPool | typeof MeanPool): Row {
  return { Class, write: (l) => ({ window: l.k, pad: l.pad, stride: l.stride }), read: ({ window, ...options }) => new Class(window, options) };
}

const ROWS: Record<string, Row> = {
  Dense: {
    Class: Dense,
    write: (l) => ({ in: l.weight.shape[0], out: l.weight.shape[1], sigma: l.sigma, bias: l.bias !== false }),
    read: (a) => new Dense([a.in, a.out], a.sigma, { init: zeros32, bias: a.bias }),
  },
  Conv: convRow(Conv, true),
  CrossCor: convRow(CrossCor, false),
  BatchNorm: {
    Class: BatchNorm,
    write: (l) => pick(l, ["chs", "lambda", "affine", "trackStats", "active", "epsilon", "momentum"]),
    read: ({ chs, lambda, ...options }) => new BatchNorm(chs, lambda, options),
  },
  LayerNorm: {
    Class: LayerNorm,
    write: (l) => pick(l, ["size", "lambda", "affine", "epsilon"]),
    read: ({ size, lambda, ...options }) => new LayerNorm(size, lambda, options),
  },
  Dropout: { Class: Dropout, write: (l) => pick(l, ["p", "dims", "active", "rng"]), read: ({ p, ...options }) => new Dropout(p, options) },
  AlphaDropout: { Class: AlphaDropout, write: (l) => pick(l, ["p", "active", "rng"]), read: ({ p, ...options }) => new AlphaDropout(p, options) },
  MaxPool: poolRow(MaxPool),
  MeanPool: poolRow(MeanPool),
  GlobalMaxPool: { Class: GlobalMaxPool, write: () => ({}), read: () => new GlobalMaxPool() },
  GlobalMeanPool: { Class: GlobalMeanPool, write: () => ({}), read: () => new GlobalMeanPool() },
};

const SUPPORTED = `${Object.keys(ROWS).join(", ")} and registered functions (activations, flatten)`;

/** The description of `layer`, held by vertex `name`. */
export function layerToJson(fn: string, name: string, layer: unknown): LayerJson {
  if (typeof layer === "function") return { fn: nameOf(fn, `the function of vertex '${name}'`, layer) };
  const entry = Object.entries(ROWS).find(([, row]) => layer !== null && typeof layer === "object" && layer.constructor === row.Class);
  if (!entry) return never(fn, name, layer);
  const [cls, row] = entry;
  const args = Object.fromEntries(Object.entries(row.write(layer)).map(([k, v]) => [k, toJson(fn, `vertex '${name}' (${cls}): ${k}`, v)]));
  return { class: cls, args };
}

function never(fn: string, name: string, layer: unknown): never {
  throw new Error(`${fn}: vertex '${name}' holds ${describe(layer)}, which cannot be saved; the layers saved are ${SUPPORTED}`);
}

/** A layer rebuilt from its description (placeholder weights), for vertex `name`. */
export function layerFromJson(fn: string, name: string, json: unknown): unknown {
  if (isPlainObject(json) && "fn" in json) return valueOf(fn, `the function of vertex '${name}'`, json.fn);
  if (!isPlainObject(json) || typeof json.class !== "string") throw new Error(`${fn}: vertex '${name}' has layer ${describe(json)}; expected {"fn": name} or {"class": name, "args": {...}}`);
  const row = Object.hasOwn(ROWS, json.class) ? ROWS[json.class]! : undefined;
  if (!row) throw new Error(`${fn}: vertex '${name}' holds a '${json.class}', which this version cannot rebuild; it rebuilds ${SUPPORTED}`);
  const args = fieldsFromJson(fn, `vertex '${name}' (${json.class})`, json.args);
  try {
    return row.read(args);
  } catch (err) {
    throw new Error(`${fn}: vertex '${name}' (${json.class}) cannot be rebuilt: ${(err as Error).message}`, { cause: err });
  }
}
