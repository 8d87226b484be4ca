// An operation's work in progress: a new structure, new layers and new optimiser states, built
// beside the graph without touching it. `commit` swaps them in and frees what they replace;
// `abort` frees what was made. So every operation is all-or-nothing and leak-free.
import { tf } from "@fluxion/backend";
import { fleaves, fmap } from "@fluxion/functors";
import { Leaf, setup, type Rule } from "@fluxion/optimisers";
import { Rng } from "@fluxion/nn";
import { featureSizes, vertexShapes, type CompGraph } from "./comp-graph.js";
import { kindOf, paramAt, withFields } from "./layer-kinds.js";
import { selectTensor, type AxisSelection } from "./select.js";
import { sizeClasses, SizeError, type SizeClasses } from "./size-classes.js";
import { pruned, type GraphSpec } from "./spec.js";

/** Per output neuron of an owner vertex: how much it is worth keeping (higher is kept first). */
export type Utility = (name: string, layer: unknown, graph: CompGraph) => ArrayLike<number>;

/** Options every graph operation takes: the optimiser state to carry along, how new neurons start, which ones are kept. */
export interface OperationOptions {
  /**
   * The optimiser state tree from `setup(rule, graph)`: re-indexed with the neurons (kept entries
   * carried, new ones at the rule's initial value), extended for new vertices, trimmed for removed ones.
   */
  state?: unknown;
  /** The rule for new vertices' state (default: the rule of the first Leaf in `state`). */
  rule?: Rule;
  /** Draws the new neurons' random weights. Default: `new Rng(0)`. */
  rng?: Rng;
  /** Which neurons to keep when shrinking. Default: `weightMagnitude`. */
  utility?: Utility;
}

/** The default utility (NaiveNASflux's): each output neuron's weight L2 norm plus |bias|. */
export const weightMagnitude: Utility = (_name, layer) => {
  const kind = kindOf(layer);
  const n = kind.nout!(layer);
  const out = new Float64Array(n);
  for (const p of kind.params(layer)) {
    const t = paramAt(layer, p.path);
    if (t === null || p.out === undefined) continue;
    const values = t.dataSync();
    const inner = t.shape.slice(p.out + 1).reduce((a, b) => a * b, 1);
    const sq = new Float64Array(n);
    for (let i = 0; i < values.length; i++) sq[Math.floor(i / inner) % n] += values[i]! * values[i]!;
    for (let j = 0; j < n; j++) out[j] += Math.sqrt(sq[j]!);
  }
  return out;
};

/** A graph-shaped view of a draft, for the size helpers. */
type GraphView = Pick<CompGraph, "spec" | "layers">;

export class Draft {
  spec: GraphSpec;
  layers: Record<string, unknown>;
  readonly rng: Rng;
  /** Tensors this operation made: freed by `abort`. */
  private readonly made = new Set<tf.Tensor>();
  private readonly leafStates = new Map<Leaf, unknown>();
  private readonly stateAdded = new Map<string, unknown>();

  constructor(
    readonly graph: CompGraph,
    readonly options: OperationOptions,
  ) {
    this.spec = graph.spec;
    this.layers = { ...graph.layers };
    this.rng = options.rng ?? new Rng(0);
  }

  view(): GraphView {
    return { spec: this.spec, layers: this.layers };
  }

  sizes(): Map<string, number> {
    return featureSizes(this.view() as CompGraph);
  }

  /** The neuron classes of the draft as it stands. */
  classes(): SizeClasses {
    const shapes = vertexShapes(this.view() as CompGraph);
    const owners = new Map<string, number>();
    const repeats = new Map<string, number>();
    for (const v of this.spec.vertices) {
      const s = shapes.get(v.name)!;
      if (v.op === "input") owners.set(v.name, s.at(-1)!);
      else if (v.op === "layer") {
        const kind = kindOf(this.layers[v.name]);
        if (kind.size === "absorb") owners.set(v.name, s.at(-1)!);
        if (kind.size === "flatten") {
          const inShape = shapes.get(v.inputs[0]!)!;
          repeats.set(v.name, inShape.slice(1, -1).reduce((a, b) => a * b, 1));
        }
      }
    }
    return sizeClasses(this.spec, this.layers, owners, repeats);
  }

