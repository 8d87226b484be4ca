// A graph saved as a file set (Node only): the graph JSON, the weights as safetensors and the
// optimiser state. The JSON is written last and names the data files it belongs to, which
// alternate between two slots (weights-a / weights-b): a save never overwrites the files the
// current JSON names, so a save killed at any point leaves the previous save loadable.
import { fileProblem, readFileBytes, writeFileAtomic } from "@fluxion/backend/internal";
import type { CompGraph } from "../graph/comp-graph.js";
import { decodeParts, encodeParts, parseManifest, type DecodeGraphOptions, type EncodeGraphOptions, type SavedGraph } from "./graph-bytes.js";

const BYTES_HINT = "use encodeGraph/decodeGraph or graphCodec for bytes";

interface Place {
  /** The graph JSON's path. */
  manifest: string;
  /** The directory of the set, with its trailing separator ("" for the current one). */
  dir: string;
  /** What the data files' names start with: "" in a directory, "name." for a prefix. */
  stem: string;
}

/**
 * `dir/` → dir/graph.json; `dir/graph.json` or `dir/name.graph.json` → that file; any other
 * `dir/name` is a prefix → dir/name.graph.json. Data files go beside the JSON.
 */
function place(fn: string, path: unknown): Place {
  if (typeof path !== "string" || path === "") throw new TypeError(`${fn}: the path must be a non-empty string, got ${String(path)}`);
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1;
  const dir = path.slice(0, cut);
  const base = path.slice(cut);
  if (base === "" || base === "graph.json") return { manifest: `${dir}graph.json`, dir, stem: "" };
  if (base.endsWith(".graph.json")) return { manifest: path, dir, stem: base.slice(0, -"graph.json".length) };
  return { manifest: `${path}.graph.json`, dir, stem: `${base}.` };
}

const dataFile = (p: Place, part: "weights" | "state", slot: string): string => `${p.stem}${part}-${slot}.${part === "weights" ? "safetensors" : "bin"}`;

/** The slot the current JSON at `p` uses, if it can be read. */
async function currentSlot(p: Place): Promise<string | undefined> {
  try {
    const json = JSON.parse(new TextDecoder().decode(await readFileBytes(p.manifest, { fn: "saveGraph", bytesHint: BYTES_HINT })));
    return ["a", "b"].find((s) => json?.weights?.file === dataFile(p, "weights", s));
  } catch {
    return undefined; // no previous save (or not one of ours): any slot will do
  }
}

/**
 * Saves `graph` (structure, weights, traits) and, with `{ state }`, its optimiser rule and state,
 * as a file set at `path` (a directory ending in "/", or a path prefix: see `place` above), e.g.
 * `saveGraph("runs/best", g, { state })` writes runs/best.graph.json, runs/best.weights-a.safetensors
 * and runs/best.state-a.bin. Atomic: a failed or killed save leaves the previous save intact. The
 * directory must exist. Resolves to the graph JSON's path, which `loadGraph` also takes. Node only.
 */
export async function saveGraph(path: string, graph: CompGraph, options: EncodeGraphOptions = {}): Promise<string> {
  const fn = "saveGraph";
  const p = place(fn, path);
  const { manifest, weights, state } = encodeParts(fn, graph, options); // before touching the disk
  const slot = (await currentSlot(p)) === "a" ? "b" : "a";
  const context = { fn, bytesHint: BYTES_HINT };
  manifest.weights.file = dataFile(p, "weights", slot);
  await writeFileAtomic(p.dir + manifest.weights.file, weights, context);
  if (state && manifest.state) {
    manifest.state.file = dataFile(p, "state", slot);
    await writeFileAtomic(p.dir + manifest.state.file, state, context);
  }
  await writeFileAtomic(p.manifest, new TextEncoder().encode(JSON.stringify(manifest, null, 1)), context);
  return p.manifest;
}

/** Loads what `saveGraph` wrote at `path` (the same path, or the graph JSON's). The caller owns every tensor. Node only. */
export async function loadGraph(path: string, options: DecodeGraphOptions = {}): Promise<SavedGraph> {
  const fn = "loadGraph";
  const p = place(fn, path);
  const context = { fn, bytesHint: BYTES_HINT };
  const text = await readFileBytes(p.manifest, context);
  try {
    const manifest = parseManifest(fn, text);
    const read = async (part: { file?: unknown } | null): Promise<Uint8Array | undefined> => {
      if (part === null) return undefined;
      if (typeof part.file !== "string" || /[\\/]/.test(part.file) || ["", ".", ".."].includes(part.file)) {
        throw new Error(`${fn}: the graph JSON names no data file beside it (was it written by saveGraph?)`);
      }
      return readFileBytes(p.dir + part.file, context);
    };
    const weights = await read(manifest.weights);
    const state = await read(manifest.state);
    return decodeParts(fn, manifest, weights, state, options);
  } catch (err) {
    throw fileProblem(p.manifest, fn, fn, err);
  }
}
