// A graph (structure, weights, traits, optimiser rule and state) as parts: the graph JSON, nn's
// safetensors bytes for the weights and the optimisers' bytes for the state. The JSON records
// each binary part's length and CRC-32, so parts of different saves are never mixed.
import { describe, isPlainObject } from "@fluxion/functors";
import { loadState, saveState, type StateTree } from "@fluxion/optimisers";
import { dispose, encodeModel, loadModelBytes } from "@fluxion/nn";
import { CompGraph } from "../graph/comp-graph.js";
import { crc32 } from "./checksum.js";
import { graphFromJson, graphToJson, type GraphJson } from "./graph-json.js";

/** The `format` a saved graph's JSON names. */
export const GRAPH_FORMAT = "fluxion-graph";
/** The version of the graph format this package writes and reads. */
export const GRAPH_VERSION = 1;

/** What `encodeGraph` gives and `decodeGraph` takes. */
export interface GraphParts {
  /** The structure, traits and layer descriptions (UTF-8 JSON text). */
  json: string;
  /** The weights as safetensors bytes (nn's `encodeModel` of the graph). */
  weights: Uint8Array;
  /** The optimiser rule and state (optimisers' `saveState` bytes), when saved with state. */
  state?: Uint8Array;
}

/** A loaded graph, with its optimiser state when it was saved with one. */
export interface SavedGraph {
  graph: CompGraph;
  state?: StateTree;
}

/** Options of `encodeGraph` and `saveGraph`. */
export interface EncodeGraphOptions {
  /** The optimiser state tree (from `setup(rule, graph)`) to save with the graph. */
  state?: StateTree;
}

/** Options of `decodeGraph` and `loadGraph`. */
export interface DecodeGraphOptions {
  /** Load NaN and ±Inf weights too (refused by default, as by nn's `loadModelBytes`). */
  allowNonFinite?: boolean;
}

interface Part {
  bytes: number;
  crc32: string;
  /** The file holding the part, beside the graph JSON (file sets only). */
  file?: string;
}

export interface Manifest extends GraphJson {
  format: string;
  version: number;
  weights: Part;
  state: Part | null;
}

/** The encoded parts, with the JSON as an object (the file writer adds file names to it). */
export interface Encoded {
  manifest: Manifest;
  weights: Uint8Array;
  state?: Uint8Array;
}

function checkKeys(fn: string, options: unknown, keys: string[]): void {
  if (!isPlainObject(options)) throw new TypeError(`${fn}: options must be an object, got ${describe(options)}`);
  const bad = Object.keys(options).find((k) => !keys.includes(k));
  if (bad !== undefined) throw new Error(`${fn}: unknown option '${bad}'; the options are ${keys.join(", ")}`);
}

/** `err` from an inner function, reworded as `fn`'s. */
function reworded(fn: string, what: string, inner: string, err: unknown): Error {
  const message = String((err as Error)?.message ?? err).replace(new RegExp(`^${inner}: `), "");
  return new Error(`${fn}: ${what}: ${message}`, { cause: err });
}

const part = (bytes: Uint8Array): Part => ({ bytes: bytes.length, crc32: crc32(bytes) });

export function encodeParts(fn: string, graph: unknown, options: EncodeGraphOptions): Encoded {
  checkKeys(fn, options, ["state"]);
  if (!(graph instanceof CompGraph)) throw new TypeError(`${fn}: expected a CompGraph, got ${describe(graph)}`);
  const structure = graphToJson(fn, graph);
  const weights = encodeModel(graph);
  let state: Uint8Array | undefined;
  if (options.state !== undefined) {
    try {
      state = saveState(options.state);
    } catch (err) {
      throw reworded(fn, "the optimiser state", "saveState", err);
    }
  }
  const manifest: Manifest = { format: GRAPH_FORMAT, version: GRAPH_VERSION, ...structure, weights: part(weights), state: state ? part(state) : null };
  return state ? { manifest, weights, state } : { manifest, weights };
}

