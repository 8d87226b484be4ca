// The operations that change a graph and keep it valid and its weights (NaiveNASlib's Δnout!,
// insert!, remove!, create_edge!, remove_edge!). Each runs on a draft and commits whole, or
// throws and leaves the graph, its layers and the optimiser state exactly as they were.
import { describe } from "@fluxion/functors";
import { outputsize } from "@fluxion/nn";
import { vertexShapes, type CompGraph } from "./comp-graph.js";
import { transact, weightMagnitude, type Draft, type OperationOptions } from "./draft.js";
import { kindOf, withFields } from "./layer-kinds.js";
import { SizeError } from "./size-classes.js";
import { consumers, makeSpec, pruned, reaches, vertexSpec, type GraphSpec, type VertexSpec } from "./spec.js";
import { ApplyIf, isImmutable, traitChain, type Trait } from "./traits.js";

/**
 * Changes output sizes: `resize(graph, { h1: +4 })`, or several at once (`{ v2: -1, merged: 0 }`
 * keeps `merged`'s size, so another input of it grows). Every vertex whose neurons are tied to a
 * changed one (through element-wise adds, size-invariant layers and concatenation offsets) changes
 * with it, neuron for neuron. Shrinking keeps the neurons of highest `utility`; growing appends
 * new neurons with small random outgoing and zero incoming weights, so the function is unchanged.
 */
export function resize(graph: CompGraph, changes: Readonly<Record<string, number>>, options: OperationOptions = {}): void {
  transact(graph, options, (d) => resizeDraft(d, changes));
}

/** `resize(graph, { [name]: delta })` (NaiveNASlib's `Δnout!(v => Δ)`). */
export function changeNout(graph: CompGraph, name: string, delta: number, options: OperationOptions = {}): void {
  resize(graph, { [name]: delta }, options);
}

function resizeDraft(d: Draft, changes: Readonly<Record<string, number>>): void {
  const cls = d.classes();
  const classLen = (c: number): number => cls.members.get(c)![0]!.len;
  const delta = new Map<number, number>();
  const pending = Object.entries(changes).map(([name, want]) => {
    vertexSpec(d.spec, name);
    if (!Number.isInteger(want)) throw new Error(`resize: the change of '${name}' must be an integer, got ${String(want)}`);
    return { name, want };
  });
  // The classes in each target's output, with how often each appears there.
  const counts = (name: string): Map<number, number> => {
    const m = new Map<number, number>();
    for (const id of cls.seq.get(name)!) m.set(cls.classOf[id]!, (m.get(cls.classOf[id]!) ?? 0) + 1);
    return m;
  };
  const fixed = new Set(d.spec.vertices.filter((v) => isImmutable(v.trait)).map((v) => v.name));
  const fixedBy = (name: string): string => {
    const classes = cls.seq.get(name)!.map((id) => cls.classOf[id]!).filter((c) => cls.immutable.has(c));
    const owner = classes.flatMap((c) => cls.members.get(c)!).find((p) => fixed.has(p.owner));
    return owner ? `its neurons are tied to '${owner.owner}', which cannot change size` : "";
  };
  const repeats = (t: { name: string; want: number }, m: number): SizeError => new SizeError(`resize: '${t.name}' repeats its neurons ${m} times, so it can change only by multiples of ${m}, not ${t.want}`);
  const stuck = (t: { name: string; want: number }): SizeError => new SizeError(`resize: cannot change the size of '${t.name}' by ${t.want}: ${fixedBy(t.name) || "the other changes asked fix it"}`);
  // Targets with one undecided class decide it; repeat while that makes progress.
  for (let progress = true; progress; ) {
    progress = false;
    for (const t of [...pending]) {
      let rest = t.want;
      const open: [number, number][] = [];
      for (const [c, m] of counts(t.name)) {
        if (delta.has(c)) rest -= m * delta.get(c)!;
        else if (!cls.immutable.has(c)) open.push([c, m]);
      }
      if (open.length > 1) continue;
      pending.splice(pending.indexOf(t), 1);
      progress = true;
      if (open.length === 0) {
        if (rest !== 0) throw stuck(t);
        continue;
      }
      const [c, m] = open[0]!;
      if (rest % m !== 0) throw repeats(t, m);
      delta.set(c, rest / m);
    }
  }
  // The rest: spread each change over its undecided classes, in proportion to their sizes. Classes
  // repeated by a flatten change the size by multiples: those repeated least take the change.
  for (const t of pending) {
    let rest = t.want;
    for (const [c, m] of counts(t.name)) if (delta.has(c)) rest -= m * delta.get(c)!;
    const open = [...counts(t.name)].filter(([c]) => !delta.has(c) && !cls.immutable.has(c));
    if (open.length === 0 && rest !== 0) throw stuck(t);
    if (open.length === 0) continue;
    const m = Math.min(...open.map(([, k]) => k));
    if (rest % m !== 0) throw repeats(t, m);
    const chosen = open.filter(([, k]) => k === m).map(([c]) => c);
    const shares = spread(rest / m, chosen.map(classLen));
    if (shares === null) throw new SizeError(`resize: cannot change the size of '${t.name}' by ${t.want}: every size must stay at least 1`);
    chosen.forEach((c, i) => delta.set(c, shares[i]!));
  }
  const utility = d.options.utility ?? weightMagnitude;
  const util = new Map<string, ArrayLike<number>>();
  const utilityOf = (owner: string): ArrayLike<number> => {
    if (!util.has(owner)) {
      const layer = d.layers[owner];
      util.set(owner, layer === undefined ? [] : utility(owner, layer, d.view() as CompGraph));
    }
    return util.get(owner)!;
  };
  const idx = new Map<number, number[]>();
  for (const [c, dn] of delta) {
    if (dn === 0) continue;
    const len = classLen(c);
    if (len + dn < 1) {
      const names = [...new Set(cls.members.get(c)!.map((p) => p.owner))].join(", ");
      throw new SizeError(`resize: ${names} would have ${len + dn} neurons; a size must stay at least 1`);
    }
    if (dn > 0) idx.set(c, [...Array.from({ length: len }, (_, i) => i), ...new Array<number>(dn).fill(-1)]);
    else {
      const score = Array.from({ length: len }, (_, j) =>
        cls.members.get(c)!.reduce((s, p) => {
          const u = Number(utilityOf(p.owner)[p.start + j] ?? 0);
          return s + (Number.isFinite(u) ? u : -100); // NaiveNASflux's clean_values
        }, 0),
      );
      const keep = score.map((s, j) => [s, j] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, len + dn).map(([, j]) => j);
      idx.set(c, keep.sort((a, b) => a - b));
    }
  }
  const known = new Map<string, number[]>();
  const owners = [...new Set(cls.pieces.map((p) => p.owner))];
  for (const owner of owners) {
    const mine = cls.pieces.filter((p) => p.owner === owner);
    if (!mine.some((p) => idx.has(cls.classOf[p.id]!))) continue;
    const refuse = d.layers[owner] === undefined ? undefined : kindOf(d.layers[owner]).refuse?.(d.layers[owner]);
    if (refuse) throw new SizeError(`resize: vertex '${owner}' cannot be resized: ${refuse}`);
    known.set(owner, mine.flatMap((p) => (idx.get(cls.classOf[p.id]!) ?? Array.from({ length: p.len }, (_, j) => j)).map((j) => (j < 0 ? -1 : p.start + j))));
  }
  d.reindex(known);
}

