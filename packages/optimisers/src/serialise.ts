// Saving and loading optimiser state trees as self-describing bytes.
//
// Layout (all integers little-endian):
//   bytes 0..7    magic "FLXOPTST"
//   bytes 8..11   u32: byte length H of the header
//   bytes 12..    H bytes of UTF-8 JSON (the header)
//   zero padding to the next multiple of 8; the tensor data starts there
//   tensor data   each tensor's elements at dataStart + byteOffset (a multiple of 8), padded to 8
//
// The header:
//   { format: "fluxion-optimiser-state", version: 1, tree, leaves, rules, tensors, dataBytes }
//   tree      the tree's structure. An array is a JSON array; every other node is a one-key object:
//             {"$leaf": i} (index into leaves), {"$noState": 1} (NO_STATE),
//             {"$object": [[key, node], ...]} (a plain object, keys in order),
//             {"$map": [[key, node], ...]} (a Map; keys are strings, numbers, booleans or null).
//   leaves    [{ rule: i (index into rules), state: value, frozen: bool, step: n }], one per
//             distinct Leaf, so a Leaf reached twice is one Leaf again after loading.
//   rules     [{ name, fields: { field: value, ... } }] or, for an OptimiserChain,
//             [{ name, rules: [rule, ...] }] with the chained rules nested inline.
//   tensors   [{ dtype: "float32" | "int32" | "bool" | "complex64", shape, byteOffset }]
//   dataBytes the length of the tensor data section.
//   A value is a JSON number, string, boolean or null, a JSON array of values, or a one-key object:
//   {"$tensor": i}, {"$number": "NaN" | "Infinity" | "-Infinity" | "-0"},
//   {"$object": [[key, value], ...]}, {"$schedule": spec} (a schedule's spec, as a value),
//   {"$rule": rule} (a rule held in a field).
import { tf } from "@fluxion/backend";
import { describe, isPlainObject } from "@fluxion/functors";
import { Leaf, NO_STATE, type StateTree } from "./leaf.js";
import { Rule } from "./rule.js";
import { registeredRule, ruleClassName, type RuleClass } from "./rule-registry.js";
import { OptimiserChain } from "./rules/optimiser-chain.js";
import { isSchedule, type Schedule, type ScheduleSpec } from "./schedule.js";
import { scheduleFromSpec } from "./schedules.js";
import { checkTreeFitsModel } from "./tree-checks.js";

/** The `format` a saved optimiser state's header names. */
export const STATE_FORMAT = "fluxion-optimiser-state";
/** The version of the state file format this package writes and reads. */
export const STATE_VERSION = 1;
/** The 8 bytes every saved state starts with: ASCII "FLXOPTST". */
export const STATE_MAGIC: Uint8Array = new Uint8Array([0x46, 0x4c, 0x58, 0x4f, 0x50, 0x54, 0x53, 0x54]);
const PREAMBLE = 12;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type TensorEntry = { dtype: SavedDtype; shape: number[]; byteOffset: number };
type SavedDtype = "float32" | "int32" | "bool" | "complex64";
const BYTES_PER_ELEMENT: Record<SavedDtype, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

// ---------------------------------------------------------------- saving

/**
 * The state tree as bytes: its structure, each distinct Leaf once (rule, state, frozen, step), and
 * the state tensors' data. Throws, writing nothing, for what cannot be saved: a rule class not
 * registered (see `registerRule`), a schedule without a `spec`, a disposed tensor, a string
 * tensor, or a value that is not JSON-like.
 */
