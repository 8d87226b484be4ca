// Test helpers for the search operators: candidates, a child function that deep-copies through
// graphCodec (the engine's real ctx.child lives elsewhere), seeded generators, and a tiny MLP.
import { expect } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { fleaves } from "@fluxion/functors";
import { Leaf, setup, type Rule, type StateTree } from "@fluxion/optimisers";
import { Dense, Rng, dispose, glorotUniform, relu } from "@fluxion/nn";
import { countTensors, liveTensors } from "@fluxion/backend/testing";
import { CompGraph, MutationShield, graphCodec, inputVertex, vertex } from "../src/index.js";
import type { Candidate, EvolutionContext, Seeds } from "../src/search/interfaces.js";

/** FNV-1a of the parts: a seed per (run seed, generation, id, purpose). */
export function hashSeed(...parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const c of parts.join("/")) h = Math.imul(h ^ c.codePointAt(0)!, 0x01000193) >>> 0;
  return h;
}

/** Generators derived from `seed`, as the engine derives them. */
export const seedsOf = (seed: number): Seeds => (generation, id, purpose) => new Rng(hashSeed(seed, generation, id, purpose));

/** A candidate owning `graph` and `setup(rule, graph)`. */
export function candidate(id: number, graph: CompGraph, rule: Rule, fitness?: number): Candidate {
  return { id, generation: 0, graph, rule, state: setup(rule, graph), lineage: { parents: [], operations: [] }, ...(fitness === undefined ? {} : { fitness }) };
}

/** Candidates with the given fitness and no tensors (for selection statistics). */
export function bare(fitness: readonly number[]): Candidate[] {
  return fitness.map((f, id) => ({ id, generation: 0, graph: null as never, rule: null as never, state: [] as never, fitness: f, lineage: { parents: [], operations: [] } }));
}

/** A deep copy of `c` (graph and state through graphCodec) as a new candidate with id `id`. */
export function copyCandidate(c: Candidate, id: number, generation: number): Candidate {
  const { graph, state } = graphCodec.decode(graphCodec.encode({ graph: c.graph, state: c.state }));
  return { id, generation, graph, rule: c.rule, state: state!, lineage: { parents: [c.id], operations: [] } };
}

/** An evolution context whose `child` copies with `copyCandidate` (ids from `nextId`); `bareChild` copies only the record. */
export function evolutionContext(seed: number, generation: number, nextId: number, options: { bareChild?: boolean } = {}): EvolutionContext & { made: Candidate[] } {
  const made: Candidate[] = [];
  let id = nextId;
  return {
    generation,
    seeds: seedsOf(seed),
    made,
    child(parent, operations = []) {
      const c = options.bareChild ? { ...parent, id, generation, lineage: { parents: [parent.id], operations: [] } } : copyCandidate(parent, id, generation);
      id++;
      const out = { ...c, lineage: { parents: [parent.id], operations: [...operations] } };
      delete (out as { fitness?: number }).fitness;
      made.push(out);
      return out;
    },
  };
}

/** Frees the candidates' graphs and states. */
export function disposeAll(cs: readonly Candidate[]): void {
  for (const c of cs) dispose([c.graph, c.state]);
}

/** input(n) → h1(8, relu) → h2(6, relu) → out(k, shielded), weights from `seed`. */
export function mlp(seed = 1, sizes: readonly number[] = [8, 6], nin = 3, nout = 2): CompGraph {
  const rng = new Rng(seed);
  const x = inputVertex("input", nin);
  let last = x;
  let n = nin;
  sizes.forEach((s, i) => {
    last = vertex(`h${i + 1}`, new Dense([n, s], relu, { init: glorotUniform({ rng }) }), last);
    n = s;
  });
  return new CompGraph(x, vertex("out", new Dense([n, nout], undefined, { init: glorotUniform({ rng }) }), last, { trait: new MutationShield() }));
}

/** A seeded input batch. */
export const batch = (rows: number, shape: readonly number[], seed = 7): tf.Tensor => tf.tensor(new Rng(seed).normals(rows * shape.reduce((a, b) => a * b, 1)), [rows, ...shape]);

/** The largest |a − b|. */
export function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

/** Every Leaf's state tensors have the shape of the parameter they belong to. */
export function stateFits(graph: CompGraph, state: StateTree): boolean {
  return Object.entries(graph.layers).every(([name, layer]) => {
    const sub = (state as any).layers[name];
    return ["weight", "bias"].every((k) => {
      const p = (layer as any)?.[k];
      if (!(p instanceof tf.Tensor)) return true;
      const leaf = sub?.[k];
      return leaf instanceof Leaf && fleaves(leaf.state).every((t) => !(t instanceof tf.Tensor) || tf.util.arraysEqual(t.shape, p.shape));
    });
  });
}

/**
 * Runs `fn` (which changes `owners` in place) and checks that every tensor it left alive is
 * reachable from `owners`, and every one it freed was: the live count moves exactly as theirs.
 */
export function assertOwned<T>(owners: unknown, fn: () => T): T {
  const before = liveTensors() - countTensors(owners);
  const out = fn();
  const after = liveTensors() - countTensors(owners);
  if (after !== before) throw new Error(`tensor leak: ${after - before} tensor(s) alive that the graph and state do not hold`);
  return out;
}

/** The values of every tensor of a graph's layers, in order. */
export function weightsOf(g: CompGraph): number[][] {
  return fleaves(g.layers).filter((t): t is tf.Tensor => t instanceof tf.Tensor).map((t) => Array.from(t.dataSync()));
}

/** |observed − expected| within z standard deviations of a binomial(n, p) count. */
export function expectBinomial(count: number, n: number, p: number, z = 4.5): void {
  expect(Math.abs(count - n * p)).toBeLessThanOrEqual(z * Math.sqrt(n * p * (1 - p)) + 1e-9);
}
