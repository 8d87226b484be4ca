// CompGraph (NaiveNASlib's): a model made of named vertices over nn layers, with named inputs and
// outputs. Its only functor child is `layers` (vertex name → layer), so setup, update, destructure,
// gradient, state/loadModel and the safetensors files see it as they see a Chain; the structure
// is an immutable value beside it (see spec.ts).
import { tf } from "@fluxion/backend";
import { Layer, call, layer, outputsize } from "@fluxion/nn";
import { kindOf } from "./layer-kinds.js";
import { makeSpec, vertexSpec, type GraphSpec, type VertexSpec } from "./spec.js";
import { Immutable, type Trait } from "./traits.js";

/** A vertex while a graph is being built: `inputVertex`, `vertex`, `addVertex`, `concatVertex`. */
export class VertexHandle {
  constructor(
    readonly spec: VertexSpec,
    readonly layer: unknown,
    readonly inputs: readonly VertexHandle[],
  ) {}
  get name(): string {
    return this.spec.name;
  }
}

/** Options of `vertex`, `addVertex` and `concatVertex`. */
export interface VertexOptions {
  /** The vertex's trait (e.g. `new Immutable()`); default none. */
  trait?: Trait | null;
}

function checkHandles(fn: string, inputs: readonly unknown[]): VertexHandle[] {
  inputs.forEach((h, i) => {
    if (!(h instanceof VertexHandle)) throw new TypeError(`${fn}: input ${i} must be a vertex (from inputVertex, vertex, addVertex or concatVertex), got ${h === null ? "null" : typeof h}`);
  });
  return inputs as VertexHandle[];
}

/** An input of `shape` per example (features last): `inputVertex("x", 784)` or `inputVertex("img", [28, 28, 1])`. */
export function inputVertex(name: string, shape: number | readonly number[]): VertexHandle {
  const s = typeof shape === "number" ? [shape] : [...shape];
  if (s.length === 0 || !s.every((n) => Number.isInteger(n) && n > 0)) throw new Error(`inputVertex '${name}': the shape must be positive integers, got ${JSON.stringify(shape)}`);
  return new VertexHandle({ name, op: "input", inputs: [], shape: s, trait: new Immutable() }, null, []);
}

/** A vertex applying `layer` (an nn layer or an activation function) to `input`. */
export function vertex(name: string, layerOrFn: unknown, input: VertexHandle, options: VertexOptions = {}): VertexHandle {
  kindOf(layerOrFn);
  const [inp] = checkHandles(`vertex '${name}'`, [input]);
  return new VertexHandle({ name, op: "layer", inputs: [inp!.name], trait: options.trait ?? null }, layerOrFn, [inp!]);
}

/** Element-wise sum of its inputs (all of one size: NaiveNASlib's `+`, size-invariant). */
export function addVertex(name: string, ...inputs: (VertexHandle | VertexOptions)[]): VertexHandle {
  return merge("add", name, inputs);
}

/** Concatenation of its inputs along the features (NaiveNASlib's `conc`, size-stacking). */
export function concatVertex(name: string, ...inputs: (VertexHandle | VertexOptions)[]): VertexHandle {
  return merge("concat", name, inputs);
}

function merge(op: "add" | "concat", name: string, args: (VertexHandle | VertexOptions)[]): VertexHandle {
  const options = args.length > 0 && !(args.at(-1) instanceof VertexHandle) ? (args.pop() as VertexOptions) : {};
  const inputs = checkHandles(`${op}Vertex '${name}'`, args);
  if (inputs.length === 0) throw new Error(`${op}Vertex '${name}': needs at least one input`);
  return new VertexHandle({ name, op, inputs: inputs.map((h) => h.name), trait: options.trait ?? null }, null, inputs);
}

/** What `graph.vertex(name)` tells of a vertex. */
export interface VertexInfo {
  name: string;
  op: VertexSpec["op"];
  inputs: readonly string[];
  layer: unknown;
  trait: Trait | null;
  nin: number[];
  nout: number;
}

/**
 * `new CompGraph(inputs, outputs)` from the handles of its input and output vertices (one or an
 * array each); every vertex an output depends on is part of it. `apply(...xs)` takes one tensor
 * per input, batch first, and gives the output (an array for several).
 */
export class CompGraph extends Layer {
  /** The structure: vertices in topological order. Replaced whole by operations, never edited. */
  spec: GraphSpec;
  /** Vertex name → layer, for the layer vertices, in topological order. */
  layers: Record<string, unknown>;

  constructor(inputs: VertexHandle | readonly VertexHandle[], outputs: VertexHandle | readonly VertexHandle[]) {
    super();
    const ins = checkHandles("CompGraph inputs", [inputs].flat() as unknown[]);
    const outs = checkHandles("CompGraph outputs", [outputs].flat() as unknown[]);
    const order: VertexHandle[] = [];
    const seen = new Map<string, VertexHandle>();
    const visit = (h: VertexHandle): void => {
      const prior = seen.get(h.name);
      if (prior === h) return;
      if (prior) throw new Error(`CompGraph: two different vertices are named '${h.name}'`);
      seen.set(h.name, h);
      h.inputs.forEach(visit);
      order.push(h);
    };
    outs.forEach(visit);
    for (const i of ins) if (!seen.has(i.name)) throw new Error(`CompGraph: input '${i.name}' does not reach any output`);
    for (const h of order) {
      if (h.spec.op === "input" && !ins.includes(h)) throw new Error(`CompGraph: the outputs depend on input '${h.name}', which is not among the graph's inputs`);
    }
    this.spec = makeSpec(
      order.map((h) => ({ ...h.spec })),
      ins.map((h) => h.name),
      outs.map((h) => h.name),
    );
    this.layers = Object.fromEntries(order.filter((h) => h.spec.op === "layer").map((h) => [h.name, h.layer]));
  }