export function saveState(tree: StateTree): Uint8Array {
  const w = new Writer();
  const header = {
    format: STATE_FORMAT,
    version: STATE_VERSION,
    tree: w.node(tree, "tree", new Set()),
    leaves: w.leaves,
    rules: w.rules,
    tensors: w.tensorTable,
    dataBytes: w.dataBytes,
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = align8(PREAMBLE + headerBytes.length);
  const out = new Uint8Array(dataStart + w.dataBytes);
  out.set(STATE_MAGIC, 0);
  new DataView(out.buffer).setUint32(8, headerBytes.length, true);
  out.set(headerBytes, PREAMBLE);
  w.tensors.forEach((t, i) => writeTensorData(out, dataStart + w.tensorTable[i]!.byteOffset, t));
  return out;
}

class Writer {
  readonly leaves: Json[] = [];
  readonly rules: Json[] = [];
  readonly tensors: tf.Tensor[] = [];
  readonly tensorTable: TensorEntry[] = [];
  dataBytes = 0;
  private readonly leafIndex = new Map<Leaf, number>();
  private readonly ruleIndex = new Map<Rule, number>();
  private readonly tensorIndex = new Map<tf.Tensor, number>();

  node(x: unknown, path: string, open: Set<object>): Json {
    if (x instanceof Leaf) return { $leaf: this.leaf(x, path) };
    if (x === NO_STATE) return { $noState: 1 };
    if (x instanceof Rule) throw new Error(`saveState: ${path} is a rule; save the state tree from setup(rule, model)`);
    if (x instanceof tf.Tensor) throw new Error(`saveState: ${path} is a tensor; save the state tree from setup(rule, model), not the model`);
    if (x === null || typeof x !== "object") {
      throw new Error(`saveState: ${path} is ${describe(x)}; a state tree holds only Leafs, [] (NO_STATE), arrays, plain objects and Maps`);
    }
    if (open.has(x)) throw new Error(`saveState: the state tree contains itself at ${path}`);
    open.add(x);
    let out: Json;
    if (Array.isArray(x)) out = x.map((c, i) => this.node(c, `${path}[${i}]`, open));
    else if (x instanceof Map) {
      out = { $map: [...x].map(([k, c]) => [mapKey(k, path), this.node(c, `${path}.get(${showKey(k)})`, open)]) };
    } else if (isPlainObject(x)) {
      out = { $object: Object.entries(x).map(([k, c]) => [k, this.node(c, `${path}${propPath(k)}`, open)]) };
    } else {
      throw new Error(`saveState: ${path} is ${describe(x)}; a state tree holds only Leafs, [] (NO_STATE), arrays, plain objects and Maps`);
    }
    open.delete(x);
    return out;
  }

  private leaf(leaf: Leaf, path: string): number {
    const known = this.leafIndex.get(leaf);
    if (known !== undefined) return known;
    const where = `the Leaf at ${path}`;
    if (!(leaf.rule instanceof Rule)) throw new Error(`saveState: ${where} has no rule (got ${describe(leaf.rule)})`);
    if (typeof leaf.frozen !== "boolean") throw new Error(`saveState: ${where} has frozen = ${describe(leaf.frozen)}, expected true or false`);
    if (!isStep(leaf.step)) throw new Error(`saveState: ${where} has step = ${describe(leaf.step)}, expected a whole number >= 0`);
    const entry = {
      rule: this.rule(leaf.rule, where),
      state: this.value(leaf.state, `${where}: state`, true, new Set()),
      frozen: leaf.frozen,
      step: leaf.step,
    };
    const i = this.leaves.length;
    this.leaves.push(entry);
    this.leafIndex.set(leaf, i);
    return i;
  }

  private rule(rule: Rule, where: string): number {
    const known = this.ruleIndex.get(rule);
    if (known !== undefined) return known;
    const i = this.rules.length;
    this.rules.push(this.ruleJson(rule, where));
    this.ruleIndex.set(rule, i);
    return i;
  }

  private ruleJson(rule: Rule, where: string): Json {
    const Class = rule.constructor as RuleClass;
    const name = ruleClassName(Class);
    const registered = registeredRule(name);
    if (registered === undefined) {
      throw new Error(`saveState: ${where} has rule '${name}', which is not registered, so it could not be loaded: call registerRule(${name}) first`);
    }
    if (registered !== Class) {
      throw new Error(`saveState: ${where} has a rule of a class named '${name}' that is not the class registered under that name`);
    }
    if (rule instanceof OptimiserChain) {
      return { name, rules: rule.opts.map((o, i) => this.ruleJson(o, `${where}, ${name} rule ${i + 1}`)) };
    }
    const self = rule as unknown as Record<string, unknown>;
    const fields: Record<string, Json> = {};
    for (const k of rule.fieldNames()) fields[k] = this.field(self[k], `${where}: field ${name}.${k}`);
    return { name, fields };
  }

  private field(v: unknown, where: string): Json {
    if (isSchedule(v)) return { $schedule: scheduleJson(v, where) };
    if (v instanceof Rule) return { $rule: this.ruleJson(v, where) };
    if (Array.isArray(v)) return v.map((e, i) => this.field(e, `${where}[${i}]`));
    return plainValue(v, where);
  }

  value(v: unknown, where: string, tensors: boolean, open: Set<object>): Json {
    if (v instanceof tf.Tensor) {
      if (!tensors) throw new Error(`saveState: ${where} is a tensor, which cannot be saved there`);
      return { $tensor: this.tensor(v, where) };
    }
    if (v === null || typeof v !== "object") return plainValue(v, where);
    if (open.has(v)) throw new Error(`saveState: ${where} contains itself`);
    open.add(v);
    let out: Json;
    if (Array.isArray(v)) out = v.map((e, i) => this.value(e, `${where}[${i}]`, tensors, open));
    else if (isPlainObject(v)) out = { $object: Object.entries(v).map(([k, e]) => [k, this.value(e, `${where}${propPath(k)}`, tensors, open)]) };
    else throw new Error(`saveState: ${where} is ${describe(v)}, which cannot be saved (tensors, numbers, booleans, strings, null, arrays and plain objects can)`);
    open.delete(v);
    return out;
  }

  private tensor(t: tf.Tensor, where: string): number {
    const known = this.tensorIndex.get(t);
    if (known !== undefined) return known;
    if (t.isDisposed) throw new Error(`saveState: ${where} is a disposed tensor`);
    if (!(t.dtype in BYTES_PER_ELEMENT)) throw new Error(`saveState: ${where} is a ${t.dtype} tensor; only float32, int32, bool and complex64 tensors can be saved`);
    const dtype = t.dtype as SavedDtype;
    const i = this.tensors.length;
    this.tensors.push(t);
    this.tensorTable.push({ dtype, shape: [...t.shape], byteOffset: this.dataBytes });
    this.dataBytes += align8(t.size * BYTES_PER_ELEMENT[dtype]);
    this.tensorIndex.set(t, i);
    return i;
  }
}

function scheduleJson(s: Schedule, where: string): Json {
  const spec = s.spec;
  if (spec === undefined || spec === null) {
    throw new Error(`saveState: ${where} is a schedule without a spec, so it cannot be saved; make it with a schedule factory (exponentialDecay, stepDecay, cosineDecay, ...)`);
  }
  const json = new Writer().value(spec, `${where} (its spec)`, false, new Set());
  try {
    scheduleFromSpec(spec); // what is saved must load: a known kind, and every part of a join with a spec
  } catch (err) {
    throw new Error(`saveState: ${where} is a schedule whose spec cannot be rebuilt (${message(err)})`, { cause: err });
  }
  return json;
}

function plainValue(v: unknown, where: string): Json {
  if (typeof v === "number") return numberJson(v);
  if (typeof v === "string" || typeof v === "boolean" || v === null) return v;
  throw new Error(`saveState: ${where} is ${describe(v)}, which cannot be saved`);
}

function numberJson(v: number): Json {
  if (Number.isNaN(v)) return { $number: "NaN" };
  if (v === Infinity) return { $number: "Infinity" };
  if (v === -Infinity) return { $number: "-Infinity" };
  if (Object.is(v, -0)) return { $number: "-0" };
  return v;
}

function mapKey(k: unknown, path: string): Json {
  if (typeof k === "number") return numberJson(k);
  if (typeof k === "string" || typeof k === "boolean" || k === null) return k;
  throw new Error(`saveState: the Map at ${path} has a key that is ${describe(k)}; only string, number, boolean and null keys can be saved`);
}

function writeTensorData(out: Uint8Array, at: number, t: tf.Tensor): void {
  const dtype = t.dtype as SavedDtype;
  const data = t.dataSync();
  if (dtype === "bool") {
    for (let i = 0; i < data.length; i++) out[at + i] = data[i] ? 1 : 0;
    return;
  }
  const typed = dtype === "int32" ? toTyped(data, Int32Array) : toTyped(data, Float32Array);
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength), at);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset);
  for (let i = 0; i < typed.length; i++) {
    if (dtype === "int32") view.setInt32(at + 4 * i, typed[i]!, true);
    else view.setFloat32(at + 4 * i, typed[i]!, true);
  }
}

