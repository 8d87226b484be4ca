// A graph's structure as JSON (vertices in topological order, inputs, outputs, traits, layer
// descriptions) and the graph rebuilt from it, with placeholder weights.
import { describe, isPlainObject } from "@fluxion/functors";
import { dispose } from "@fluxion/nn";
import { CompGraph, VertexHandle, vertexShapes } from "../graph/comp-graph.js";
import { makeSpec, type GraphSpec, type VertexOp, type VertexSpec } from "../graph/spec.js";
import type { Json } from "./json-values.js";
import { layerFromJson, layerToJson } from "./layer-table.js";
import { traitFromJson, traitToJson } from "./trait-table.js";

export interface GraphJson {
  inputs: string[];
  outputs: string[];
  vertices: { [key: string]: Json }[];
}

const OPS: readonly VertexOp[] = ["input", "layer", "add", "concat"];

export function graphToJson(fn: string, graph: CompGraph): GraphJson {
  // A layer object held by two vertices would come back as two layers: refused rather than split.
  const holder = new Map<unknown, string>();
  for (const [name, l] of Object.entries(graph.layers)) {
    if (typeof l === "function") continue;
    if (holder.has(l)) throw new Error(`${fn}: vertices '${holder.get(l)}' and '${name}' hold the same layer object; a saved graph gives each vertex its own layer`);
    holder.set(l, name);
  }
  const vertices = graph.spec.vertices.map((v) => ({
    name: v.name,
    op: v.op,
    inputs: [...v.inputs],
    ...(v.shape ? { shape: [...v.shape] } : {}),
    trait: traitToJson(fn, v.name, v.trait),
    ...(v.op === "layer" ? { layer: layerToJson(fn, v.name, graph.layers[v.name]) } : {}),
  }));
  return { inputs: [...graph.spec.inputs], outputs: [...graph.spec.outputs], vertices };
}

const isStrings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === "string");

/** The graph `graphToJson` described, its layers holding placeholder weights; on failure nothing leaks. */
export function graphFromJson(fn: string, json: Record<string, unknown>): CompGraph {
  const { inputs, outputs, vertices } = json;
  if (!isStrings(inputs) || !isStrings(outputs) || !Array.isArray(vertices)) {
    throw new Error(`${fn}: the graph JSON must have "inputs" and "outputs" (arrays of names) and "vertices" (an array)`);
  }
  const layers = new Map<string, unknown>();
  try {
    const specs = vertices.map((v, i) => vertexFromJson(fn, v, i, layers));
    let graph: CompGraph;
    try {
      graph = assemble(makeSpec(specs, inputs, outputs), layers);
    } catch (err) {
      throw new Error(`${fn}: the saved structure is invalid: ${(err as Error).message}`, { cause: err });
    }
    try {
      vertexShapes(graph);
    } catch (err) {
      throw new Error(`${fn}: the saved layers do not fit together: ${(err as Error).message}`, { cause: err });
    }
    return graph;
  } catch (err) {
    dispose([...layers.values()]);
    throw err;
  }
}

function vertexFromJson(fn: string, v: unknown, i: number, layers: Map<string, unknown>): VertexSpec {
  if (!isPlainObject(v) || typeof v.name !== "string") throw new Error(`${fn}: vertices[${i}] must be an object with a "name", got ${describe(v)}`);
  const { name, op, inputs, shape } = v;
  if (!OPS.includes(op as VertexOp)) throw new Error(`${fn}: vertex '${name}' has op ${describe(op)}; expected one of ${OPS.join(", ")}`);
  if (!isStrings(inputs)) throw new Error(`${fn}: vertex '${name}' must list its inputs as names`);
  const trait = traitFromJson(fn, name, v.trait ?? null);
  if (op === "input") {
    if (!Array.isArray(shape) || !shape.every((n) => Number.isInteger(n) && n > 0)) throw new Error(`${fn}: input vertex '${name}' must have a shape of positive integers`);
    return { name, op, inputs, shape, trait };
  }
  if (op === "layer") {
    if (layers.has(name)) throw new Error(`${fn}: two vertices are named '${name}'`);
    layers.set(name, layerFromJson(fn, name, v.layer));
  }
  return { name, op: op as VertexOp, inputs, trait };
}

/** A CompGraph with exactly `spec` (its order included) and `layers`, checked as the constructor checks. */
function assemble(spec: GraphSpec, layers: Map<string, unknown>): CompGraph {
  const handles = new Map<string, VertexHandle>();
  for (const v of spec.vertices) handles.set(v.name, new VertexHandle(v, layers.get(v.name) ?? null, v.inputs.map((i) => handles.get(i)!)));
  const graph = new CompGraph(
    spec.inputs.map((n) => handles.get(n)!),
    spec.outputs.map((n) => handles.get(n)!),
  );
  // The constructor orders the vertices by a walk from the outputs; the saved order is kept instead.
  graph.spec = spec;
  graph.layers = Object.fromEntries(spec.vertices.filter((v) => v.op === "layer").map((v) => [v.name, layers.get(v.name)]));
  return graph;
}