/**
 * `total` split over parts of sizes `lens` in proportion to them (largest remainders first), no
 * part left below 1; null when that cannot be.
 */
function spread(total: number, lens: readonly number[]): number[] | null {
  const sum = lens.reduce((a, b) => a + b, 0);
  const shares = lens.map((n) => (total * n) / sum);
  const whole = shares.map((s, i) => Math.max(Math.trunc(s), 1 - lens[i]!));
  let left = total - whole.reduce((a, b) => a + b, 0);
  const order = shares.map((s, i) => [Math.abs(s - whole[i]!), i] as const).sort((a, b) => b[0] - a[0]).map(([, i]) => i);
  for (let moved = true; left !== 0 && moved; ) {
    moved = false;
    for (const i of order) {
      const step = Math.sign(left);
      if (left === 0 || (step < 0 && lens[i]! + whole[i]! <= 1)) continue;
      whole[i] = whole[i]! + step;
      left -= step;
      moved = true;
    }
  }
  return left === 0 ? whole : null;
}

/** Options of `insertAfter`. */
export interface InsertOptions extends OperationOptions {
  /** The new vertex's trait; default none. */
  trait?: Trait | null;
  /** Which readers of `after` read the new vertex instead (default: all, and the graph output). */
  outputs?: readonly string[];
}

/**
 * Inserts a vertex holding `layer` after `after` (NaiveNASlib's `insert!`): the readers of `after`
 * read the new vertex instead. The layer must take and give `after`'s size; an identity-initialised
 * layer (e.g. `new Dense([n, n], identity, { init: identityInit })`) leaves the outputs unchanged.
 */
