// The safetensors format (https://huggingface.co/docs/safetensors), as pure functions on bytes:
//   8 bytes   N, a little-endian u64: the byte length of the header
//   N bytes   UTF-8 JSON: {"__metadata__": {string: string}, "name": {"dtype", "shape", "data_offsets"}, ...},
//             padded with spaces so the data starts 8-byte aligned
//   the rest  the data buffer: each tensor's elements little-endian, row-major, at
//             [begin, end) relative to the buffer's start; the ranges tile the buffer exactly.
import { tf } from "@fluxion/backend";

/** Tensors by name, with the file's `__metadata__` (string → string). */
export interface Safetensors {
  tensors: Record<string, tf.Tensor>;
  metadata: Record<string, string>;
}

/** Headers larger than this are refused, as the reference implementation does (a DoS guard). */
export const MAX_HEADER_BYTES = 100_000_000;

type WriteDtype = "F32" | "I32" | "BOOL";

const WRITE_DTYPE: Partial<Record<tf.DataType, WriteDtype>> = { float32: "F32", int32: "I32", bool: "BOOL" };
// The reference writer orders tensors by decreasing dtype alignment, then by name.
const WRITE_RANK: Record<WriteDtype, number> = { F32: 0, I32: 1, BOOL: 2 };

/** Dtypes read, with their element size and the tfjs dtype they load as (widening losslessly, except F64). */
const READ_DTYPE: Record<string, { bytes: number; dtype: "float32" | "int32" | "bool" }> = {
  F32: { bytes: 4, dtype: "float32" },
  F16: { bytes: 2, dtype: "float32" },
  BF16: { bytes: 2, dtype: "float32" },
  F64: { bytes: 8, dtype: "float32" }, // rounded to float32: tfjs has no float64
  I32: { bytes: 4, dtype: "int32" },
  I16: { bytes: 2, dtype: "int32" },
  U16: { bytes: 2, dtype: "int32" },
  I8: { bytes: 1, dtype: "int32" },
  U8: { bytes: 1, dtype: "int32" },
  BOOL: { bytes: 1, dtype: "bool" },
};
/** Dtypes of the format that tfjs cannot hold without losing values. */
const UNSUPPORTED = ["I64", "U64", "U32", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64"];

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

// ---------------------------------------------------------------- writing

/**
 * The safetensors bytes of `tensors` (float32 → F32, int32 → I32, bool → BOOL) with an optional
 * `__metadata__` map of strings. Tensors are laid out as the reference writer does (by dtype, then
 * name), so equal inputs give the same bytes as Hugging Face's `safetensors`.
 */
export function encodeSafetensors(tensors: Record<string, tf.Tensor>, metadata?: Record<string, string>): Uint8Array {
  if (tensors === null || typeof tensors !== "object") throw new TypeError(`encodeSafetensors: expected an object of tensors by name, got ${String(tensors)}`);
  const entries = Object.entries(tensors).map(([name, t]) => {
    if (name === "") throw new Error("encodeSafetensors: a tensor name may not be empty");
    if (name === "__metadata__") throw new Error(`encodeSafetensors: "__metadata__" is reserved for metadata and cannot name a tensor`);
    if (!(t instanceof tf.Tensor)) throw new TypeError(`encodeSafetensors: "${name}" is not a tf.Tensor (got ${typeof t})`);
    if (t.isDisposed) throw new Error(`encodeSafetensors: tensor "${name}" is disposed`);
    const dtype = WRITE_DTYPE[t.dtype];
    if (!dtype) throw new Error(`encodeSafetensors: tensor "${name}" has dtype ${t.dtype}; safetensors files hold float32 (F32), int32 (I32) and bool (BOOL) here`);
    return { name, key: utf8(name), t, dtype };
  });
  entries.sort((a, b) => WRITE_RANK[a.dtype] - WRITE_RANK[b.dtype] || compareBytes(a.key, b.key));

  // Built with fromEntries so that a name such as "__proto__" stays an own key.
  const fields: [string, unknown][] = [];
  if (metadata !== undefined) fields.push(["__metadata__", checkMetadata(metadata, "encodeSafetensors")]);
  let offset = 0;
  const sizes = entries.map(({ name, t, dtype }) => {
    const n = t.size * (dtype === "BOOL" ? 1 : 4);
    fields.push([name, { dtype, shape: t.shape, data_offsets: [offset, offset + n] }]);
    offset += n;
    return n;
  });
  const json = utf8(JSON.stringify(Object.fromEntries(fields)));
  const headerLength = json.length + ((8 - (json.length % 8)) % 8);

  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength, true); // < 2^32: the high word stays 0
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  entries.forEach(({ t, dtype }, i) => {
    writeData(view, at, t.dataSync(), dtype);
    at += sizes[i]!;
  });
  return out;
}

