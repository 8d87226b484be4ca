// Issue 13, as properties: random structural mismatches given to `loadModel` and to layers give a
// fluxion error (never a TypeError or a message from inside tfjs), change nothing and leak nothing.
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { tf } from "@fluxion/backend";
import { fmap } from "@fluxion/functors";
import { liveTensors, refusal } from "@fluxion/backend/testing";
import * as nn from "../src/index.js";
import { Layer } from "../src/core/layer.js";

const RUNS = 60;

/** Every tensor of a tree (arrays and plain objects), by path, as numbers or strings. */
function snapshot(x: unknown, path = "", out: Record<string, unknown[]> = {}): Record<string, unknown[]> {
  if (x instanceof tf.Tensor) out[path] = x.isDisposed ? ["disposed"] : Array.from(x.dataSync() as ArrayLike<unknown>);
  else if (x !== null && typeof x === "object") for (const [k, v] of Object.entries(x)) snapshot(v, `${path}.${k}`, out);
  return out;
}

// wasm has no complex numbers (a string tensor stands in there), nor a Fill kernel for strings.
const complexOk = (): boolean => tf.getKernel("Complex", tf.getBackend()) !== undefined;
const strings = (shape: number[]): tf.Tensor => tf.tensor(new Array(tf.util.sizeFromShape(shape)).fill("a"), shape, "string");

/** Runs `f`, which must throw fluxion's own Error and leave nothing behind; returns it. */
const fluxionError = refusal;

// ---------------------------------------------------------------- loadModel