export function insertAfter(graph: CompGraph, after: string, name: string, layer: unknown, options: InsertOptions = {}): void {
  transact(graph, options, (d) => {
    kindOf(layer);
    vertexSpec(d.spec, after);
    if (d.spec.vertices.some((v) => v.name === name)) throw new Error(`insertAfter: a vertex named '${name}' exists already`);
    const readers = new Set(options.outputs ?? consumers(d.spec, after).map((c) => c.name));
    for (const r of options.outputs ?? []) if (!consumers(d.spec, after).some((c) => c.name === r)) throw new Error(`insertAfter: '${r}' does not read '${after}'`);
    const shape = vertexShapes(d.view() as CompGraph).get(after)!;
    const size = shape.at(-1)!;
    const nout = outputsize(layer as never, shape).at(-1);
    if (nout !== size) throw new SizeError(`insertAfter: the new vertex '${name}' gives ${nout} features where '${after}' gave ${size}; it must give the same`);
    const added: VertexSpec = { name, op: "layer", inputs: [after], trait: options.trait ?? null };
    const vertices = d.spec.vertices.flatMap((v) => (v.name === after ? [v, added] : [readers.has(v.name) ? { ...v, inputs: v.inputs.map((i) => (i === after ? name : i)) } : v]));
    const outputs = d.spec.outputs.map((o) => (o === after && options.outputs === undefined ? name : o));
    d.spec = makeSpec(vertices, d.spec.inputs, outputs);
    // A vertex no output reads would be pruned at once, and the caller's layer lost with it.
    if (!pruned(d.spec).vertices.some((v) => v.name === name)) throw new Error(`insertAfter: no output of the graph depends on '${after}', so the new vertex '${name}' would not be part of it`);
    d.layers[name] = layer;
    d.addState(name, layer);
  });
}

/**
 * Removes vertex `name`; its readers read its input instead (NaiveNASlib's `remove!`). When the
 * two sizes differ, the smaller side grows first, or else the bigger shrinks, or the removal is
 * refused; a removal that would leave a size cycle is refused too.
 */
export function removeVertex(graph: CompGraph, name: string, options: OperationOptions = {}): void {
  transact(graph, options, (d) => {
    const v = vertexSpec(d.spec, name);
    if (v.op === "input") throw new Error(`removeVertex: '${name}' is an input of the graph`);
    if (v.inputs.length !== 1) throw new Error(`removeVertex: '${name}' has ${v.inputs.length} inputs; only a vertex with one input can be removed (remove its edges first)`);
    const from = v.inputs[0]!;
    const sizes = d.sizes();
    const [a, b] = [sizes.get(from)!, sizes.get(name)!];
    if (a !== b) alignForRemoval(d, from, name, a, b);
    d.spec = makeSpec(
      d.spec.vertices.filter((x) => x.name !== name).map((x) => ({ ...x, inputs: x.inputs.map((i) => (i === name ? from : i)) })),
      d.spec.inputs,
      d.spec.outputs.map((o) => (o === name ? from : o)),
    );
    delete d.layers[name];
  });
}

function alignForRemoval(d: Draft, from: string, name: string, a: number, b: number): void {
  const [small, big] = a < b ? [from, name] : [name, from];
  const gap = Math.abs(a - b);
  try {
    resizeDraft(d, { [small]: gap });
  } catch (grow) {
    if (!(grow instanceof SizeError)) throw grow;
    try {
      resizeDraft(d, { [big]: -gap });
    } catch (shrink) {
      if (!(shrink instanceof SizeError)) throw shrink;
      throw new SizeError(`removeVertex: '${name}' gives ${b} features and its input '${from}' ${a}, and neither side can change: ${grow.message}; ${shrink.message}`);
    }
  }
}

/** Options of `addEdge`. */
export interface EdgeOptions extends OperationOptions {
  /** Where in `to`'s inputs the new edge goes (default: last). */
  position?: number;
}

/**
 * Adds an edge from `from` into the merge vertex `to` (NaiveNASlib's `create_edge!`). Into a
 * concatenation, the readers of `to` get zero weights for the new features (the function is
 * unchanged); into an add, `from` is first resized to `to`'s size if they differ.
 */
export function addEdge(graph: CompGraph, from: string, to: string, options: EdgeOptions = {}): void {
  transact(graph, options, (d) => {
    vertexSpec(d.spec, from);
    const target = mergeVertex(d.spec, to, "addEdge");
    if (from === to || reaches(d.spec, to, from)) throw new Error(`addEdge: an edge from '${from}' to '${to}' would make a cycle`);
    const pos = options.position ?? target.inputs.length;
    if (!Number.isInteger(pos) || pos < 0 || pos > target.inputs.length) throw new Error(`addEdge: position must be an integer in [0, ${target.inputs.length}], got ${String(pos)}`);
    const sizes = d.sizes();
    if (target.op === "add" && sizes.get(from) !== sizes.get(to)) resizeDraft(d, { [from]: sizes.get(to)! - sizes.get(from)! });
    const before = d.view();
    const inputs = [...target.inputs.slice(0, pos), from, ...target.inputs.slice(pos)];
    d.spec = withInputs(d.spec, to, inputs);
    if (target.op === "concat") {
      const offset = target.inputs.slice(0, pos).reduce((s, i) => s + sizes.get(i)!, 0);
      const old = Array.from({ length: sizes.get(to)! }, (_, i) => i);
      d.reindex(new Map([[to, [...old.slice(0, offset), ...new Array<number>(sizes.get(from)!).fill(-1), ...old.slice(offset)]]]), before);
    }
  });
}

