// Issue 13, as properties: random structural mismatches given to update, updateInPlace, adjust,
// freeze, re (destructure) and loadState give a fluxion Error naming the function (never a
// TypeError from inside tfjs), change nothing and leak nothing.
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { tf } from "@fluxion/backend";
import { Adam, Momentum, adjust, adjustInPlace, destructure, freeze, loadState, saveState, setup, thaw, update, updateInPlace, type StateTree } from "@fluxion/optimisers";
import { Lin, complexOk, expectRefused, snapshot } from "./error-helpers.js";
import { disposeTree } from "./helpers.js";

const RUNS = 60;

type Model = { layers: Lin[] };
const makeModel = (): Model => ({ layers: [Lin.make(3, 2), Lin.make(2, 1)] });
const disposeModel = (m: Model): void => tf.dispose(m.layers.flatMap((l) => [l.weight, l.bias]));
const gradOf = (m: Model): any => ({ layers: m.layers.map((l) => ({ weight: tf.onesLike(l.weight), bias: tf.onesLike(l.bias), act: null })) });
const strings = (shape: number[]): tf.Tensor => tf.tensor(new Array(tf.util.sizeFromShape(shape)).fill("a"), shape, "string");
const wrongDtype = (t: tf.Tensor, dtype: "string" | "int32" | "bool" | "complex64"): tf.Tensor =>
  dtype === "string" || (dtype === "complex64" && !complexOk())
    ? strings(t.shape)
    : dtype === "complex64"
      ? tf.tidy(() => tf.complex(tf.zerosLike(t), tf.onesLike(t)))
      : tf.zeros(t.shape, dtype);

/** A place in a tree holding a tensor: [node, key]. */
type Slot = [Record<string, any>, string];
const gradSlots = (g: any): Slot[] => g.layers.flatMap((l: any) => [[l, "weight"], [l, "bias"]] as Slot[]);

// ---------------------------------------------------------------- update / updateInPlace

type Mismatch =
  | { in: "grad"; kind: "extraKey" | "wrongShape" | "disposed" | "notATree" | "wrapped"; at: number }
  | { in: "grad"; kind: "wrongDtype"; at: number; dtype: "string" | "int32" | "bool" | "complex64" }
  | { in: "state"; kind: "missingKey" | "wrongShape" | "disposed" | "wrongDtype"; at: number }
  | { in: "model"; kind: "wrongShape" | "disposed"; at: number }
  | { in: "args"; kind: "swapTreeModel" | "swapModelGrad" | "noGrad" | "ruleAsTree" };

const at = fc.nat({ max: 3 });
const mismatch: fc.Arbitrary<Mismatch> = fc.oneof(
  fc.record({ in: fc.constant("grad" as const), kind: fc.constantFrom("extraKey" as const, "wrongShape" as const, "disposed" as const, "notATree" as const, "wrapped" as const), at }),
  fc.record({ in: fc.constant("grad" as const), kind: fc.constant("wrongDtype" as const), at, dtype: fc.constantFrom("string" as const, "int32" as const, "bool" as const, "complex64" as const) }),
  fc.record({ in: fc.constant("state" as const), kind: fc.constantFrom("missingKey" as const, "wrongShape" as const, "disposed" as const, "wrongDtype" as const), at }),
  fc.record({ in: fc.constant("model" as const), kind: fc.constantFrom("wrongShape" as const, "disposed" as const), at }),
  fc.record({ in: fc.constant("args" as const), kind: fc.constantFrom("swapTreeModel" as const, "swapModelGrad" as const, "noGrad" as const, "ruleAsTree" as const) }),
);

