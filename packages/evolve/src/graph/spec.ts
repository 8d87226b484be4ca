// The structure of a graph model as an immutable value: vertices in topological order, each with
// its inputs by name. Operations build a new structure instead of editing one, so a graph (and
// any copy sharing its structure) is never seen half-changed.
import type { Trait } from "./traits.js";

/** input: data (immutable size); layer: one nn layer; add: element-wise sum; concat: along features. */
export type VertexOp = "input" | "layer" | "add" | "concat";

/** One vertex of a `GraphSpec`: its name, what it does and the names of its inputs. */
export interface VertexSpec {
  readonly name: string;
  readonly op: VertexOp;
  readonly inputs: readonly string[];
  /** Input vertices: the shape of one example (the features last), e.g. [784] or [28, 28, 1]. */
  readonly shape?: readonly number[];
  readonly trait: Trait | null;
}

/** A graph's structure without its layers: the vertices and which are its inputs and outputs. */
export interface GraphSpec {
  /** Topological order: every vertex after its inputs. */
  readonly vertices: readonly VertexSpec[];
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

/** A frozen structure, checked for unknown or repeated names and for order. */
export function makeSpec(vertices: readonly VertexSpec[], inputs: readonly string[], outputs: readonly string[]): GraphSpec {
  const seen = new Set<string>();
  for (const v of vertices) {
    if (typeof v.name !== "string" || v.name === "") throw new Error(`evolve: a vertex name must be a non-empty string, got ${String(v.name)}`);
    if (seen.has(v.name)) throw new Error(`evolve: two vertices are named '${v.name}'; names must be unique`);
    for (const i of v.inputs) if (!seen.has(i)) throw new Error(`evolve: vertex '${v.name}' reads '${i}', which is not a vertex before it`);
    if ((v.op === "input") !== (v.inputs.length === 0)) throw new Error(`evolve: vertex '${v.name}' (${v.op}) has ${v.inputs.length} inputs`);
    if (v.op === "layer" && v.inputs.length !== 1) throw new Error(`evolve: layer vertex '${v.name}' must have one input, got ${v.inputs.length}`);
    seen.add(v.name);
    Object.freeze(v);
    Object.freeze(v.inputs);
  }
  for (const n of [...inputs, ...outputs]) if (!seen.has(n)) throw new Error(`evolve: the graph names '${n}' as an input or output, but has no such vertex`);
  for (const n of inputs) if (vertices.find((v) => v.name === n)!.op !== "input") throw new Error(`evolve: graph input '${n}' is not an input vertex`);
  return Object.freeze({ vertices: Object.freeze([...vertices]), inputs: Object.freeze([...inputs]), outputs: Object.freeze([...outputs]) });
}

export function vertexSpec(spec: GraphSpec, name: string): VertexSpec {
  const v = spec.vertices.find((x) => x.name === name);
  if (!v) throw new Error(`evolve: no vertex named '${name}'; the vertices are ${spec.vertices.map((x) => x.name).join(", ")}`);
  return v;
}

/** The vertices that read `name`, with the input slot each reads it at. */
export function consumers(spec: GraphSpec, name: string): { name: string; slot: number }[] {
  return spec.vertices.flatMap((v) => v.inputs.flatMap((i, slot) => (i === name ? [{ name: v.name, slot }] : [])));
}

/** Whether `to` can be reached from `from` along edges. */
export function reaches(spec: GraphSpec, from: string, to: string): boolean {
  const down = new Set([from]);
  for (const v of spec.vertices) if (v.inputs.some((i) => down.has(i))) down.add(v.name);
  return down.has(to);
}

/** `spec` without the vertices that no output depends on (what NaiveNASlib's `vertices(g)` drops). */
export function pruned(spec: GraphSpec): GraphSpec {
  const needed = new Set(spec.outputs);
  for (const v of [...spec.vertices].reverse()) if (needed.has(v.name)) v.inputs.forEach((i) => needed.add(i));
  spec.inputs.forEach((i) => needed.add(i));
  return makeSpec(
    spec.vertices.filter((v) => needed.has(v.name)),
    spec.inputs,
    spec.outputs,
  );
}