function writeData(view: DataView, at: number, data: ArrayLike<number | string> | Uint8Array, dtype: WriteDtype): void {
  const values = data as ArrayLike<number>;
  if (dtype === "BOOL") {
    for (let i = 0; i < values.length; i++) view.setUint8(at + i, values[i] ? 1 : 0);
  } else if (LITTLE_ENDIAN) {
    const typed = dtype === "F32" ? Float32Array.from(values) : Int32Array.from(values);
    new Uint8Array(view.buffer, at, typed.byteLength).set(new Uint8Array(typed.buffer));
  } else if (dtype === "F32") {
    for (let i = 0; i < values.length; i++) view.setFloat32(at + 4 * i, values[i]!, true);
  } else {
    for (let i = 0; i < values.length; i++) view.setInt32(at + 4 * i, values[i]!, true);
  }
}

// ---------------------------------------------------------------- reading

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Reads safetensors bytes into tensors (the caller owns them) and the `__metadata__` map. F16,
 * BF16 and F64 load as float32 (F64 rounded), I8/U8/I16/U16 as int32. Everything is checked before
 * any tensor is made; a malformed file throws an Error naming the problem.
 */
export function decodeSafetensors(bytes: Uint8Array): Safetensors {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`decodeSafetensors: expected a Uint8Array, got ${bytes === null ? "null" : typeof bytes}`);
  const fail = (msg: string): never => {
    throw new Error(`decodeSafetensors: ${msg}`);
  };
  // A plain view: a Node Buffer's slice() shares memory instead of copying.
  bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8) fail(`the file is truncated: it has ${bytes.length} bytes, fewer than the 8 of the header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(4, true) * 2 ** 32 + view.getUint32(0, true);
  if (headerLength > MAX_HEADER_BYTES) fail(`the header length ${headerLength} is larger than the limit of ${MAX_HEADER_BYTES} bytes (a corrupt or hostile file)`);
  if (8 + headerLength > bytes.length) {
    fail(`the header length ${headerLength} goes beyond the end of the file (${bytes.length} bytes): the file is truncated or not a safetensors file`);
  }
  let text = "";
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    fail("the header is not valid UTF-8");
  }
  if (!text.startsWith("{")) fail(`the header must be a JSON object starting with "{", got ${JSON.stringify(text.slice(0, 20))}`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    fail(`the header is not valid JSON (${(err as Error).message})`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) fail("the header must be a JSON object");

  let metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      metadata = checkMetadata(info, "decodeSafetensors");
      continue;
    }
    entries.push(checkEntry(name, info, fail));
  }

  // The ranges must tile the data buffer: sorted by offset, each starts where the last ended.
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  let previous: Entry | undefined;
  for (const e of entries) {
    if (e.end > dataLength) fail(`tensor "${e.name}" has data_offsets [${e.begin}, ${e.end}] beyond the data buffer of ${dataLength} bytes: the file is truncated`);
    if (e.begin < expected) fail(`tensor "${e.name}" has data_offsets [${e.begin}, ${e.end}] overlapping tensor "${previous!.name}" [${previous!.begin}, ${previous!.end}]`);
    if (e.begin > expected) fail(`bytes [${expected}, ${e.begin}) of the data buffer belong to no tensor (before "${e.name}"); the offsets must cover the buffer without gaps`);
    const { bytes: size } = READ_DTYPE[e.dtype]!;
    const elements = e.shape.reduce((a, b) => a * b, 1);
    if (elements * size !== e.end - e.begin) {
      fail(`tensor "${e.name}": shape [${e.shape.join(", ")}] of ${e.dtype} needs ${elements * size} bytes, but data_offsets [${e.begin}, ${e.end}] give ${e.end - e.begin}`);
    }
    expected = e.end;
    previous = e;
  }
  if (expected !== dataLength) fail(`the data buffer has ${dataLength} bytes but the tensors cover ${expected}: ${dataLength - expected} trailing bytes belong to no tensor`);

  const values = entries.map((e) => readData(bytes, view, dataStart + e.begin, e, fail));
  // Only now, with every check passed, are tensors made, so a bad file leaks nothing.
  const tensors = Object.fromEntries(entries.map((e, i) => [e.name, tf.tensor(values[i]!, e.shape, READ_DTYPE[e.dtype]!.dtype)]));
  return { tensors, metadata };
}

function checkEntry(name: string, info: unknown, fail: (msg: string) => never): Entry {
  if (info === null || typeof info !== "object" || Array.isArray(info)) fail(`the header entry for "${name}" must be an object with dtype, shape and data_offsets`);
  const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
  if (typeof dtype !== "string") fail(`tensor "${name}" has no dtype string`);
  const d = dtype as string;
  if (!(d in READ_DTYPE)) {
    if (UNSUPPORTED.includes(d)) fail(`tensor "${name}" has dtype ${d}, which tfjs cannot hold (readable: ${Object.keys(READ_DTYPE).join(", ")})`);
    fail(`tensor "${name}" has unknown dtype ${JSON.stringify(d)} (readable: ${Object.keys(READ_DTYPE).join(", ")})`);
  }
  const isCount = (n: unknown): n is number => typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
  if (!Array.isArray(shape) || !shape.every(isCount)) fail(`tensor "${name}" has shape ${JSON.stringify(shape)}; expected an array of non-negative integers`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    fail(`tensor "${name}" has data_offsets ${JSON.stringify(offsets)}; expected [begin, end], two non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) fail(`tensor "${name}" has data_offsets [${begin}, ${end}] with end before begin`);
  return { name, dtype: d, shape: shape as number[], begin, end };
}