function toTyped<T extends Float32Array | Int32Array>(data: ArrayLike<number> | unknown, C: { new (n: number): T; from(a: ArrayLike<number>): T }): T {
  return data instanceof C ? data : C.from(data as ArrayLike<number>);
}

// ---------------------------------------------------------------- loading

/**
 * The state tree saved by `saveState`: new Leafs (a Leaf saved once however often it was reached,
 * so ties are kept), new state tensors (the caller owns them), rules rebuilt from their registered
 * classes, schedules from their specs. Throws a clear Error for bytes that are not a saved state,
 * are truncated or corrupt, or of an unsupported version, and for an unregistered rule name; then
 * no tensor is left behind. Given the `model` it will be used with, also checks that the state
 * fits it (a Leaf at each trainable tensor, state of its shape), naming the path where it does not.
 */
export function loadState(bytes: Uint8Array | ArrayBuffer, model?: unknown): StateTree {
  const data = toBytes(bytes);
  const { header, dataStart } = readHeader(data);
  const tensorTable = readTensorTable(header, data, dataStart);
  const rules = arrayField(header, "rules").map((r, i) => readRule(r, `rules[${i}]`));
  const reader = new Reader(data, dataStart, tensorTable, rules);
  try {
    const leavesJson = arrayField(header, "leaves");
    const leaves = leavesJson.map((l, i) => reader.leaf(l, i));
    const usedLeaves = new Set<number>();
    const tree = reader.node(header.tree, "tree", leaves, usedLeaves);
    const unusedLeaf = leaves.findIndex((_, i) => !usedLeaves.has(i));
    if (unusedLeaf >= 0) corrupt(`leaves[${unusedLeaf}] is not reached from the tree`);
    const unusedTensor = tensorTable.findIndex((_, i) => !reader.created.has(i));
    if (unusedTensor >= 0) corrupt(`tensors[${unusedTensor}] is not used by any Leaf`);
    if (model !== undefined) checkTreeFitsModel(tree, model, "loadState");
    return tree as StateTree;
  } catch (err) {
    tf.dispose([...reader.created.values()]);
    throw err;
  }
}