  /**
   * Re-indexes every layer for new output index vectors: `known` gives some vertices' (over
   * their old outputs; -1 = a new neuron); the rest follow from their inputs (concatenation
   * joins, flatten repeats, size-invariant vertices pass them on; owners not given keep theirs).
   */
  reindex(known: Map<string, readonly number[]>, before: GraphView = this.view()): void {
    // Sizes are read from the structure before the change; the walk follows the one after it.
    const sizes = featureSizes(before as CompGraph);
    const shapes = vertexShapes(before as CompGraph);
    const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
    const outIdx = new Map<string, readonly number[] | null>();
    const full = (name: string): readonly number[] => outIdx.get(name) ?? range(sizes.get(name)!);
    const plan: [name: string, ins: readonly number[] | null, outs: readonly number[] | null][] = [];
    for (const v of this.spec.vertices) {
      const inIdx = v.inputs.map((i) => outIdx.get(i) ?? null);
      let mine: readonly number[] | null = known.get(v.name) ?? null;
      if (!known.has(v.name) && v.op !== "input") {
        const kind = v.op === "layer" ? kindOf(this.layers[v.name]).size : v.op === "concat" ? "concat" : "invariant";
        if (kind === "invariant") mine = inIdx[0]!;
        else if (kind === "concat" && inIdx.some((x) => x !== null)) {
          let offset = 0;
          mine = v.inputs.flatMap((i) => {
            const part = full(i).map((e) => (e < 0 ? -1 : e + offset));
            offset += sizes.get(i)!;
            return part;
          });
        } else if (kind === "flatten" && inIdx[0] !== null) {
          const c = sizes.get(v.inputs[0]!)!;
          const positions = shapes.get(v.inputs[0]!)!.slice(1, -1).reduce((a, b) => a * b, 1);
          mine = range(positions).flatMap((p) => inIdx[0]!.map((e) => (e < 0 ? -1 : p * c + e)));
        }
      }
      outIdx.set(v.name, mine);
      if (v.op !== "layer") continue;
      const layer = this.layers[v.name];
      const kind = kindOf(layer);
      const ins = kind.size === "absorb" ? inIdx[0]! : null;
      const outs = kind.size === "flatten" ? null : mine;
      if (ins !== null || outs !== null) plan.push([v.name, ins, outs]);
    }
    // Every refusal before any change, so a caller may catch a SizeError and try something else
    // on the same draft (removeVertex: grow, else shrink).
    for (const [name] of plan) {
      const why = kindOf(this.layers[name]).refuse?.(this.layers[name]);
      if (why) throw new SizeError(`vertex '${name}' cannot be resized: ${why}`);
    }
    for (const [name, ins, outs] of plan) this.resizeLayer(name, ins, outs);
  }

  /** Replaces a layer by its re-indexed copy (inputs `ins`, outputs `outs`; null: unchanged). */
  private resizeLayer(name: string, ins: readonly number[] | null, outs: readonly number[] | null): void {
    const layer = this.layers[name];
    const kind = kindOf(layer);
    const changes: [string[], unknown][] = [];
    for (const p of kind.params(layer)) {
      const t = paramAt(layer, p.path);
      if (t === null) continue;
      const outAxes: (readonly number[] | null)[] = t.shape.map(() => null);
      const inAxes: (readonly number[] | null)[] = t.shape.map(() => null);
      if (p.out !== undefined) outAxes[p.out] = outs;
      if (p.in !== undefined) inAxes[p.in] = ins;
      if (outAxes.every((a) => a === null) && inAxes.every((a) => a === null)) continue;
      const fanIn = p.out === undefined ? 1 : t.size / t.shape[p.out]!;
      const stepOut = selectTensor(t, outAxes, (shape) => this.fill(p.fill, shape, fanIn));
      const next = selectTensor(stepOut, inAxes, (shape) => new Float32Array(shape.reduce((a, b) => a * b, 1)));
      stepOut.dispose();
      const value = t instanceof tf.Variable ? tf.variable(next, t.trainable) : next;
      if (value !== next) next.dispose();
      this.made.add(value);
      changes.push([[...p.path], value]);
      this.reindexState(name, p.path, t, value, outAxes.map((a, i) => a ?? inAxes[i]!));
    }
    const nout = outs?.length;
    if (nout !== undefined && kind.sizeFields) for (const [k, v] of Object.entries(kind.sizeFields(layer, nout))) changes.push([[k], v]);
    this.layers[name] = withFields(layer, changes);
  }

