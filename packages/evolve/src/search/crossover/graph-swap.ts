// NaiveGAflux's VertexCrossover(CrossoverSwap): two graphs exchange their ends. A cut vertex
// separates a graph into what comes up to it and what comes after it; two cut vertices at about
// the same relative place, giving the same spatial shape, are paired, and the parts after them
// swap graphs (layers, weights and optimiser state move with them; feature sizes are aligned
// first by resizing one cut vertex).
import { tf } from "@fluxion/backend";
import type { StateTree } from "@fluxion/optimisers";
import { featureSizes, vertexShapes, type CompGraph } from "../../graph/comp-graph.js";
import { changeNout } from "../../graph/operations.js";
import { Draft } from "../../graph/draft.js";
import { makeSpec, type GraphSpec, type VertexSpec } from "../../graph/spec.js";
import { allowMutation } from "../../graph/traits.js";
import type { Crossover, OperatorContext } from "../interfaces.js";
import { resizeReachesShield, trySize } from "../mutations/graph-context.js";

type Crossed = { values: [CompGraph, CompGraph]; changes: string[] };

/** Options of `VertexCrossover`. */
export interface VertexCrossoverOptions {
  /** The largest difference of relative topological position (0 to 1) between paired cut vertices (default 1: any). */
  deviation?: number;
}

/** The vertices that depend on `c` (not `c`), in topological order. */
function after(spec: GraphSpec, c: string): VertexSpec[] {
  const down = new Set([c]);
  const out: VertexSpec[] = [];
  for (const v of spec.vertices) {
    if (v.inputs.some((i) => down.has(i))) {
      down.add(v.name);
      out.push(v);
    }
  }
  return out;
}

/**
 * The cut vertices of a graph whose trait allows `crossover`: neither an input nor an output,
 * every output depends on it, and what depends on it reads nothing from before it but it.
 */
export function cutVertices(graph: CompGraph, crossover: unknown): string[] {
  const { spec } = graph;
  return spec.vertices
    .filter((c) => {
      if (c.op === "input" || spec.outputs.includes(c.name) || !allowMutation(c.trait, crossover)) return false;
      const tail = after(spec, c.name);
      const inside = new Set([c.name, ...tail.map((v) => v.name)]);
      return spec.outputs.every((o) => inside.has(o)) && tail.every((v) => v.inputs.every((i) => inside.has(i)));
    })
    .map((c) => c.name);
}

/**
 * Crossover of two graphs (both copies it may change in place): a cut vertex of `a` drawn
 * uniformly is paired with the cut vertex of `b` nearest to it in relative topological position
 * among those of the same spatial shape; if their feature sizes differ, one of them is resized to
 * the other's (weights and state kept, `changeNout`). Then the vertices after the cut swap graphs,
 * renamed where a name is taken, with their layers and optimiser state (`ctx.states`). When no
 * pair fits, both graphs are returned unchanged.
 */
export class VertexCrossover implements Crossover<CompGraph> {
  readonly kind = "crossover";
  readonly deviation: number;
  constructor(options: VertexCrossoverOptions = {}) {
    this.deviation = options.deviation ?? 1;
    if (!(this.deviation >= 0)) throw new Error(`VertexCrossover: deviation must be a number ≥ 0, got ${String(options.deviation)}`);
  }

  /** Crosses the two graphs in place (their states too, from `ctx.states`); returns them and what changed. */
  apply(a: CompGraph, b: CompGraph, ctx: OperatorContext): Crossed {
    const none: Crossed = { values: [a, b], changes: [] };
    if (a === b) throw new Error("VertexCrossover: the two graphs must be different objects (copies of the parents)");
    const cutsA = cutVertices(a, this);
    const cutsB = cutVertices(b, this);
    if (cutsA.length === 0 || cutsB.length === 0) return none;
    const ca = cutsA[ctx.rng.int(cutsA.length)]!;
    const [shapesA, shapesB] = [vertexShapes(a), vertexShapes(b)];
    const place = (g: CompGraph, name: string): number => g.spec.vertices.findIndex((v) => v.name === name) / Math.max(1, g.spec.vertices.length - 1);
    const fits = cutsB
      .filter((cb) => tf.util.arraysEqual(shapesA.get(ca)!.slice(0, -1), shapesB.get(cb)!.slice(0, -1)))
      .map((cb) => [cb, Math.abs(place(a, ca) - place(b, cb))] as const)
      .filter(([, d]) => d <= this.deviation)
      .sort((x, y) => x[1] - y[1]);
    if (fits.length === 0) return none;
    const cb = fits[0]![0];
    if (!sameOutputs(a, b, shapesA, shapesB)) return none;
    const [stateA, stateB] = ctx.states ?? [undefined, undefined];
    if ((stateA === undefined) !== (stateB === undefined)) throw new Error("VertexCrossover: ctx.states must give both graphs' optimiser states or neither");
    if (!this.alignSizes(a, ca, b, cb, stateA, stateB, ctx)) return none;
    const childA = splice(a, ca, stateA, b, cb, stateB);
    const childB = splice(b, cb, stateB, a, ca, stateA);
    // Cut vertices guarantee both splices are valid; checked anyway before anything moves.
    check(childA);
    check(childB);
    const [movedA, movedB] = [after(a.spec, ca).length, after(b.spec, cb).length];
    commit(a, childA, stateA);
    commit(b, childB, stateB);
    return { values: [a, b], changes: [`crossover after ${ca} ⇄ ${cb} (${movedA} and ${movedB} vertices swapped)`] };
  }