/**
 * The graph as parts: its structure as JSON, its weights as safetensors bytes and, with `state`,
 * the optimiser rule and state as bytes. Functions (activations, ApplyIf's predicate and action,
 * MutationShield's classes) are written by their registered names (see `registerName`); one
 * without a name is an error. Works in browsers; `saveGraph` writes the parts to files.
 */
export function encodeGraph(graph: CompGraph, options: EncodeGraphOptions = {}): GraphParts {
  const { manifest, weights, state } = encodeParts("encodeGraph", graph, options);
  return { json: JSON.stringify(manifest, null, 1), weights, ...(state ? { state } : {}) };
}

/** The graph JSON from text or UTF-8 bytes, its format and version checked. */
export function parseManifest(fn: string, text: string | Uint8Array): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(typeof text === "string" ? text : new TextDecoder("utf-8", { fatal: true }).decode(text));
  } catch (err) {
    throw new Error(`${fn}: not a fluxion graph: the graph JSON does not parse (${(err as Error).message})`, { cause: err });
  }
  if (!isPlainObject(json) || json.format !== GRAPH_FORMAT) {
    throw new Error(`${fn}: not a fluxion graph: expected JSON with "format": "${GRAPH_FORMAT}", got ${isPlainObject(json) ? `format ${describe(json.format)}` : describe(json)}`);
  }
  if (json.version !== GRAPH_VERSION) throw new Error(`${fn}: the graph was saved in format version ${describe(json.version)}; this version of @fluxion/evolve reads version ${GRAPH_VERSION}`);
  const isPart = (p: unknown): boolean => isPlainObject(p) && Number.isInteger(p.bytes) && typeof p.crc32 === "string";
  if (!isPart(json.weights) || !(json.state === null || isPart(json.state))) throw new Error(`${fn}: the graph JSON must describe its weights (and state or null) by bytes and crc32`);
  return json as unknown as Manifest;
}

function checkPart(fn: string, what: string, info: Part, bytes: unknown): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${fn}: the ${what} must be a Uint8Array, got ${describe(bytes)}`);
  if (bytes.length !== info.bytes) throw new Error(`${fn}: the ${what} are ${bytes.length} bytes, but the graph JSON says ${info.bytes} (truncated, or from another save)`);
  if (crc32(bytes) !== info.crc32) throw new Error(`${fn}: the ${what} do not match the graph JSON's checksum (damaged, or from another save)`);
}

/** The graph (and state) of checked parts; on failure nothing leaks. */
export function decodeParts(fn: string, manifest: Manifest, weights: unknown, state: unknown, options: DecodeGraphOptions): SavedGraph {
  checkKeys(fn, options, ["allowNonFinite"]);
  checkPart(fn, "weights", manifest.weights, weights);
  if (manifest.state === null && state !== undefined) throw new Error(`${fn}: the graph was saved without optimiser state, but state bytes were given`);
  if (manifest.state !== null && state === undefined) throw new Error(`${fn}: the graph was saved with optimiser state; give its bytes as state`);
  if (manifest.state !== null) checkPart(fn, "state bytes", manifest.state, state);
  const graph = graphFromJson(fn, manifest as unknown as Record<string, unknown>);
  try {
    try {
      loadModelBytes(graph, weights, { allowNonFinite: options.allowNonFinite ?? false });
    } catch (err) {
      throw reworded(fn, "the weights", "loadModelBytes", err);
    }
    if (state === undefined) return { graph };
    try {
      return { graph, state: loadState(state as Uint8Array) };
    } catch (err) {
      throw reworded(fn, "the optimiser state", "loadState", err);
    }
  } catch (err) {
    dispose(graph);
    throw err;
  }
}

/** The graph (and optimiser state) of `encodeGraph`'s parts. The caller owns every tensor. */
export function decodeGraph(parts: GraphParts, options: DecodeGraphOptions = {}): SavedGraph {
  if (!isPlainObject(parts) || typeof parts.json !== "string") {
    throw new TypeError(`decodeGraph: expected { json, weights, state? } from encodeGraph, got ${describe(parts)}`);
  }
  return decodeParts("decodeGraph", parseManifest("decodeGraph", parts.json), parts.weights, parts.state, options);
}