  private fill(fill: "random" | "zero" | "one", shape: number[], fanIn: number): Float32Array {
    const n = shape.reduce((a, b) => a * b, 1);
    if (fill === "one") return new Float32Array(n).fill(1);
    if (fill === "zero") return new Float32Array(n);
    // Small random outputs (NaiveNASflux's randn/size): consumers read them through zero weights.
    const r = this.rng.normals(n);
    for (let i = 0; i < n; i++) r[i] = r[i]! / fanIn;
    return r;
  }

  /** The Leaf of parameter `path` of vertex `name` in the state tree, if there is one. */
  private leafAt(name: string, path: readonly string[]): Leaf | null {
    let x = (this.options.state as { layers?: Record<string, unknown> } | undefined)?.layers?.[name];
    for (const k of path) x = x === null || typeof x !== "object" ? undefined : (x as Record<string, unknown>)[k];
    return x instanceof Leaf ? x : null;
  }

  /** Re-indexes the optimiser state of one parameter the way the parameter was. */
  private reindexState(name: string, path: readonly string[], old: tf.Tensor, next: tf.Tensor, axes: AxisSelection): void {
    const leaf = this.leafAt(name, path);
    if (leaf === null) return;
    const current = this.leafStates.has(leaf) ? this.leafStates.get(leaf) : leaf.state;
    const init = leaf.rule.init(next);
    const initTensors = fleaves(init).filter((t): t is tf.Tensor => t instanceof tf.Tensor);
    const fresh = fleaves(current);
    // State tensors shaped like the parameter follow its neurons; the rest (step counts,
    // β powers) are kept. The rule's initial state, shaped like the new parameter, fills new entries.
    let k = 0;
    const pairs = new Map<tf.Tensor, tf.Tensor>();
    for (const t of fresh) {
      if (!(t instanceof tf.Tensor) || !tf.util.arraysEqual(t.shape, old.shape)) continue;
      const fillFrom = initTensors.find((i, j) => j >= k && tf.util.arraysEqual(i.shape, next.shape)) ?? null;
      if (fillFrom) k = initTensors.indexOf(fillFrom) + 1;
      const x = selectTensor(t, axes, (shape) => (fillFrom ? fillFrom.dataSync() : new Float32Array(shape.reduce((a, b) => a * b, 1))));
      this.made.add(x);
      pairs.set(t, x);
    }
    tf.dispose(initTensors);
    this.leafStates.set(leaf, replaceTensors(current, pairs));
  }

  /** Adds the optimiser state of a new vertex (if the graph has a state tree). */
  addState(name: string, layer: unknown): void {
    const state = this.options.state as { layers?: Record<string, unknown> } | undefined;
    if (state === undefined) return;
    const rule = this.options.rule ?? firstRule(state);
    if (rule === undefined) throw new Error(`evolve: the state tree has no Leaf to take a rule from for the new vertex '${name}'; pass { rule }`);
    const sub = setup(rule, layer);
    for (const t of fleaves(sub, { exclude: (x) => x instanceof Leaf })) if (t instanceof Leaf) fleaves(t.state).forEach((s) => s instanceof tf.Tensor && this.made.add(s));
    this.stateAdded.set(name, sub);
  }

