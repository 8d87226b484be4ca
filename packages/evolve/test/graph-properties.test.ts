// Issue 14, as properties: random graphs (vector and image inputs, Dense, Conv, add and concat
// merges, norms, dropout, activations, pooling and flatten) under random sequences of operations.
// After each: checkGraph passes; a refusal is a plain Error (never a TypeError) and leaves the
// graph, its weights and the Adam state exactly as they were; growth and insertion keep the
// outputs; the state still fits the model (updateInPlace works); tensors are all accounted for.
import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { tf } from "@fluxion/backend";
import { fleaves } from "@fluxion/functors";
import { countTensors, liveTensors } from "@fluxion/backend/testing";
import { Adam, Leaf, setup, updateInPlace } from "@fluxion/optimisers";
import {
  BatchNorm,
  Conv,
  Dense,
  Dropout,
  GlobalMeanPool,
  LayerNorm,
  MaxPool,
  dispose,
  flatten,
  gradient,
  identity,
  identityInit,
  relu,
  sigmoid,
  tanh,
} from "@fluxion/nn";
import { CompGraph, SizeError, addVertex, checkGraph, concatVertex, featureSizes, inputVertex, vertex, vertexShapes, type VertexHandle } from "../src/index.js";
import { addEdge, checkApply, insertAfter, removeEdge, removeIfSingleInput, removeVertex, resize, setActivation } from "../src/index.js";
import { copied, expectClose } from "./helpers.js";

// FC_RUNS / FC_SEED widen a local search for bugs; the suite runs a fixed, quick sample.
const RUNS = Number(process.env.FC_RUNS ?? 100);
const SEED = Number(process.env.FC_SEED ?? 14);
const BATCH = 3;
const ACTS = [identity, relu, tanh, sigmoid];

/** A deterministic stream of numbers in [-0.5, 0.5) (an LCG), so a case rebuilds the same graph. */
function numbers(seed: number): (n: number) => number[] {
  let s = seed >>> 0 || 1;
  return (n) =>
    Array.from({ length: n }, () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 2 ** 32 - 0.5;
    });
}

// ---------------------------------------------------------------- random graphs

type StepKind = "dense" | "add" | "add3" | "concat" | "bn" | "ln" | "dropout" | "act";
interface Step {
  kind: StepKind;
  a: number;
  b: number;
  c: number;
  size: number;
  act: number;
  cleanup: boolean;
}
interface Recipe {
  inputs: number[];
  image: null | { dims: 1 | 2; c: number; k: number; pool: "flatten" | "global" | "max" };
  steps: Step[];
  seed: number;
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  kind: fc.constantFrom<StepKind>("dense", "dense", "add", "add3", "concat", "bn", "ln", "dropout", "act"),
  a: fc.nat(),
  b: fc.nat(),
  c: fc.nat(),
  size: fc.integer({ min: 1, max: 5 }),
  act: fc.nat({ max: ACTS.length - 1 }),
  cleanup: fc.boolean(),
});
const recipe: fc.Arbitrary<Recipe> = fc.record({
  inputs: fc.array(fc.integer({ min: 2, max: 5 }), { minLength: 1, maxLength: 2 }),
  image: fc.option(fc.record({ dims: fc.constantFrom<1 | 2>(1, 2), c: fc.integer({ min: 1, max: 3 }), k: fc.integer({ min: 1, max: 3 }), pool: fc.constantFrom<"flatten" | "global" | "max">("flatten", "global", "max") }), { freq: 3 }),
  steps: fc.array(stepArb, { minLength: 1, maxLength: 6 }),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
});