/** The arguments to pass, after applying `m` to copies (the originals are not touched). */
function mutated(m: Mismatch, tree: StateTree, model: Model, g: any, made: tf.Tensor[]): [unknown, unknown, unknown] {
  const keep = <T extends tf.Tensor>(t: T): T => (made.push(t), t);
  const slot = (slots: Slot[], i: number): Slot => slots[i % slots.length]!;
  const t2 = { layers: (tree as any).layers.map((l: any) => ({ ...l })) };
  const m2 = { layers: model.layers.map((l) => new Lin(l.weight, l.bias, l.act)) };
  const g2 = { layers: g.layers.map((l: any) => ({ ...l })) };
  switch (m.in) {
    case "grad": {
      const [node, k] = slot(gradSlots(g2), m.at);
      if (m.kind === "extraKey") node[`${k}2`] = node[k];
      if (m.kind === "wrongShape") node[k] = keep(tf.zeros([...node[k].shape, 1]));
      if (m.kind === "disposed") (node[k] = keep(tf.clone(node[k]))).dispose();
      if (m.kind === "wrongDtype") node[k] = keep(wrongDtype(node[k], m.dtype));
      if (m.kind === "notATree") return [t2, m2, m.at % 2 === 0 ? 3 : "grad"];
      if (m.kind === "wrapped") return [t2, m2, [g2]];
      return [t2, m2, g2];
    }
    case "state": {
      const layer = t2.layers[m.at % 2];
      const k = m.at % 4 < 2 ? "weight" : "bias";
      if (m.kind === "missingKey") delete layer[k];
      else {
        const leaf = layer[k];
        const [mom, v, powers] = leaf.state;
        const bad =
          m.kind === "wrongShape" ? tf.zeros([...mom.shape, 2]) : m.kind === "wrongDtype" ? wrongDtype(mom, "int32") : tf.zerosLike(mom);
        keep(bad);
        if (m.kind === "disposed") bad.dispose();
        // A copy of the Leaf, so the original tree keeps its state.
        layer[k] = Object.assign(Object.create(Object.getPrototypeOf(leaf)), leaf, { state: [bad, v, powers] });
      }
      return [t2, m2, g2];
    }
    case "model": {
      const layer = m2.layers[m.at % 2]!;
      const k = m.at % 4 < 2 ? "weight" : "bias";
      layer[k] = keep(m.kind === "wrongShape" ? tf.zeros([...layer[k].shape, 2]) : tf.clone(layer[k]));
      if (m.kind === "disposed") layer[k].dispose();
      return [t2, m2, g2];
    }
    case "args":
      if (m.kind === "swapTreeModel") return [m2, t2, g2];
      if (m.kind === "swapModelGrad") return [t2, g2, m2];
      if (m.kind === "noGrad") return [t2, m2, undefined];
      return [new Adam(), m2, g2];
  }
}