  apply(...xs: tf.Tensor[]): any {
    const { inputs, outputs, vertices } = this.spec;
    if (xs.length !== inputs.length) throw new Error(`CompGraph: expected ${inputs.length} input tensor(s) (${inputs.join(", ")}), got ${xs.length}`);
    xs.forEach((x, i) => {
      if (!(x instanceof tf.Tensor)) throw new TypeError(`CompGraph: input '${inputs[i]}' must be a tensor, got ${x === null ? "null" : typeof x}`);
      if (x.isDisposed) throw new Error(`CompGraph: input '${inputs[i]}' is a disposed tensor`);
      const shape = vertexSpec(this.spec, inputs[i]!).shape!;
      if (x.rank !== shape.length + 1 || !shape.every((n, a) => x.shape[a + 1] === n)) {
        throw new Error(`CompGraph: input '${inputs[i]}' must have shape [batch, ${shape.join(", ")}], got [${x.shape.join(", ")}]`);
      }
    });
    return tf.tidy(() => {
      const values = new Map<string, tf.Tensor>();
      inputs.forEach((n, i) => values.set(n, xs[i]!));
      for (const v of vertices) {
        if (v.op === "input") continue;
        const args = v.inputs.map((i) => values.get(i)!);
        let y: tf.Tensor;
        if (v.op === "layer") y = call(this.layers[v.name] as never, args[0]) as tf.Tensor;
        else if (v.op === "add") y = args.length === 1 ? args[0]! : tf.addN(args);
        else y = args.length === 1 ? args[0]! : tf.concat(args, -1);
        values.set(v.name, y);
      }
      // An output that is an input tensor (the input itself, or passed on by a one-input merge or
      // an `identity` vertex) is copied, so the caller owns what it gets.
      const out = outputs.map((n) => (xs.includes(values.get(n)!) ? tf.clone(values.get(n)!) : values.get(n)!));
      return out.length === 1 ? out[0]! : out;
    });
  }

  /** The names of the vertices, in topological order. */
  names(): string[] {
    return this.spec.vertices.map((v) => v.name);
  }

  /** One vertex: its op, inputs, layer, trait and sizes. */
  vertex(name: string): VertexInfo {
    const v = vertexSpec(this.spec, name);
    const sizes = featureSizes(this);
    return { name, op: v.op, inputs: v.inputs, layer: this.layers[name] ?? null, trait: v.trait, nin: v.inputs.map((i) => sizes.get(i)!), nout: sizes.get(name)! };
  }

  repr(): string {
    return `CompGraph(${this.spec.inputs.join(", ")} => ${this.spec.outputs.join(", ")})`;
  }
}
layer(CompGraph, { fields: ["layers"] });

/** Each vertex's output shape for one example (batch first, batch 1), from nn's `outputsize`: nothing is run. */
export function vertexShapes(g: CompGraph): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  for (const v of g.spec.vertices) {
    const ins = v.inputs.map((i) => shapes.get(i)!);
    let s: number[];
    if (v.op === "input") s = [1, ...v.shape!];
    else if (v.op === "layer") {
      try {
        s = [...outputsize(g.layers[v.name] as never, ins[0]!)];
      } catch (err) {
        throw new Error(`evolve: vertex '${v.name}' cannot take an input of shape [${ins[0]!.join(", ")}]: ${(err as Error).message}`, { cause: err });
      }
    } else if (v.op === "add") {
      // Feature sizes are compared by the size classes, which can tell a size cycle; here only the rest.
      const bad = ins.find((x) => !tf.util.arraysEqual(x.slice(0, -1), ins[0]!.slice(0, -1)));
      if (bad) throw new Error(`evolve: add vertex '${v.name}' sums inputs of different shapes: ${ins.map((x) => `[${x.join(", ")}]`).join(" and ")}`);
      s = ins[0]!;
    } else {
      const lead = ins[0]!.slice(0, -1);
      const bad = ins.find((x) => !tf.util.arraysEqual(x.slice(0, -1), lead));
      if (bad) throw new Error(`evolve: concat vertex '${v.name}' joins inputs whose leading dims differ: ${ins.map((x) => `[${x.join(", ")}]`).join(" and ")}`);
      s = [...lead, ins.reduce((a, x) => a + x.at(-1)!, 0)];
    }
    shapes.set(v.name, s);
  }
  return shapes;
}

/** Each vertex's feature size (its output's last axis). */
export function featureSizes(g: CompGraph): Map<string, number> {
  return new Map([...vertexShapes(g)].map(([k, s]) => [k, s.at(-1)!]));
}