  /** Makes the two cut vertices' feature sizes equal, resizing one of them; false when neither can change. */
  private alignSizes(a: CompGraph, ca: string, b: CompGraph, cb: string, stateA: StateTree | undefined, stateB: StateTree | undefined, ctx: OperatorContext): boolean {
    const [na, nb] = [featureSizes(a).get(ca)!, featureSizes(b).get(cb)!];
    if (na === nb) return true;
    const resize = (g: CompGraph, c: string, delta: number, state: StateTree | undefined): boolean =>
      !resizeReachesShield(g, c, this) && trySize(() => changeNout(g, c, delta, { rng: ctx.rng, ...(state === undefined ? {} : { state }) }));
    return resize(a, ca, nb - na, stateA) || resize(b, cb, na - nb, stateB);
  }
}

/** Whether the two graphs' outputs have the same shapes (the same problem). */
function sameOutputs(a: CompGraph, b: CompGraph, shapesA: Map<string, number[]>, shapesB: Map<string, number[]>): boolean {
  return a.spec.outputs.length === b.spec.outputs.length && a.spec.outputs.every((o, i) => tf.util.arraysEqual(shapesA.get(o)!, shapesB.get(b.spec.outputs[i]!)!));
}

interface Spliced {
  spec: GraphSpec;
  layers: Record<string, unknown>;
  /** The state entries by vertex, when the graphs have states. */
  stateLayers?: Record<string, unknown>;
}

const stateLayers = (state: StateTree): Record<string, unknown> => (state as { layers?: Record<string, unknown> }).layers ?? {};

/**
 * `g` up to its cut `c`, then the vertices after `other`'s cut `oc` (reading `c` instead of
 * `oc`), renamed where a name of `g`'s part is taken; with the layers and state entries of each part.
 */
function splice(g: CompGraph, c: string, state: StateTree | undefined, other: CompGraph, oc: string, otherState: StateTree | undefined): Spliced {
  const tail = after(other.spec, oc);
  const dropped = new Set(after(g.spec, c).map((v) => v.name));
  const kept = g.spec.vertices.filter((v) => !dropped.has(v.name));
  const keptNames = new Set(kept.map((v) => v.name));
  const used = new Set([...keptNames, ...tail.map((v) => v.name)]);
  const rename = new Map<string, string>([[oc, c]]);
  for (const v of tail) {
    let name = v.name;
    if (keptNames.has(name)) {
      const base = name.replace(/_\d+$/, "");
      for (let k = 2; used.has((name = `${base}_${k}`)); k++);
      used.add(name);
    }
    rename.set(v.name, name);
  }
  const moved = tail.map((v) => ({ ...v, name: rename.get(v.name)!, inputs: v.inputs.map((i) => rename.get(i) ?? i) }));
  const spec = makeSpec([...kept, ...moved], g.spec.inputs, other.spec.outputs.map((o) => rename.get(o) ?? o));
  const layers: Record<string, unknown> = {};
  for (const v of kept) if (v.op === "layer") layers[v.name] = g.layers[v.name];
  for (const v of tail) if (v.op === "layer") layers[rename.get(v.name)!] = other.layers[v.name];
  if (state === undefined || otherState === undefined) return { spec, layers };
  const own = stateLayers(state);
  const theirs = stateLayers(otherState);
  const entries: Record<string, unknown> = {};
  for (const name of Object.keys(layers)) entries[name] = keptNames.has(name) ? own[name] : theirs[[...rename].find(([, n]) => n === name)![0]];
  return { spec, layers, stateLayers: entries };
}

/** Throws unless the spliced graph computes and its sizes align. */
function check(s: Spliced): void {
  const view = { spec: s.spec, layers: s.layers } as CompGraph;
  vertexShapes(view);
  new Draft(view, {}).classes();
}

/** Gives `g` its spliced structure and layers, and `state` the entries of its vertices. */
function commit(g: CompGraph, s: Spliced, state: StateTree | undefined): void {
  g.spec = s.spec;
  g.layers = s.layers;
  if (state !== undefined && s.stateLayers !== undefined) (state as { layers: Record<string, unknown> }).layers = s.stateLayers;
}
