// Models as safetensors files. The file holds every tensor of the model (parameters and buffers
// such as running statistics), named by key path ("layers.0.weight"), plus __metadata__
// {"format": "fluxion", "fluxion.version": "1"} and, for tied tensors, "fluxion.ties": a JSON map
// from each further path to the name the tensor is stored under. Non-tensor state (activations,
// momentum, eps, active) is code, not data: it is not saved; loading fills an existing model.
import { tf } from "@fluxion/backend";
import { fmapStructureWithPath, type KeyPath } from "@fluxion/functors";
import { fileProblem, readFileBytes, writeFileAtomic } from "@fluxion/backend/internal";
import { decodeSafetensors, encodeSafetensors } from "./safetensors.js";
import { loadModel } from "./state.js";
import { checkOptions } from "../core/checks.js";

/** The `format` entry of a saved model's safetensors metadata. */
export const MODEL_FORMAT = "fluxion";
/** The `fluxion.version` this package writes and reads. */
export const MODEL_VERSION = "1";
const TIES = "fluxion.ties";

/** Options of `saveModel` and `encodeModel`. */
export interface SaveModelOptions {
  /** Extra `__metadata__` entries (strings). "format" and keys starting "fluxion." are reserved. */
  metadata?: Record<string, string>;
}

/** Options of `loadModelFile` and `loadModelBytes`. */
export interface LoadModelFileOptions {
  /**
   * Load NaN and ±Inf values too. By default a file holding any is refused (naming the tensor):
   * such weights are almost always those of a diverged run, and would poison every later step.
   */
  allowNonFinite?: boolean;
}

interface NamedTensors {
  /** Each distinct tensor under the first path it is reached by. */
  tensors: Record<string, tf.Tensor>;
  /** Later paths of tied tensors → the name they are stored under. */
  ties: Record<string, string>;
  /** Paths holding `false` (an absent bias): a file tensor there is ignored on loading, as in Flux. */
  absent: Set<string>;
}

/** Every tensor of `model` by its key path (each occurrence walked: shared layers are not merged). */
function namedTensors(model: unknown, fn: string): NamedTensors {
  const tensors = new Map<string, tf.Tensor>();
  const ties: Record<string, string> = {};
  const absent = new Set<string>();
  const first = new Map<tf.Tensor, string>();
  const seen = new Map<string, string>();
  fmapStructureWithPath(
    { cache: null },
    (kp: KeyPath, x: unknown) => {
      if (!(x instanceof tf.Tensor) && x !== false) return null;
      const name = kp.toString({ compact: true });
      const full = kp.toString();
      if (name === "" && x === false) return null;
      if (name === "") throw new Error(`${fn}: the model is a bare tensor; save a model (a layer, array or object) holding it`);
      const clash = seen.get(name);
      if (clash !== undefined && clash !== full) throw new Error(`${fn}: ${clash} and ${full} both give the tensor name "${name}"; rename a key`);
      seen.set(name, full);
      if (x === false) absent.add(name);
      else if (first.has(x)) ties[name] = first.get(x)!;
      else {
        if (x.isDisposed) throw new Error(`${fn}: the tensor at ${name} is disposed`);
        first.set(x, name);
        tensors.set(name, x);
      }
      return null;
    },
    model,
  );
  return { tensors: Object.fromEntries(tensors), ties, absent };
}

/**
 * The safetensors bytes of `model`'s tensors (see the top of this file for the layout). Works in
 * browsers too; `saveModel` writes them to a file in Node.
 */
export function encodeModel(model: unknown, options: SaveModelOptions = {}): Uint8Array {
  const user = options.metadata ?? {};
  if (user === null || typeof user !== "object") throw new TypeError(`encodeModel: metadata must be an object of strings`);
  for (const k of Object.keys(user)) {
    if (k === "format" || k.startsWith("fluxion.")) throw new Error(`encodeModel: metadata key "${k}" is reserved for the file format`);
  }
  const { tensors, ties } = namedTensors(model, "encodeModel");
  const metadata: Record<string, string> = { ...user, format: MODEL_FORMAT, "fluxion.version": MODEL_VERSION };
  if (Object.keys(ties).length) metadata[TIES] = JSON.stringify(ties);
  return encodeSafetensors(tensors, metadata);
}

/**
 * Loads safetensors bytes into `model` by tensor name: every tensor of the model must be in the
 * file and every tensor of the file must have a place in the model (a `false` field, an absent
 * bias, ignores its tensor, as Flux's `loadmodel!` does); shapes are checked by `loadModel`, and
 * nothing is written unless everything matches. Files from other tools load if their names follow
 * the same key paths. NaN or ±Inf values are refused unless `allowNonFinite`. Returns `model`.
 */
