// Neuron alignment without a solver (the replacement for NaiveNASlib's MILP sketched in the
// reference notes): every vertex's output is a sequence of pieces of its "owners" (inputs and
// absorbing layers, which make new neurons); concatenation joins sequences, flatten repeats one
// per spatial position, and an element-wise add ties its inputs' sequences position by position.
// Tied pieces form a class; where ties cut across piece boundaries the pieces are split until
// every tie joins whole pieces. A resize then picks one index vector per class, and every member
// of the class (a producer's rows, a consumer's columns at that offset) uses it, which keeps the
// graph neuron-aligned by construction.
import { isImmutable } from "./traits.js";
import type { GraphSpec } from "./spec.js";
import { kindOf } from "./layer-kinds.js";

/** A run of one owner's output neurons: [start, start + len). */
export interface Piece {
  id: number;
  owner: string;
  start: number;
  len: number;
}

export interface SizeClasses {
  /** Each vertex's output as a sequence of piece ids. */
  seq: Map<string, number[]>;
  pieces: Piece[];
  /** The class of each piece. */
  classOf: number[];
  /** Class → its pieces. */
  members: Map<number, Piece[]>;
  /** Classes with a piece of an input or Immutable vertex. */
  immutable: Set<number>;
}

/** Why sizes cannot be aligned: a size mismatch or a size cycle (NaiveNASlib #34). */
export class SizeError extends Error {
  override name = "SizeError";
}

/**
 * The classes of `spec` given each owner's size and each flatten vertex's repeat count (the
 * number of spatial positions it folds into the features). Throws a SizeError when the inputs of
 * an add vertex cannot have equal sizes.
 */
export function sizeClasses(spec: GraphSpec, layers: Record<string, unknown>, ownerSize: Map<string, number>, repeats: Map<string, number>): SizeClasses {
  const owners = spec.vertices.filter((v) => v.op === "input" || (v.op === "layer" && kindOf(layers[v.name]).size === "absorb"));
  const cuts = new Map(owners.map((v) => [v.name, new Set([0, ownerSize.get(v.name)!])]));
  for (;;) {
    const pieces: Piece[] = [];
    const byOwner = new Map<string, number[]>();
    for (const o of owners) {
      const points = [...cuts.get(o.name)!].sort((a, b) => a - b);
      byOwner.set(o.name, points.slice(1).map((end, i) => pieces.push({ id: pieces.length, owner: o.name, start: points[i]!, len: end - points[i]! }) - 1));
    }
    const seq = new Map<string, number[]>();
    for (const v of spec.vertices) {
      const first = v.inputs[0] === undefined ? [] : seq.get(v.inputs[0])!;
      if (byOwner.has(v.name)) seq.set(v.name, byOwner.get(v.name)!);
      else if (v.op === "concat") seq.set(v.name, v.inputs.flatMap((i) => seq.get(i)!));
      else if (v.op === "layer" && kindOf(layers[v.name]).size === "flatten") seq.set(v.name, Array.from({ length: repeats.get(v.name) ?? 1 }, () => first).flat());
      else seq.set(v.name, first);
    }
    const parent = pieces.map((p) => p.id);
    const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
    let cut = false;
    for (const v of spec.vertices) {
      if (v.op !== "add") continue;
      const a = seq.get(v.inputs[0]!)!;
      for (const other of v.inputs.slice(1)) cut = tie(v.name, a, seq.get(other)!, pieces, cuts, (x, y) => (parent[find(x)] = find(y))) || cut;
    }
    if (cut) continue;
    const classOf = pieces.map((p) => find(p.id));
    const members = new Map<number, Piece[]>();
    pieces.forEach((p) => members.set(classOf[p.id]!, [...(members.get(classOf[p.id]!) ?? []), p]));
    const fixed = new Set(spec.vertices.filter((v) => v.op === "input" || isImmutable(v.trait)).map((v) => v.name));
    const immutable = new Set(pieces.filter((p) => fixed.has(p.owner)).map((p) => classOf[p.id]!));
    // Every vertex whose own trait is Immutable fixes whatever passes through it, too.
    for (const v of spec.vertices) if (isImmutable(v.trait)) seq.get(v.name)!.forEach((id) => immutable.add(classOf[id]!));
    return { seq, pieces, classOf, members, immutable };
  }
}

/**
 * Ties two sequences position by position; where their pieces' boundaries differ, records the
 * cuts that would make them agree and returns true (the caller recomputes the pieces).
 */
function tie(at: string, a: number[], b: number[], pieces: Piece[], cuts: Map<string, Set<number>>, union: (x: number, y: number) => void): boolean {
  const total = (s: number[]): number => s.reduce((n, id) => n + pieces[id]!.len, 0);
  if (total(a) !== total(b)) {
    const shared = a.some((id) => b.includes(id));
    throw new SizeError(
      shared
        ? `add vertex '${at}' would need inputs of sizes ${total(a)} and ${total(b)} that share neurons: a size cycle, which no resizing can satisfy`
        : `add vertex '${at}' sums inputs of sizes ${total(a)} and ${total(b)}`,
    );
  }
  let changed = false;
  let i = 0;
  let j = 0;
  let offA = 0;
  let offB = 0;
  while (i < a.length && j < b.length) {
    const p = pieces[a[i]!]!;
    const q = pieces[b[j]!]!;
    const step = Math.min(p.len - offA, q.len - offB);
    if (offA === 0 && offB === 0 && p.len === q.len) union(p.id, q.id);
    else {
      for (const [r, off] of [[p, offA], [q, offB]] as const) {
        const set = cuts.get(r.owner)!;
        for (const at of [r.start + off, r.start + off + step]) {
          if (!set.has(at)) {
            set.add(at);
            changed = true;
          }
        }
      }
    }
    offA += step;
    offB += step;
    if (offA === p.len) [i, offA] = [i + 1, 0];
    if (offB === q.len) [j, offB] = [j + 1, 0];
  }
  return changed;
}
