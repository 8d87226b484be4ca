// A graph and its optimiser state as one byte array, e.g. one file per candidate of a population:
//   bytes 0..7    magic "FLXGRAPH"
//   bytes 8..11   u32 little-endian: the byte length J of the graph JSON
//   J bytes       the graph JSON (UTF-8), which gives the lengths W and S of the parts after it
//   W bytes       the weights (safetensors)
//   S bytes       the optimiser state (optimisers' saveState bytes), if saved with one
import { describe, isPlainObject } from "@fluxion/functors";
import { decodeParts, encodeParts, parseManifest, type DecodeGraphOptions, type SavedGraph } from "./graph-bytes.js";

/** ASCII "FLXGRAPH". */
export const GRAPH_MAGIC: Uint8Array = new TextEncoder().encode("FLXGRAPH");
const PREAMBLE = 12;

/** Bytes for `{ graph, state? }` and back: the shape of a PersistentArray codec. */
export interface GraphCodec {
  /** The bytes for a graph and its optional optimiser state. */
  encode(x: SavedGraph): Uint8Array;
  /** The graph (and state) `bytes` hold; the caller owns every tensor. */
  decode(bytes: Uint8Array): SavedGraph;
}

function encode(x: SavedGraph): Uint8Array {
  const fn = "graphCodec.encode";
  if (!isPlainObject(x)) throw new TypeError(`${fn}: expected { graph, state? }, got ${describe(x)}`);
  const { manifest, weights, state } = encodeParts(fn, x.graph, x.state === undefined ? {} : { state: x.state });
  const json = new TextEncoder().encode(JSON.stringify(manifest));
  const out = new Uint8Array(PREAMBLE + json.length + weights.length + (state?.length ?? 0));
  out.set(GRAPH_MAGIC, 0);
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, PREAMBLE);
  out.set(weights, PREAMBLE + json.length);
  if (state) out.set(state, PREAMBLE + json.length + weights.length);
  return out;
}

/** `decode` with options (`allowNonFinite`). */
export function decodeGraphBytes(bytes: Uint8Array, options: DecodeGraphOptions = {}): SavedGraph {
  const fn = "graphCodec.decode";
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${fn}: expected a Uint8Array, got ${describe(bytes)}`);
  if (bytes.length < PREAMBLE || !GRAPH_MAGIC.every((b, i) => bytes[i] === b)) {
    throw new Error(`${fn}: not a fluxion graph: the bytes do not start with "FLXGRAPH"${bytes.length < PREAMBLE ? ` (only ${bytes.length} bytes)` : ""}`);
  }
  const jsonLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  const truncated = (want: number): Error => new Error(`${fn}: truncated: ${bytes.length} bytes, the graph needs ${want}`);
  if (PREAMBLE + jsonLength > bytes.length) throw truncated(PREAMBLE + jsonLength);
  const manifest = parseManifest(fn, bytes.subarray(PREAMBLE, PREAMBLE + jsonLength));
  const weightsAt = PREAMBLE + jsonLength;
  const stateAt = weightsAt + manifest.weights.bytes;
  const end = stateAt + (manifest.state?.bytes ?? 0);
  if (end > bytes.length) throw truncated(end);
  if (end < bytes.length) throw new Error(`${fn}: ${bytes.length - end} unexpected bytes after the graph`);
  const state = manifest.state ? bytes.subarray(stateAt, end) : undefined;
  return decodeParts(fn, manifest, bytes.subarray(weightsAt, stateAt), state, options);
}

/** `{ graph, state? }` as one byte array (layout at the top of this file), e.g. for PersistentArray. */
export const graphCodec: GraphCodec = { encode, decode: (bytes) => decodeGraphBytes(bytes) };