type Mutation =
  | { kind: "extraKey"; at: number; value: "tensor" | "number" }
  | { kind: "missingKey"; at: number }
  | { kind: "wrongShape"; at: number; extra: number }
  | { kind: "wrongDtype"; at: number; dtype: "string" | "complex64" }
  | { kind: "disposed"; at: number }
  | { kind: "notATree"; value: "number" | "null" | "string" | "tensor" | "model" };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("extraKey" as const), at: fc.nat(), value: fc.constantFrom("tensor" as const, "number" as const) }),
  fc.record({ kind: fc.constant("missingKey" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("wrongShape" as const), at: fc.nat(), extra: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant("wrongDtype" as const), at: fc.nat(), dtype: fc.constantFrom("string" as const, "complex64" as const) }),
  fc.record({ kind: fc.constant("disposed" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("notATree" as const), value: fc.constantFrom("number" as const, "null" as const, "string" as const, "tensor" as const, "model" as const) }),
);

/** The plain nodes (objects and arrays) of a state tree, and the places of its tensors. */
function places(tree: unknown): { nodes: Record<string, unknown>[]; tensors: [Record<string, unknown>, string][] } {
  const nodes: Record<string, unknown>[] = [];
  const tensors: [Record<string, unknown>, string][] = [];
  const visit = (x: unknown): void => {
    if (x === null || typeof x !== "object" || x instanceof tf.Tensor) return;
    nodes.push(x as Record<string, unknown>);
    for (const [k, v] of Object.entries(x)) {
      if (v instanceof tf.Tensor) tensors.push([x as Record<string, unknown>, k]);
      else visit(v);
    }
  };
  visit(tree);
  return { nodes, tensors };
}

/** Applies `m` to a fresh source tree (copies of another model's tensors); returns the source. */
function mutate(tree: any, m: Mutation, model: unknown): unknown {
  const { nodes, tensors } = places(tree);
  switch (m.kind) {
    case "extraKey": {
      // A number under an empty slot (a function's `[]`) is a non-tensor value, ignored by design.
      // Into an object (arrays here are the frozen `[]` of functions); removals ran first.
      const objects = nodes.filter((n) => !Array.isArray(n));
      objects[m.at % objects.length]!.extra = m.value === "tensor" ? tf.zeros([2]) : 3;
      return tree;
    }
    case "missingKey": {
      const full = nodes.filter((n) => Object.keys(n).length > 0);
      if (full.length === 0) return tree; // everything is gone already
      const node = full[m.at % full.length]!;
      const keys = Object.keys(node);
      const k = keys[m.at % keys.length]!;
      tf.dispose(node[k] as tf.TensorContainer);
      if (Array.isArray(node)) node.splice(Number(k), 1);
      else delete node[k];
      return tree;
    }
    case "wrongShape": {
      if (tensors.length === 0) return tree;
      const [node, k] = tensors[m.at % tensors.length]!;
      const t = node[k] as tf.Tensor;
      node[k] = tf.zeros([...t.shape.slice(0, -1), (t.shape.at(-1) ?? 1) + m.extra]);
      t.dispose();
      return tree;
    }
    case "wrongDtype": {
      if (tensors.length === 0) return tree;
      const [node, k] = tensors[m.at % tensors.length]!;
      const t = node[k] as tf.Tensor;
      node[k] = m.dtype === "complex64" && complexOk() ? tf.tidy(() => tf.complex(tf.zeros(t.shape), tf.ones(t.shape))) : strings(t.shape);
      t.dispose();
      return tree;
    }
    case "disposed": {
      if (tensors.length === 0) return tree;
      const [node, k] = tensors[m.at % tensors.length]!;
      (node[k] as tf.Tensor).dispose();
      return tree;
    }
    case "notATree":
      tf.dispose(tree);
      return m.value === "number" ? 3 : m.value === "null" ? null : m.value === "string" ? "model.safetensors" : m.value === "tensor" ? tf.zeros([3]) : { model };
  }
}

const makeModel = (): nn.Chain => new nn.Chain({ enc: new nn.Dense([2, 3], nn.relu), norm: new nn.BatchNorm(3), out: new nn.Dense([3, 1]), act: nn.softmax });

describe("loadModel under random structural mismatches", () => {
  let model: nn.Chain;
  let donor: nn.Chain;
  beforeAll(() => {
    model = makeModel();
    donor = makeModel();
  });
  afterAll(() => nn.dispose([model, donor]));

  /** The donor's state with its own copies of every tensor (as a decoded file would have). */
  const freshSource = (): any => fmap((x) => (x instanceof tf.Tensor ? tf.clone(x) : x), nn.state(donor));

  test("a mismatched source or swapped arguments: a loadModel error, the model unchanged, no leak", () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.boolean(), (mutations, swapped) => {
        let src = freshSource();
        // Removals first, so that no later mutation undoes an earlier one.
        for (const m of [...mutations].sort((a, b) => Number(b.kind === "missingKey") - Number(a.kind === "missingKey"))) {
          src = mutate(src, m, model);
          if (m.kind === "notATree") break; // the rest would have nothing to mutate
        }
        const before = snapshot(nn.state(model));
        // Swapped: the source tree (plain tensors) as the destination, the model as the source.
        const err = fluxionError(() => (swapped ? nn.loadModel(src as any, model) : nn.loadModel(model, src)));
        expect(err.message).toMatch(/^loadModel/);
        expect(snapshot(nn.state(model))).toEqual(before);
        tf.dispose(src as tf.TensorContainer);
      }),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------- applying layers

type Input =
  | { kind: "disposed" }
  | { kind: "string" }
  | { kind: "complex" }
  | { kind: "notATensor"; value: "number" | "null" | "object" | "string" | "layer" }
  | { kind: "shape"; shape: number[] };

const input: fc.Arbitrary<Input> = fc.oneof(
  fc.constant({ kind: "disposed" as const }),
  fc.constant({ kind: "string" as const }),
  fc.constant({ kind: "complex" as const }),
  fc.record({ kind: fc.constant("notATensor" as const), value: fc.constantFrom("number" as const, "null" as const, "object" as const, "string" as const, "layer" as const) }),
  fc.record({ kind: fc.constant("shape" as const), shape: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 5 }) }),
);

/** Each layer with the shape of a valid input, which a disposed or foreign-dtype input copies. */
const LAYERS: [string, () => Layer, number[]][] = [
  ["Dense", () => new nn.Dense([3, 2], nn.relu), [2, 3]],
  ["Chain", () => new nn.Chain(new nn.Dense([3, 4], nn.relu), new nn.LayerNorm(4), new nn.Dense([4, 2])), [2, 3]],
  ["Conv", () => new nn.Conv([2, 2], [2, 3], nn.relu, { pad: 1 }), [1, 4, 4, 2]],
  ["BatchNorm", () => new nn.BatchNorm(2), [3, 2]],
  ["LSTM", () => new nn.LSTM([3, 2]), [1, 4, 3]],
  ["Bilinear", () => new nn.Bilinear([3, 2]), [2, 3]],
  ["MaxPool", () => new nn.MaxPool([2, 2]), [1, 4, 4, 2]],
  ["MultiHeadAttention", () => new nn.MultiHeadAttention(4, { nheads: 2 }), [1, 3, 4]],
  ["SkipConnection", () => new nn.SkipConnection(new nn.Dense([3, 3]), nn.plus), [2, 3]],
  ["Upsample", () => new nn.Upsample("nearest", { scale: 2 }), [1, 2, 2, 1]],
];

function makeInput(i: Input, valid: number[], layer: Layer): unknown {
  switch (i.kind) {
    case "disposed": {
      const t = tf.ones(valid);
      t.dispose();
      return t;
    }
    case "string":
      return strings(valid);
    case "complex":
      return complexOk() ? tf.tidy(() => tf.complex(tf.ones(valid), tf.zeros(valid))) : strings(valid);
    case "notATensor":
      return i.value === "number" ? 3 : i.value === "null" ? null : i.value === "object" ? { x: 1 } : i.value === "string" ? "x" : layer;
    case "shape":
      return tf.ones(i.shape);
  }
}

describe("applying layers to random wrong inputs", () => {
  const layers = new Map<string, Layer>();
  beforeAll(() => {
    for (const [name, make] of LAYERS) layers.set(name, make());
  });
  afterAll(() => nn.dispose([...layers.values()]));

  test("a layer error naming the layer (or a right result), the layer unchanged, no leak", () => {
    fc.assert(
      fc.property(fc.constantFrom(...LAYERS.map(([n]) => n)), input, (name, i) => {
        const layer = layers.get(name)!;
        const valid = LAYERS.find(([n]) => n === name)![2];
        const x = makeInput(i, valid, layer);
        const before = snapshot(nn.state(layer));
        const live = liveTensors();
        let err: unknown = null;
        try {
          tf.dispose(layer.apply(x) as tf.TensorContainer);
        } catch (e) {
          err = e;
        }
        expect(liveTensors()).toBe(live);
        if (x instanceof tf.Tensor) x.dispose();
        expect(snapshot(nn.state(layer))).toEqual(before);
        if (i.kind === "shape" && err === null) return; // a shape that happens to fit
        expect(err).toBeInstanceOf(Error);
        expect((err as Error).constructor).toBe(Error);
        // The message names this layer or one inside it (its one-line form).
        const names = [layer, ...nn.modules(layer)].filter((l): l is Layer => l instanceof Layer).map((l) => l.repr());
        expect(names.some((n) => (err as Error).message.includes(n))).toBe(true);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  test("a model used after dispose(model): an error naming a parameter, never a TypeError", () => {
    fc.assert(
      fc.property(fc.constantFrom(...LAYERS.map(([n]) => n).filter((n) => !["MaxPool", "Upsample"].includes(n))), (name) => {
        const [, make, valid] = LAYERS.find(([n]) => n === name)!;
        const layer = make();
        nn.dispose(layer);
        const x = tf.ones(valid);
        expect(fluxionError(() => layer.apply(x)).message).toMatch(/: parameter \w+ is disposed \(was the model disposed\?\)$/);
        x.dispose();
      }),
      { numRuns: 20 },
    );
  });
});