/**
 * Removes the edge from `from` into the merge vertex `to` (NaiveNASlib's `remove_edge!`); from a
 * concatenation, its readers drop the matching weights. Follow with `checkApply` to remove merge
 * vertices left with one input (see `removeIfSingleInput`).
 */
export function removeEdge(graph: CompGraph, from: string, to: string, options: OperationOptions = {}): void {
  transact(graph, options, (d) => {
    const target = mergeVertex(d.spec, to, "removeEdge");
    const slot = target.inputs.indexOf(from);
    if (slot < 0) throw new Error(`removeEdge: '${to}' does not read '${from}'`);
    if (target.inputs.length === 1) throw new Error(`removeEdge: '${from}' is the only input of '${to}'; remove the vertex instead`);
    const sizes = d.sizes();
    const before = d.view();
    d.spec = withInputs(d.spec, to, target.inputs.filter((_, i) => i !== slot));
    if (target.op === "concat") {
      const offset = target.inputs.slice(0, slot).reduce((s, i) => s + sizes.get(i)!, 0);
      const kept = Array.from({ length: sizes.get(to)! }, (_, i) => i).filter((i) => i < offset || i >= offset + sizes.get(from)!);
      d.reindex(new Map([[to, kept]]), before);
    }
  });
}

function mergeVertex(spec: GraphSpec, name: string, fn: string): VertexSpec {
  const v = vertexSpec(spec, name);
  if (v.op !== "add" && v.op !== "concat") throw new Error(`${fn}: '${name}' is a ${v.op} vertex; edges can be added to and removed from add and concat vertices only`);
  return v;
}

function withInputs(spec: GraphSpec, name: string, inputs: string[]): GraphSpec {
  // The new input may come later in the order: move the merge vertex (and what reads it) after it.
  const vertices = spec.vertices.map((v) => (v.name === name ? { ...v, inputs } : v));
  const placed: VertexSpec[] = [];
  const done = new Set<string>();
  const visit = (v: VertexSpec): void => {
    if (done.has(v.name)) return;
    done.add(v.name);
    v.inputs.forEach((i) => visit(vertices.find((x) => x.name === i)!));
    placed.push(v);
  };
  vertices.forEach(visit);
  return makeSpec(placed, spec.inputs, spec.outputs);
}

/** Changes the activation of a Dense / Conv vertex, or replaces an activation-function vertex. */
export function setActivation(graph: CompGraph, name: string, sigma: (x: any) => any, options: OperationOptions = {}): void {
  if (typeof sigma !== "function") throw new TypeError(`setActivation: σ must be a function, got ${describe(sigma)}`);
  transact(graph, options, (d) => {
    const v = vertexSpec(d.spec, name);
    const layer = d.layers[name];
    if (v.op !== "layer") throw new Error(`setActivation: '${name}' is a ${v.op} vertex, with no activation`);
    if (typeof layer === "function") {
      if (kindOf(layer).size !== "invariant") throw new Error(`setActivation: '${name}' holds ${layer.name || "a function"}, not an activation`);
      d.layers[name] = sigma;
    } else if (layer !== null && typeof layer === "object" && "sigma" in layer) d.layers[name] = withFields(layer, [[["sigma"], sigma]]);
    else throw new Error(`setActivation: the layer of '${name}' has no activation (σ)`);
  });
}

/** Runs the ApplyIf traits of every vertex whose predicate holds (NaiveGAflux's `check_apply`). */
export function checkApply(graph: CompGraph, options: OperationOptions = {}): void {
  for (const name of graph.names()) {
    if (!graph.names().includes(name)) continue; // removed by an earlier action
    const v = vertexSpec(graph.spec, name);
    const rule = traitChain(v.trait).find((t): t is ApplyIf => t instanceof ApplyIf);
    if (rule && rule.predicate(graph, name)) rule.apply(graph, name, options);
  }
}

/** A trait that removes its (merge) vertex once it has a single input (NaiveGAflux's `RemoveIfSingleInput`). */
export function removeIfSingleInput(base: Trait | null = null): ApplyIf {
  return new ApplyIf(hasSingleInput, removeVertex, base);
}

/** removeIfSingleInput's predicate; a named function (not a closure) so saved graphs can refer to it. */
export function hasSingleInput(g: CompGraph, name: string): boolean {
  return vertexSpec(g.spec, name).inputs.length === 1;
}