/** The graph a recipe describes, and one batch of inputs for it. */
function build(r: Recipe): { g: CompGraph; xs: tf.Tensor[] } {
  const rand = numbers(r.seed);
  const dense = (nin: number, nout: number, sigma = identity): Dense => copied([tf.tensor2d(rand(nin * nout), [nin, nout]), tf.tensor1d(rand(nout))], ([w, b]) => new Dense(w!, b!, sigma));
  const pool: { h: VertexHandle; n: number }[] = [];
  const used = new Set<string>();
  const inputs: VertexHandle[] = [];
  const xs: tf.Tensor[] = [];
  r.inputs.forEach((n, i) => {
    const h = inputVertex(`x${i}`, n);
    inputs.push(h);
    pool.push({ h, n });
    xs.push(tf.tensor2d(rand(BATCH * n), [BATCH, n]));
  });
  if (r.image) {
    const { dims, c, k, pool: how } = r.image;
    const spatial = dims === 2 ? [4, 4] : [6];
    const img = inputVertex("img", [...spatial, c]);
    inputs.push(img);
    xs.push(tf.tensor(rand(BATCH * spatial.reduce((a, b) => a * b, 1) * c), [BATCH, ...spatial, c]));
    const filter = dims === 2 ? [3, 3] : [3];
    const w = tf.tensor(rand(filter.reduce((a, b) => a * b, 1) * c * k), [...filter, c, k]);
    let h = vertex("conv", copied([w, tf.tensor1d(rand(k))], ([w, b]) => new Conv(w!, b!, relu, { pad: 1 })), img);
    let positions = spatial.reduce((a, b) => a * b, 1);
    if (how === "global") {
      h = vertex("gpool", new GlobalMeanPool(), h);
      positions = 1;
    } else if (how === "max") {
      h = vertex("mpool", new MaxPool(dims === 2 ? [2, 2] : [2]), h);
      positions /= dims === 2 ? 4 : 2;
    }
    pool.push({ h: vertex("flat", flatten, h), n: positions * k });
  }
  const pick = (i: number) => pool[i % pool.length]!;
  r.steps.forEach((s, i) => {
    const a = pick(s.a);
    const trait = s.cleanup ? { trait: removeIfSingleInput() } : {};
    const read = (h: VertexHandle) => used.add(h.name) && h;
    let made: { h: VertexHandle; n: number };
    if (s.kind === "dense") made = { h: vertex(`d${i}`, dense(a.n, s.size, ACTS[s.act]), read(a.h)), n: s.size };
    else if (s.kind === "add" || s.kind === "add3") {
      const others = (s.kind === "add" ? [s.b] : [s.b, s.c]).map((j, o) => vertex(`p${i}_${o}`, dense(pick(j).n, a.n), read(pick(j).h)));
      made = { h: addVertex(`add${i}`, read(a.h), ...others, trait), n: a.n };
    } else if (s.kind === "concat") made = { h: concatVertex(`cat${i}`, read(a.h), read(pick(s.b).h), trait), n: a.n + pick(s.b).n };
    else if (s.kind === "bn") made = { h: vertex(`bn${i}`, new BatchNorm(a.n), read(a.h)), n: a.n };
    // LayerNorm over one feature has σ = 0, where √'s gradient is infinite: NaN weights after a step.
    else if (s.kind === "ln" && a.n > 1) made = { h: vertex(`ln${i}`, new LayerNorm(a.n), read(a.h)), n: a.n };
    else if (s.kind === "dropout") made = { h: vertex(`drop${i}`, new Dropout(0.3), read(a.h)), n: a.n };
    else made = { h: vertex(`act${i}`, ACTS[s.act]!, read(a.h)), n: a.n };
    pool.push(made);
  });
  // Everything not read yet feeds the output, so every input reaches it.
  const loose = pool.filter((p) => !used.has(p.h.name));
  const last = loose.length === 1 ? loose[0]! : { h: concatVertex("tail", ...loose.map((p) => p.h)), n: loose.reduce((s, p) => s + p.n, 0) };
  return { g: new CompGraph(inputs, vertex("out", dense(last.n, 2), last.h)), xs };
}

// ---------------------------------------------------------------- random operations

type Op =
  | { op: "resize"; v: number; delta: number; w: number; delta2: number; two: boolean }
  | { op: "insert"; v: number }
  | { op: "remove"; v: number }
  | { op: "addEdge"; to: number; from: number }
  | { op: "removeEdge"; to: number; slot: number }
  | { op: "setActivation"; v: number; act: number }
  | { op: "checkApply" };

const delta = fc.integer({ min: -3, max: 3 }).filter((d) => d !== 0);
const operation: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant("resize" as const), v: fc.nat(), delta, w: fc.nat(), delta2: delta, two: fc.boolean() }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant("insert" as const), v: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("remove" as const), v: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("addEdge" as const), to: fc.nat(), from: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("removeEdge" as const), to: fc.nat(), slot: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("setActivation" as const), v: fc.nat(), act: fc.nat({ max: ACTS.length - 1 }) }), weight: 1 },
  { arbitrary: fc.constant({ op: "checkApply" as const }), weight: 1 },
);

let inserted = 0;
const stats: Record<string, number> = {};

/**
 * Applies `o` to the graph; returns whether the result must compute the same function. A layer it
 * makes goes into `made` (the caller's to free if the operation is refused).
 */