type Header = Record<string, unknown>;

function toBytes(bytes: unknown): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  throw new TypeError(`loadState: expected the bytes from saveState (a Uint8Array or ArrayBuffer), got ${describe(bytes)}`);
}

function readHeader(data: Uint8Array): { header: Header; dataStart: number } {
  const n = Math.min(data.length, STATE_MAGIC.length);
  for (let i = 0; i < n; i++) {
    if (data[i] !== STATE_MAGIC[i]) {
      throw new Error('loadState: these bytes are not a saved optimiser state (wrong magic bytes; expected them to start with "FLXOPTST")');
    }
  }
  if (data.length < PREAMBLE) throw new Error(`loadState: truncated: ${data.length} bytes, fewer than the ${PREAMBLE}-byte preamble`);
  const headerLength = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(8, true);
  if (PREAMBLE + headerLength > data.length) {
    throw new Error(`loadState: truncated: the header should be ${headerLength} bytes but only ${data.length - PREAMBLE} follow the preamble`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(data.subarray(PREAMBLE, PREAMBLE + headerLength));
  } catch {
    throw new Error("loadState: the header is corrupt: it is not valid UTF-8");
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    throw new Error(`loadState: the header is corrupt: its JSON does not parse (${message(err)})`, { cause: err });
  }
  if (!isPlainObject(header)) corrupt("it is not a JSON object");
  if (header.format !== STATE_FORMAT) corrupt(`its format is ${JSON.stringify(header.format)}, expected "${STATE_FORMAT}"`);
  if (header.version !== STATE_VERSION) {
    throw new Error(`loadState: unsupported version ${JSON.stringify(header.version)}: this build reads version ${STATE_VERSION} of ${STATE_FORMAT}`);
  }
  return { header, dataStart: align8(PREAMBLE + headerLength) };
}

function readTensorTable(header: Header, data: Uint8Array, dataStart: number): TensorEntry[] {
  const dataBytes = header.dataBytes;
  if (!isWhole(dataBytes)) corrupt(`dataBytes is ${JSON.stringify(dataBytes)}, expected a whole number`);
  const expected = dataStart + dataBytes;
  if (data.length < expected) {
    throw new Error(`loadState: truncated: expected ${expected} bytes (header and ${dataBytes} bytes of tensor data), got ${data.length}`);
  }
  if (data.length > expected) throw new Error(`loadState: corrupt: ${data.length - expected} unexpected bytes after the tensor data`);
  return arrayField(header, "tensors").map((e, i) => {
    const where = `tensors[${i}]`;
    if (!isPlainObject(e)) corrupt(`${where} is not an object`);
    const { dtype, shape, byteOffset } = e;
    if (typeof dtype !== "string" || !Object.hasOwn(BYTES_PER_ELEMENT, dtype)) {
      corrupt(`${where} has dtype ${JSON.stringify(dtype)}; expected float32, int32, bool or complex64`);
    }
    if (!Array.isArray(shape) || !shape.every(isWhole)) corrupt(`${where} has shape ${JSON.stringify(shape)}, expected an array of whole numbers`);
    if (!isWhole(byteOffset) || byteOffset % 8 !== 0) corrupt(`${where} has byteOffset ${JSON.stringify(byteOffset)}, expected a whole multiple of 8`);
    const size = shape.reduce((a: number, b: number) => a * b, 1);
    const length = size * BYTES_PER_ELEMENT[dtype as SavedDtype];
    if (byteOffset + length > dataBytes) {
      throw new Error(`loadState: tensor data out of bounds: ${where} (${dtype} [${shape.join(", ")}]) needs bytes ${byteOffset}..${byteOffset + length} of a ${dataBytes}-byte data section`);
    }
    return { dtype: dtype as SavedDtype, shape: [...shape] as number[], byteOffset };
  });
}

function readRule(json: unknown, where: string): Rule {
  if (!isPlainObject(json) || typeof json.name !== "string") corrupt(`${where} is not a rule ({ name, fields } or { name, rules })`);
  const name = json.name;
  const Class = registeredRule(name);
  if (Class === undefined) throw new Error(`loadState: unknown rule '${name}': register it with registerRule(${name}) before loading`);
  let args: unknown[];
  if (Array.isArray(json.rules)) {
    args = json.rules.map((r, i) => readRule(r, `${where}.rules[${i}]`));
  } else if (isPlainObject(json.fields)) {
    const fields = Object.fromEntries(Object.entries(json.fields).map(([k, v]) => [k, readField(v, `${where}.fields.${k}`)]));
    args = Object.keys(fields).length === 0 ? [] : [fields];
  } else {
    corrupt(`${where} (rule '${name}') has neither fields nor rules`);
  }
  try {
    return new Class(...args);
  } catch (err) {
    throw new Error(`loadState: cannot rebuild rule '${name}' from the saved ${json.rules ? "rules" : "fields"}: ${message(err)}`, { cause: err });
  }
}

function readField(json: unknown, where: string): unknown {
  if (Array.isArray(json)) return json.map((e, i) => readField(e, `${where}[${i}]`));
  if (isPlainObject(json) && "$schedule" in json && Object.keys(json).length === 1) {
    const spec = readPlain(json.$schedule, `${where}.$schedule`);
    if (!isPlainObject(spec) || typeof spec.kind !== "string") corrupt(`${where} is a schedule with no kind`);
    try {
      return scheduleFromSpec(spec as ScheduleSpec);
    } catch (err) {
      throw new Error(`loadState: cannot rebuild the schedule at ${where}: ${message(err)}`, { cause: err });
    }
  }
  if (isPlainObject(json) && "$rule" in json && Object.keys(json).length === 1) return readRule(json.$rule, `${where}.$rule`);
  return readPlain(json, where);
}

/** A value with no tensors, schedules or rules. */
function readPlain(json: unknown, where: string): unknown {
  return readValue(json, where, () => corrupt(`${where} holds a tensor where none can be`));
}

function readValue(json: unknown, where: string, tensor: (i: unknown, where: string) => tf.Tensor): unknown {
  if (json === null || typeof json === "string" || typeof json === "boolean" || typeof json === "number") return json;
  if (Array.isArray(json)) return json.map((e, i) => readValue(e, `${where}[${i}]`, tensor));
  if (!isPlainObject(json)) corrupt(`${where} is not a value`);
  const keys = Object.keys(json);
  if (keys.length === 1) {
    if (keys[0] === "$tensor") return tensor(json.$tensor, where);
    if (keys[0] === "$number") return readNumber(json.$number, where);
    if (keys[0] === "$object") {
      return Object.fromEntries(entries(json.$object, where).map(([k, v], i) => {
        if (typeof k !== "string") corrupt(`${where}.$object[${i}] has a non-string key`);
        return [k, readValue(v, `${where}${propPath(k)}`, tensor)];
      }));
    }
  }
  corrupt(`${where} is an object with keys ${JSON.stringify(keys)}, not a known value`);
}

function readNumber(s: unknown, where: string): number {
  switch (s) {
    case "NaN":
      return NaN;
    case "Infinity":
      return Infinity;
    case "-Infinity":
      return -Infinity;
    case "-0":
      return -0;
    default:
      corrupt(`${where} is an unknown special number ${JSON.stringify(s)}`);
  }
}

class Reader {
  /** Tensors made so far, by index into the tensor table (disposed if loading fails). */
  readonly created = new Map<number, tf.Tensor>();

  constructor(
    private readonly data: Uint8Array,
    private readonly dataStart: number,
    private readonly table: readonly TensorEntry[],
    private readonly rules: readonly Rule[],
  ) {}

  leaf(json: unknown, i: number): Leaf {
    const where = `leaves[${i}]`;
    if (!isPlainObject(json)) corrupt(`${where} is not an object`);
    const { rule, state, frozen, step } = json;
    if (!isWhole(rule) || rule >= this.rules.length) corrupt(`${where} has rule ${JSON.stringify(rule)}, not an index into the ${this.rules.length} rules`);
    if (typeof frozen !== "boolean") corrupt(`${where} has frozen = ${JSON.stringify(frozen)}, expected true or false`);
    if (!isStep(step)) corrupt(`${where} has step = ${JSON.stringify(step)}, expected a whole number >= 0`);
    if (!("state" in json)) corrupt(`${where} has no state`);
    const s = readValue(state, `${where}.state`, (t, w) => this.tensor(t, w));
    return new Leaf(this.rules[rule]!, s, frozen, step);
  }

  node(json: unknown, where: string, leaves: readonly Leaf[], used: Set<number>): unknown {
    if (Array.isArray(json)) return json.map((c, i) => this.node(c, `${where}[${i}]`, leaves, used));
    if (!isPlainObject(json) || Object.keys(json).length !== 1) corrupt(`${where} is not a tree node`);
    const [key] = Object.keys(json);
    const v = json[key!];
    switch (key) {
      case "$leaf":
        if (!isWhole(v) || v >= leaves.length) corrupt(`${where} refers to leaf ${JSON.stringify(v)}, but there are ${leaves.length}`);
        used.add(v);
        return leaves[v]!;
      case "$noState":
        return NO_STATE;
      case "$object":
        return Object.fromEntries(entries(v, where).map(([k, c], i) => {
          if (typeof k !== "string") corrupt(`${where}.$object[${i}] has a non-string key`);
          return [k, this.node(c, `${where}${propPath(k)}`, leaves, used)];
        }));
      case "$map":
        return new Map(entries(v, where).map(([k, c], i) => {
          const key = readMapKey(k, `${where}.$map[${i}]`);
          return [key, this.node(c, `${where}.get(${showKey(key)})`, leaves, used)];
        }));
      default:
        corrupt(`${where} is an unknown tree node ${JSON.stringify(key)}`);
    }
  }

  private tensor(index: unknown, where: string): tf.Tensor {
    if (!isWhole(index) || index >= this.table.length) corrupt(`${where} refers to tensor ${JSON.stringify(index)}, but there are ${this.table.length}`);
    const known = this.created.get(index);
    if (known) return known;
    const t = makeTensor(this.data, this.dataStart, this.table[index]!, `tensors[${index}]`);
    this.created.set(index, t);
    return t;
  }
}

function readMapKey(k: unknown, where: string): unknown {
  if (k === null || typeof k === "string" || typeof k === "boolean" || typeof k === "number") return k;
  if (isPlainObject(k) && Object.keys(k).length === 1 && "$number" in k) return readNumber(k.$number, where);
  corrupt(`${where} has a key that is not a string, number, boolean or null`);
}

function makeTensor(data: Uint8Array, dataStart: number, e: TensorEntry, where: string): tf.Tensor {
  const size = e.shape.reduce((a, b) => a * b, 1);
  const start = dataStart + e.byteOffset;
  const bytes = data.subarray(start, start + size * BYTES_PER_ELEMENT[e.dtype]);
  if (e.dtype === "bool") {
    const values = Uint8Array.from(bytes);
    if (values.some((b) => b > 1)) corrupt(`${where} is a bool tensor with a byte that is neither 0 nor 1`);
    return tf.tensor(values, e.shape, "bool");
  }
  if (e.dtype === "int32") return tf.tensor(readLE(bytes, Int32Array), e.shape, "int32");
  const floats = readLE(bytes, Float32Array);
  if (e.dtype === "float32") return tf.tensor(floats, e.shape, "float32");
  const re = new Float32Array(size);
  const im = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    re[i] = floats[2 * i]!;
    im[i] = floats[2 * i + 1]!;
  }
  return tf.tidy(() => tf.complex(tf.tensor(re, e.shape), tf.tensor(im, e.shape)));
}