  /** Makes the draft the graph's: new structure, layers and states in; replaced tensors freed. */
  commit(): void {
    const g = this.graph;
    const before = new Set(fleaves(g.layers).filter((t) => t instanceof tf.Tensor));
    g.spec = this.spec;
    g.layers = Object.fromEntries(this.spec.vertices.filter((v) => v.op === "layer").map((v) => [v.name, this.layers[v.name]]));
    const after = new Set(fleaves(g.layers).filter((t) => t instanceof tf.Tensor));
    for (const t of before) if (!after.has(t)) (t as tf.Tensor).dispose();
    // Tensors this draft made that the result does not hold (a layer made, then removed).
    const held = new Set([...after, ...fleaves([...this.leafStates.values()]), ...fleaves([...this.stateAdded.values()], { exclude: (x) => x instanceof Leaf }).flatMap((l) => (l instanceof Leaf ? fleaves(l.state) : []))]);
    for (const t of this.made) if (!held.has(t) && !t.isDisposed) t.dispose();
    for (const [leaf, next] of this.leafStates) {
      const keep = new Set(fleaves(next));
      for (const t of fleaves(leaf.state)) if (t instanceof tf.Tensor && !keep.has(t)) t.dispose();
      leaf.state = next;
    }
    const state = this.options.state as { layers?: Record<string, unknown> } | undefined;
    if (state?.layers) {
      for (const name of Object.keys(state.layers)) if (!(name in g.layers)) disposeStateTree(state.layers[name]);
      const old = state.layers;
      state.layers = Object.fromEntries(Object.keys(g.layers).map((k) => [k, this.stateAdded.get(k) ?? old[k] ?? []]));
    }
    // State made for a vertex the result does not hold (added, then pruned or removed).
    for (const [name, sub] of this.stateAdded) if (!(name in g.layers)) disposeStateTree(sub);
  }

  /** Frees what the draft made; the graph and state are as they were. */
  abort(): void {
    for (const t of this.made) if (!t.isDisposed) t.dispose();
  }
}

function replaceTensors(x: unknown, pairs: Map<tf.Tensor, tf.Tensor>): unknown {
  return fmap((t: unknown) => (t instanceof tf.Tensor ? (pairs.get(t) ?? t) : t), x);
}

function firstRule(state: unknown): Rule | undefined {
  const leaf = fleaves(state, { exclude: (x) => x instanceof Leaf }).find((x) => x instanceof Leaf) as Leaf | undefined;
  return leaf?.rule;
}

function disposeStateTree(sub: unknown): void {
  for (const l of fleaves(sub, { exclude: (x) => x instanceof Leaf })) if (l instanceof Leaf) tf.dispose(fleaves(l.state).filter((t) => t instanceof tf.Tensor) as tf.Tensor[]);
}

/**
 * Throws unless `after` runs and gives outputs of the shapes `before`'s give, but for the feature
 * size: removing a flatten, or inserting a pooling layer at an output, would change what the
 * graph's users get.
 */
function checkOutputShapes(before: CompGraph, after: GraphView): void {
  const old = vertexShapes(before);
  const now = vertexShapes(after as CompGraph);
  after.spec.outputs.forEach((name, i) => {
    const [a, b] = [old.get(before.spec.outputs[i]!)!.slice(1, -1), now.get(name)!.slice(1, -1)];
    if (!tf.util.arraysEqual(a, b)) throw new Error(`evolve: output '${name}' would have shape [batch, ${[...b, "features"].join(", ")}] instead of [batch, ${[...a, "features"].join(", ")}]; an operation may change only its feature size`);
  });
}

/** Runs `build` on a draft of `graph` and commits it, or aborts and rethrows. */
export function transact<T>(graph: CompGraph, options: OperationOptions, build: (d: Draft) => T): T {
  const d = new Draft(graph, options);
  let out: T;
  try {
    out = build(d);
    d.spec = pruned(d.spec); // vertices no output depends on leave the graph (NaiveNASlib's vertices(g))
    checkOutputShapes(graph, d.view()); // every layer must take its input's size, outputs keep their shape
    d.classes(); // and the sizes must align (no mismatch, no size cycle)
  } catch (err) {
    d.abort();
    throw err;
  }
  d.commit();
  return out;
}