function apply(g: CompGraph, o: Op, state: unknown, made: unknown[]): boolean {
  const names = g.names();
  const at = (i: number) => names[i % names.length]!;
  const merges = g.spec.vertices.filter((v) => v.op === "add" || v.op === "concat");
  const options = { state };
  switch (o.op) {
    case "resize": {
      const changes = o.two && at(o.w) !== at(o.v) ? { [at(o.v)]: o.delta, [at(o.w)]: o.delta2 } : { [at(o.v)]: o.delta };
      const before = featureSizes(g);
      resize(g, changes, options);
      // Positive changes may still shrink a class (a concatenation grown by 1 where a part grows by 2).
      return [...featureSizes(g)].every(([n, size]) => size >= before.get(n)!);
    }
    case "insert": {
      const after = at(o.v);
      const shape = vertexShapes(g).get(after)!;
      const n = shape.at(-1)!;
      const layer = shape.length === 2 ? new Dense([n, n], identity, { init: identityInit }) : new Conv(shape.length === 4 ? [1, 1] : [1], [n, n], identity, { init: identityInit });
      made.push(layer);
      insertAfter(g, after, `ins${inserted++}`, layer, options);
      return true;
    }
    case "remove":
      removeVertex(g, at(o.v), options);
      return false;
    case "addEdge":
      if (merges.length > 0) addEdge(g, at(o.from), merges[o.to % merges.length]!.name, options);
      return false;
    case "removeEdge": {
      if (merges.length === 0) return false;
      const to = merges[o.to % merges.length]!;
      removeEdge(g, to.inputs[o.slot % to.inputs.length]!, to.name, options);
      return false;
    }
    case "setActivation":
      setActivation(g, at(o.v), ACTS[o.act]!, options);
      return false;
    case "checkApply":
      checkApply(g, options);
      return false;
  }
}

// ---------------------------------------------------------------- what must hold

/** The weights of a model or state tree as numbers, by path (identity of objects checked apart). */
function numbersOf(x: unknown, path = "", out: Record<string, number[]> = {}, seen = new Set<unknown>()): Record<string, number[]> {
  if (x instanceof tf.Tensor) out[path] = x.isDisposed ? [NaN] : Array.from(x.dataSync());
  else if (x !== null && typeof x === "object" && !seen.has(x)) {
    seen.add(x);
    for (const [k, v] of Object.entries(x)) numbersOf(v, `${path}.${k}`, out, seen);
  }
  return out;
}

/** Every Leaf of a state tree with the state object it holds. */
function leaves(x: unknown, out: [Leaf, unknown][] = []): [Leaf, unknown][] {
  if (x instanceof Leaf) out.push([x, x.state]);
  else if (x !== null && typeof x === "object") Object.values(x).forEach((v) => leaves(v, out));
  return out;
}

/** Everything a refused operation must leave as it was. */
function snapshot(g: CompGraph, state: { layers: Record<string, unknown> }) {
  return { spec: g.spec, layers: g.layers, entries: { ...g.layers }, weights: numbersOf(g.layers), stateLayers: state.layers, stateEntries: { ...state.layers }, leaves: leaves(state), moments: numbersOf(state) };
}

function expectUnchanged(g: CompGraph, state: { layers: Record<string, unknown> }, before: ReturnType<typeof snapshot>): void {
  expect(g.spec).toBe(before.spec);
  expect(g.layers).toBe(before.layers);
  expect(Object.keys(g.layers)).toEqual(Object.keys(before.entries));
  for (const [k, l] of Object.entries(before.entries)) expect(g.layers[k]).toBe(l);
  expect(numbersOf(g.layers)).toEqual(before.weights);
  expect(state.layers).toBe(before.stateLayers);
  for (const [k, s] of Object.entries(before.stateEntries)) expect(state.layers[k]).toBe(s);
  for (const [leaf, s] of before.leaves) expect(leaf.state).toBe(s);
  expect(numbersOf(state)).toEqual(before.moments);
}

/** The state tree has the graph's vertices, and each Leaf's tensors the shape of its parameter. */
function expectStateFits(g: CompGraph, state: { layers: Record<string, unknown> }): void {
  expect(Object.keys(state.layers)).toEqual(Object.keys(g.layers));
  const walk = (s: unknown, model: unknown, path: string): void => {
    if (s instanceof Leaf) {
      expect(model).toBeInstanceOf(tf.Tensor);
      for (const t of Object.values(s.state as object)) if (t instanceof tf.Tensor) expect([path, t.shape]).toEqual([path, (model as tf.Tensor).shape]);
    } else if (s !== null && typeof s === "object") for (const [k, v] of Object.entries(s)) walk(v, (model as Record<string, unknown>)[k], `${path}.${k}`);
  };
  for (const k of Object.keys(g.layers)) walk(state.layers[k], g.layers[k], k);
}