describe("update and updateInPlace under random mismatches", () => {
  let model: Model;
  let tree: StateTree;
  let g: any;
  beforeAll(() => {
    model = makeModel();
    tree = setup(new Adam(), model);
    g = gradOf(model);
    updateInPlace(tree, model, g); // a step taken, so the state is not all zeros
  });
  afterAll(() => {
    disposeTree(tree);
    disposeModel(model);
    tf.dispose(gradSlots(g).map(([n, k]) => n[k]));
  });

  test("a fluxion error naming the function, the model and the state unchanged, no leak", () => {
    fc.assert(
      fc.property(mismatch, fc.boolean(), (m, inPlace) => {
        const made: tf.Tensor[] = [];
        const before = snapshot([tree, model, g]);
        const fn = inPlace ? "updateInPlace" : "update";
        const [t, mm, gg] = mutated(m, tree, model, g, made);
        const err = expectRefused(() => (inPlace ? updateInPlace : update)(t as StateTree, mm, gg), fn);
        expect(err.message.startsWith(fn)).toBe(true);
        expect(snapshot([tree, model, g])).toEqual(before);
        tf.dispose(made);
      }),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------- adjust, freeze

type TreeMisuse = { kind: "model" | "layer" | "tensorInTree" | "numberInTree" | "badValue"; at: number };
const misuse: fc.Arbitrary<TreeMisuse> = fc.record({ kind: fc.constantFrom("model" as const, "layer" as const, "tensorInTree" as const, "numberInTree" as const, "badValue" as const), at });

describe("adjust, adjustInPlace, freeze and thaw under random misuse", () => {
  test("a fluxion error naming the function, nothing changed, no leak", () => {
    const model = makeModel();
    const tree = setup(new Momentum(), model);
    const calls: [string, (t: any) => unknown, (t: any) => unknown][] = [
      ["adjust", (t) => adjust(t, { rho: 0.5 }), (t) => adjust(t, { rho: 1.5 })],
      ["adjustInPlace", (t) => adjustInPlace(t, 0.1), (t) => adjustInPlace(t, -0.1)],
      ["freeze", (t) => freeze(t), null as never],
      ["thaw", (t) => thaw(t), null as never],
    ];
    fc.assert(
      fc.property(misuse, fc.nat({ max: calls.length - 1 }), (u, i) => {
        const [fn, call, callBad] = calls[i]!;
        const before = snapshot([tree, model]);
        const extra = tf.zeros([2]);
        const arg =
          u.kind === "model" ? model
          : u.kind === "layer" ? model.layers[u.at % 2]
          : u.kind === "tensorInTree" ? { ...(tree as object), extra }
          : u.kind === "numberInTree" ? { layers: [(tree as any).layers[0], 3] }
          : tree;
        if (u.kind === "badValue" && callBad) expectRefused(() => callBad(arg), fn === "adjust" ? "Momentum: rho must be in [0, 1), got 1.5" : "the learning rate eta cannot be negative");
        else if (u.kind !== "badValue") expectRefused(() => call(arg), `${fn} must not be applied to a model, only to the state tree from setup`);
        expect(snapshot([tree, model])).toEqual(before);
        extra.dispose();
      }),
      { numRuns: RUNS },
    );
    disposeTree(tree);
    disposeModel(model);
  });
});

// ---------------------------------------------------------------- re (destructure)

type Vector = { kind: "length" | "rank" | "string" | "complex" | "disposed" | "number" | "array" | "null"; by: number };
const vector: fc.Arbitrary<Vector> = fc.record({
  kind: fc.constantFrom("length" as const, "rank" as const, "string" as const, "complex" as const, "disposed" as const, "number" as const, "array" as const, "null" as const),
  by: fc.integer({ min: 1, max: 3 }),
});

describe("re under random vectors", () => {
  test("a Restructure error, the model unchanged, no leak", () => {
    const model = makeModel();
    const [flat, re] = destructure(model);
    const n = re.length;
    fc.assert(
      fc.property(vector, (v) => {
        const before = snapshot(model);
        const made: tf.Tensor[] = [];
        const keep = (t: tf.Tensor): tf.Tensor => (made.push(t), t);
        const arg =
          v.kind === "length" ? keep(tf.zeros([n + v.by]))
          : v.kind === "rank" ? keep(tf.zeros([n, v.by]))
          : v.kind === "string" ? keep(strings([n]))
          : v.kind === "complex" ? keep(wrongDtype(flat, "complex64"))
          : v.kind === "disposed" ? keep(tf.zeros([n]))
          : v.kind === "number" ? 3
          : v.kind === "array" ? new Array(n).fill(0)
          : null;
        if (v.kind === "disposed") (arg as tf.Tensor).dispose();
        expectRefused(() => re(arg as tf.Tensor), "Restructure");
        expect(snapshot(model)).toEqual(before);
        tf.dispose(made);
      }),
      { numRuns: RUNS },
    );
    flat.dispose();
    disposeModel(model);
  });
});

// ---------------------------------------------------------------- loadState

type ModelChange = { kind: "wrongShape" | "missingLayer" | "extraLayer" | "notTrainable" | "swapped" | "wrongDtype"; at: number };
const modelChange: fc.Arbitrary<ModelChange> = fc.record({
  kind: fc.constantFrom("wrongShape" as const, "missingLayer" as const, "extraLayer" as const, "notTrainable" as const, "swapped" as const, "wrongDtype" as const),
  at,
});

describe("loadState with a model that does not fit", () => {
  test("a loadState error naming the path, no tensor left behind", () => {
    const model = makeModel();
    const tree = setup(new Adam(), model);
    const bytes = saveState(tree);
    fc.assert(
      fc.property(modelChange, (c) => {
        const made: tf.Tensor[] = [];
        const keep = (t: tf.Tensor): tf.Tensor => (made.push(t), t);
        const layers = model.layers.map((l) => new Lin(l.weight, l.bias, l.act));
        const layer = layers[c.at % 2]!;
        const k = c.at % 4 < 2 ? "weight" : "bias";
        let other: unknown = { layers };
        if (c.kind === "wrongShape") layer[k] = keep(tf.zeros([...layer[k].shape, 2]));
        if (c.kind === "wrongDtype") layer[k] = keep(wrongDtype(layer[k], "int32"));
        if (c.kind === "missingLayer") other = { layers: layers.slice(0, 1) };
        if (c.kind === "extraLayer") other = { layers: [...layers, layers[0]] };
        if (c.kind === "notTrainable") layer[k] = 1 as never;
        if (c.kind === "swapped") other = tree;
        const before = snapshot([tree, model]);
        const err = expectRefused(() => loadState(bytes, other), "loadState: ");
        expect(err.message.startsWith("loadState: ")).toBe(true);
        expect(snapshot([tree, model])).toEqual(before);
        tf.dispose(made);
      }),
      { numRuns: RUNS },
    );
    disposeTree(tree);
    disposeModel(model);
  });
});