function readLE<T extends Float32Array | Int32Array>(bytes: Uint8Array, C: { new (n: number): T }): T {
  const out = new C(bytes.length / 4);
  if (LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = out instanceof Int32Array ? view.getInt32(4 * i, true) : view.getFloat32(4 * i, true);
  return out;
}

// ---------------------------------------------------------------- helpers

function corrupt(what: string): never {
  throw new Error(`loadState: the header is corrupt: ${what}`);
}

function arrayField(header: Header, key: string): unknown[] {
  const v = header[key];
  if (!Array.isArray(v)) corrupt(`${key} is ${v === undefined ? "missing" : "not an array"}`);
  return v;
}

function entries(v: unknown, where: string): [unknown, unknown][] {
  if (!Array.isArray(v) || !v.every((e) => Array.isArray(e) && e.length === 2)) corrupt(`${where} does not hold a list of [key, value] entries`);
  return v as [unknown, unknown][];
}

function isWhole(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

function isStep(v: unknown): v is number {
  return isWhole(v);
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}


function propPath(k: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
}

function showKey(k: unknown): string {
  return typeof k === "string" ? JSON.stringify(k) : String(k);
}


function message(err: unknown): string {
  const m = err !== null && typeof err === "object" ? (err as Error).message : undefined;
  return typeof m === "string" ? m : String(err);
}