const finite = (t: tf.Tensor): boolean => Array.from(t.dataSync()).every(Number.isFinite);
const outputOf = (g: CompGraph, xs: tf.Tensor[]): tf.Tensor => g.apply(...xs) as tf.Tensor;

/** One Adam step on the sum of the outputs: the state must still fit the model. */
function trainStep(g: CompGraph, state: unknown, xs: tf.Tensor[]): void {
  const [grad] = gradient((m: CompGraph) => tf.sum(m.apply(...xs) as tf.Tensor), g);
  try {
    updateInPlace(state as never, g, grad);
  } finally {
    tf.dispose(fleaves(grad).filter((t): t is tf.Tensor => t instanceof tf.Tensor));
  }
}

/** Feature sizes of the LayerNorm vertices: a LayerNorm that grows normalises over more features. */
function layerNormSizes(g: CompGraph): string {
  const sizes = featureSizes(g);
  return g.names().filter((n) => g.layers[n] instanceof LayerNorm).map((n) => `${n}:${sizes.get(n)}`).join(",");
}

function run(r: Recipe, ops: Op[]): void {
  const start = liveTensors();
  const { g, xs } = build(r);
  const state = setup(new Adam(0.001), g) as unknown as { layers: Record<string, unknown> };
  checkGraph(g);
  const owned = () => start + xs.length + countTensors({ layers: g.layers, state });
  expect(liveTensors()).toBe(owned());
  try {
    for (const [i, o] of ops.entries()) {
      const where = `operation ${i} ${JSON.stringify(o)} on ${g.spec.vertices.map((v) => `${v.name}(${v.inputs.join(",")})`).join(" ")}`;
      try {
        step(g, state, xs, o, owned);
      } catch (err) {
        if (err instanceof Error) err.message = `${where}: ${err.message}`;
        throw err;
      }
    }
  } finally {
    tf.dispose(xs);
    dispose([g, state]);
  }
  expect(liveTensors()).toBe(start);
}

/** One operation and the checks after it. */
function step(g: CompGraph, state: { layers: Record<string, unknown> }, xs: tf.Tensor[], o: Op, owned: () => number): void {
  const before = snapshot(g, state);
  const y0 = outputOf(g, xs);
  const ln0 = layerNormSizes(g);
  const count = liveTensors();
  const made: unknown[] = [];
  let keeps = false;
  let error: unknown = null;
  try {
    keeps = apply(g, o, state, made);
  } catch (err) {
    error = err;
  }
  if (process.env.FC_STATS) {
    const key = `${o.op} ${error === null ? "ok" : `refused: ${(error as Error).message.slice(0, 60)}`}`;
    stats[key] = (stats[key] ?? 0) + 1;
  }
  if (error !== null) {
    dispose(made); // a refused insertion leaves its layer to the caller
    if (!(error instanceof Error) || (error.constructor !== Error && !(error instanceof SizeError))) throw error; // a TypeError is a bug
    expectUnchanged(g, state, before);
    expect(liveTensors()).toBe(count);
  } else {
    checkGraph(g);
    expect(liveTensors()).toBe(owned() + 1); // + y0
    const out = g.spec.outputs[0]!;
    const outputGrew = vertexShapes(g).get(out)!.at(-1) !== y0.shape.at(-1);
    if (keeps && layerNormSizes(g) === ln0 && finite(y0) && (!outputGrew || g.layers[out] instanceof Dense)) {
      // A grown Dense output gives more features after the old ones, which must be as they were
      // (a grown merge output interleaves them: not compared).
      const y = tf.tidy(() => tf.slice(outputOf(g, xs), [0, 0], y0.shape));
      expectClose(y, y0, 1e-5);
      y.dispose();
    }
    expectStateFits(g, state);
  }
  y0.dispose();
  trainStep(g, state, xs);
  expect(liveTensors()).toBe(owned());
}

describe("graph operations on random graphs", () => {
  test("keep the graph valid, change nothing when refused, keep the function when growing, keep the state fitting, leak nothing", () => {
    fc.assert(
      fc.property(recipe, fc.array(operation, { minLength: 1, maxLength: 8 }), (r, ops) => run(r, ops)),
      { numRuns: RUNS, seed: SEED, endOnFailure: !process.env.FC_SHRINK },
    );
    if (process.env.FC_STATS) console.log(Object.entries(stats).sort().map(([k, v]) => `${v}\t${k}`).join("\n"));
  });
});
