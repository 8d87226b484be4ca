// Candidates: making one, copying one as a child, freeing one, and one byte array per candidate
// (for worker threads, job queues and checkpoint files).
import { describe, isPlainObject } from "@fluxion/functors";
import { Leaf, Rule, loadState, saveState, setup, type StateTree } from "@fluxion/optimisers";
import { dispose } from "@fluxion/nn";
import { CompGraph } from "../graph/comp-graph.js";
import { decodeGraphBytes, graphCodec } from "../files/graph-codec.js";
import type { Codec } from "../utils/codec.js";
import type { Candidate, Lineage } from "./interfaces.js";

/** What `makeCandidate` takes: the graph (owned by the candidate from now on), its rule, and optionally the rest. */
export interface CandidateParts {
  id: number;
  generation: number;
  graph: CompGraph;
  rule: Rule;
  /** The optimiser state; default `setup(rule, graph)`. The candidate owns it. */
  state?: StateTree;
  fitness?: number;
  metrics?: Readonly<Record<string, number>>;
  error?: string;
  /** Default: no parents, no operations. */
  lineage?: Lineage;
}

function checkWhole(fn: string, name: string, x: unknown): void {
  if (typeof x !== "number" || !Number.isSafeInteger(x) || x < 0) throw new Error(`${fn}: ${name} must be a whole number >= 0, got ${describe(x)}`);
}

function checkLineage(fn: string, lineage: unknown): Lineage {
  const l = lineage as Lineage;
  const ok = isPlainObject(lineage) && Array.isArray(l.parents) && l.parents.every((p) => Number.isSafeInteger(p) && p >= 0)
    && Array.isArray(l.operations) && l.operations.every((o) => typeof o === "string");
  if (!ok) throw new Error(`${fn}: lineage must be { parents: whole numbers, operations: strings }, got ${describe(lineage)}`);
  return { parents: [...l.parents], operations: [...l.operations] };
}

/** A candidate from its parts (checked); it owns the graph and the state (made by `setup` if not given). */
export function makeCandidate(parts: CandidateParts): Candidate {
  const fn = "makeCandidate";
  if (!isPlainObject(parts)) throw new Error(`${fn}: expected { id, generation, graph, rule, ... }, got ${describe(parts)}`);
  checkWhole(fn, "id", parts.id);
  checkWhole(fn, "generation", parts.generation);
  if (!(parts.graph instanceof CompGraph)) throw new Error(`${fn}: graph must be a CompGraph, got ${describe(parts.graph)}`);
  if (!(parts.rule instanceof Rule)) throw new Error(`${fn}: rule must be an optimiser rule (e.g. new Adam()), got ${describe(parts.rule)}`);
  if (parts.fitness !== undefined && typeof parts.fitness !== "number") throw new Error(`${fn}: fitness must be a number, got ${describe(parts.fitness)}`);
  if (parts.error !== undefined && typeof parts.error !== "string") throw new Error(`${fn}: error must be a string, got ${describe(parts.error)}`);
  const lineage = checkLineage(fn, parts.lineage ?? { parents: [], operations: [] });
  const state = parts.state ?? setup(parts.rule, parts.graph);
  return {
    id: parts.id,
    generation: parts.generation,
    graph: parts.graph,
    rule: parts.rule,
    state,
    lineage,
    ...(parts.fitness === undefined ? {} : { fitness: parts.fitness }),
    ...(parts.metrics === undefined ? {} : { metrics: { ...parts.metrics } }),
    ...(parts.error === undefined ? {} : { error: parts.error }),
  };
}

/**
 * A deep copy of `parent` (graph, weights, optimiser state; the rule is immutable and shared) as a
 * new, unevaluated candidate: the given id and generation, lineage parents `[parent.id]`.
 * The copy goes through the graph's bytes, so it is exact.
 */
export function copyCandidate(parent: Candidate, id: number, generation: number, operations: readonly string[] = []): Candidate {
  // A diverged parent's non-finite weights are copied as they are.
  const { graph, state } = decodeGraphBytes(graphCodec.encode({ graph: parent.graph, state: parent.state }), { allowNonFinite: true });
  return makeCandidate({ id, generation, graph, rule: parent.rule, state: state!, lineage: { parents: [parent.id], operations: [...operations] } });
}

/** The candidate evaluated: same graph and state objects, with fitness, metrics and error set (error cleared if none). */
export function withEvaluation(c: Candidate, e: { fitness: number; metrics?: Readonly<Record<string, number>>; error?: string }): Candidate {
  const { error: _old, ...rest } = c;
  return { ...rest, fitness: e.fitness, metrics: { ...(e.metrics ?? {}) }, ...(e.error === undefined ? {} : { error: e.error }) };
}

/** Frees the candidate's tensors (its graph's weights and its optimiser state). */
export function disposeCandidate(c: Candidate): void {
  dispose(c.state);
  dispose(c.graph);
}