function readData(bytes: Uint8Array, view: DataView, at: number, e: Entry, fail: (msg: string) => never): Float32Array | Int32Array | Uint8Array {
  const n = (e.end - e.begin) / READ_DTYPE[e.dtype]!.bytes;
  switch (e.dtype) {
    case "F32":
      if (LITTLE_ENDIAN) return new Float32Array(bytes.slice(at, at + 4 * n).buffer);
      return Float32Array.from({ length: n }, (_, i) => view.getFloat32(at + 4 * i, true));
    case "I32":
      if (LITTLE_ENDIAN) return new Int32Array(bytes.slice(at, at + 4 * n).buffer);
      return Int32Array.from({ length: n }, (_, i) => view.getInt32(at + 4 * i, true));
    case "F64":
      return Float32Array.from({ length: n }, (_, i) => view.getFloat64(at + 8 * i, true));
    case "F16":
      return Float32Array.from({ length: n }, (_, i) => halfToFloat(view.getUint16(at + 2 * i, true)));
    case "BF16":
      return Float32Array.from({ length: n }, (_, i) => bfloat16ToFloat(view.getUint16(at + 2 * i, true)));
    case "I16":
      return Int32Array.from({ length: n }, (_, i) => view.getInt16(at + 2 * i, true));
    case "U16":
      return Int32Array.from({ length: n }, (_, i) => view.getUint16(at + 2 * i, true));
    case "I8":
      return Int32Array.from({ length: n }, (_, i) => view.getInt8(at + i));
    case "U8":
      return Int32Array.from(bytes.subarray(at, at + n));
    default: {
      const out = bytes.slice(at, at + n);
      const bad = out.findIndex((b) => b > 1);
      if (bad >= 0) fail(`BOOL tensor "${e.name}" holds byte ${out[bad]} at element ${bad}; booleans are 0 or 1`);
      return out;
    }
  }
}

/** IEEE 754 half precision to a number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** bfloat16 is the high half of a float32. */
function bfloat16ToFloat(b: number): number {
  const scratch = new DataView(new ArrayBuffer(4));
  scratch.setUint32(0, b << 16 >>> 0);
  return scratch.getFloat32(0);
}

function checkMetadata(metadata: unknown, fn: string): Record<string, string> {
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
    throw new Error(`${fn}: __metadata__ must be an object of strings, got ${Array.isArray(metadata) ? "an array" : String(metadata)}`);
  }
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== "string") throw new Error(`${fn}: __metadata__ values must be strings, but "${k}" is ${v === null ? "null" : typeof v}`);
  }
  return Object.fromEntries(Object.entries(metadata)) as Record<string, string>;
}

function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** Byte-wise order of UTF-8 strings (Rust's String order, which the reference writer sorts by). */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