export function loadModelBytes<M>(model: M, bytes: Uint8Array, options: LoadModelFileOptions = {}): M {
  checkOptions("loadModelBytes", options, ["allowNonFinite"]);
  const allowNonFinite = options.allowNonFinite ?? false;
  if (typeof allowNonFinite !== "boolean") throw new Error(`loadModelBytes: allowNonFinite must be true or false, got ${String(allowNonFinite)}`);
  const { tensors: file, metadata } = decodeSafetensors(bytes);
  try {
    const version = metadata["fluxion.version"];
    if (version !== undefined && version !== MODEL_VERSION) {
      throw new Error(`loadModelBytes: the file has fluxion.version ${JSON.stringify(version)}; this version reads "${MODEL_VERSION}"`);
    }
    const ties = readTies(metadata[TIES]);
    const { tensors: wanted, ties: wantedTies, absent } = namedTensors(model, "loadModelBytes");
    const names = [...Object.keys(wanted), ...Object.keys(wantedTies)];
    const source = (name: string): tf.Tensor | undefined => (Object.hasOwn(file, name) ? file[name] : Object.hasOwn(ties, name) ? file[ties[name]!] : undefined);
    const missing = names.filter((n) => source(n) === undefined);
    const used = new Set(names);
    const extra = [...Object.keys(file), ...Object.keys(ties)].filter((n) => !used.has(n) && !absent.has(n)).sort();
    if (missing.length || extra.length) {
      const parts = [];
      if (missing.length) parts.push(`missing from the file: ${missing.join(", ")}`);
      if (extra.length) parts.push(`in the file but not in the model: ${extra.join(", ")}`);
      throw new Error(`loadModelBytes: the file's tensors do not match the model's (${parts.join("; ")})`);
    }
    if (!allowNonFinite) for (const name of new Set(names.map((n) => (Object.hasOwn(file, n) ? n : ties[n]!)))) checkFinite(name, file[name]!);
    // A source tree shaped like the model, with the file's tensors where the model has tensors.
    const src = fmapStructureWithPath(
      { cache: null },
      (kp: KeyPath, x: unknown) => (x instanceof tf.Tensor ? source(kp.toString({ compact: true })) : x),
      model,
    );
    return loadModel(model, src);
  } finally {
    // The Variables hold their own references to the data; the decoded tensors can go.
    tf.dispose(Object.values(file));
  }
}

/** Refuses a float tensor of the file holding NaN or ±Inf, naming it and the first bad element. */
function checkFinite(name: string, t: tf.Tensor): void {
  if (t.dtype !== "float32") return;
  const values = t.dataSync() as Float32Array;
  const i = values.findIndex((v) => !Number.isFinite(v));
  if (i >= 0) {
    throw new Error(`loadModelBytes: the file's tensor "${name}" holds ${values[i]} (element ${i}); non-finite weights are refused, pass { allowNonFinite: true } to load them`);
  }
}

function readTies(text: string | undefined): Record<string, string> {
  if (text === undefined) return {};
  let ties: unknown;
  try {
    ties = JSON.parse(text);
  } catch {
    throw new Error(`loadModelBytes: the metadata "${TIES}" is not valid JSON`);
  }
  if (ties === null || typeof ties !== "object" || Array.isArray(ties) || Object.values(ties).some((v) => typeof v !== "string")) {
    throw new Error(`loadModelBytes: the metadata "${TIES}" must map tensor names to tensor names`);
  }
  return ties as Record<string, string>;
}

// ---------------------------------------------------------------- files (Node only)

const BYTES_HINT = "use encodeModel/loadModelBytes for bytes";

/**
 * Saves `model`'s tensors to `path` as a safetensors file, atomically: the bytes go to a temporary
 * file beside `path`, are flushed to disk, and then renamed over `path`, so a failure never leaves
 * a partial file and never touches an existing one. Node only.
 */
export async function saveModel(path: string, model: unknown, options: SaveModelOptions = {}): Promise<void> {
  const bytes = encodeModel(model, options); // before touching the disk: a model that cannot be saved writes nothing
  await writeFileAtomic(path, bytes, { fn: "saveModel", bytesHint: BYTES_HINT });
}

/** Reads a safetensors file and loads it into `model` (see `loadModelBytes`). Node only. Returns `model`. */
export async function loadModelFile<M>(path: string, model: M, options: LoadModelFileOptions = {}): Promise<M> {
  const bytes = await readFileBytes(path, { fn: "loadModelFile", bytesHint: BYTES_HINT });
  try {
    return loadModelBytes(model, bytes, options);
  } catch (err) {
    throw fileProblem(path, "loadModelFile", "loadModelBytes", err);
  }
}