// ---------------------------------------------------------------- bytes
//   bytes 0..7   magic "FLXCANDI"
//   bytes 8..11  u32 LE: the byte length H of the header JSON
//   H bytes      header: { format, version, id, generation, fitness, metrics, error, lineage, rule: n }
//   n bytes      the rule, as the optimisers' state bytes of one Leaf(rule, null): kept apart from
//                the graph's state so a candidate without trainable parameters keeps its rule
//   the rest     the graph and its optimiser state (graphCodec)

const MAGIC = new TextEncoder().encode("FLXCANDI");
const FORMAT = "fluxion-candidate";
const VERSION = 1;

/** A number as JSON, non-finite ones as strings. */
const jsonNumber = (x: number): number | string => (Number.isFinite(x) && !Object.is(x, -0) ? x : String(x));
const fromJsonNumber = (x: unknown): number => (typeof x === "string" ? Number(x) : (x as number));

/** The rule alone as bytes. */
export function encodeRule(rule: Rule): Uint8Array {
  return saveState(new Leaf(rule, null));
}

/** The rule of `encodeRule`'s bytes. */
export function decodeRule(bytes: Uint8Array): Rule {
  const leaf = loadState(bytes);
  if (!(leaf instanceof Leaf)) throw new Error("decodeRule: the bytes hold a state tree, not one rule");
  return leaf.rule;
}

function encode(c: Candidate): Uint8Array {
  const fn = "candidateCodec.encode";
  if (!isPlainObject(c) || !(c.graph instanceof CompGraph) || !(c.rule instanceof Rule)) throw new Error(`${fn}: expected a candidate { id, generation, graph, rule, state, lineage }, got ${describe(c)}`);
  const rule = encodeRule(c.rule);
  const graph = graphCodec.encode({ graph: c.graph, state: c.state });
  const header = {
    format: FORMAT,
    version: VERSION,
    id: c.id,
    generation: c.generation,
    fitness: c.fitness === undefined ? null : jsonNumber(c.fitness),
    metrics: c.metrics === undefined ? null : Object.fromEntries(Object.entries(c.metrics).map(([k, v]) => [k, jsonNumber(v)])),
    error: c.error ?? null,
    lineage: checkLineage(fn, c.lineage),
    rule: rule.length,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(12 + json.length + rule.length + graph.length);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(rule, 12 + json.length);
  out.set(graph, 12 + json.length + rule.length);
  return out;
}

function decode(bytes: Uint8Array): Candidate {
  const fn = "candidateCodec.decode";
  if (!(bytes instanceof Uint8Array)) throw new Error(`${fn}: expected a Uint8Array, got ${describe(bytes)}`);
  if (bytes.length < 12 || !MAGIC.every((b, i) => bytes[i] === b)) throw new Error(`${fn}: not a fluxion candidate: the bytes do not start with "FLXCANDI"`);
  const jsonLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (12 + jsonLength > bytes.length) throw new Error(`${fn}: truncated: ${bytes.length} bytes, the header alone needs ${12 + jsonLength}`);
  let h: Record<string, any>;
  try {
    h = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(12, 12 + jsonLength)));
  } catch (err) {
    throw new Error(`${fn}: corrupt: the header is not valid JSON`, { cause: err });
  }
  if (h.format !== FORMAT) throw new Error(`${fn}: the header names format ${describe(h.format)}, expected "${FORMAT}"`);
  if (h.version !== VERSION) throw new Error(`${fn}: version ${describe(h.version)} is not supported (this package reads version ${VERSION})`);
  const ruleAt = 12 + jsonLength;
  const graphAt = ruleAt + h.rule;
  if (!Number.isSafeInteger(h.rule) || graphAt > bytes.length) throw new Error(`${fn}: truncated: the rule needs ${String(h.rule)} bytes`);
  const rule = decodeRule(bytes.subarray(ruleAt, graphAt));
  // A candidate whose training diverged is kept with its error, non-finite weights included.
  const { graph, state } = decodeGraphBytes(bytes.subarray(graphAt), { allowNonFinite: true });
  try {
    return makeCandidate({
      id: h.id,
      generation: h.generation,
      graph,
      rule,
      state: state ?? setup(rule, graph),
      lineage: h.lineage,
      ...(h.fitness === null ? {} : { fitness: fromJsonNumber(h.fitness) }),
      ...(h.metrics === null ? {} : { metrics: Object.fromEntries(Object.entries(h.metrics).map(([k, v]) => [k, fromJsonNumber(v)])) }),
      ...(h.error === null ? {} : { error: h.error }),
    });
  } catch (err) {
    dispose(state);
    dispose(graph);
    throw new Error(`${fn}: corrupt: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * A candidate as one byte array and back (layout above): graph, weights, optimiser state, rule,
 * id, generation, fitness, metrics, error and lineage, exactly. A `Codec<Candidate>` for
 * `PersistentArray`; decoding gives new tensors the caller owns.
 */
export const candidateCodec: Codec<Candidate> = { encode, decode };
