// Saving and loading state trees: saveState/loadState, the file helpers, and bad input.
import { describe, expect, test } from "@jest/globals";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { tf } from "@fluxion/backend";
import { Leaf, NO_STATE, type StateTree } from "../src/leaf.js";
import { Rule, defineRule } from "../src/rule.js";
import { setup } from "../src/setup.js";
import { updateInPlace } from "../src/update.js";
import { freeze } from "../src/freeze.js";
import { forEachLeaf, stateTensors } from "../src/state-tensors.js";
import { exponentialDecay, joinSchedules, linearWarmup, stepDecay } from "../src/schedules.js";
import { BUILTIN_RULES } from "../src/builtin-rules.js";
import { registerRule, registeredRule, ruleClassName } from "../src/rule-registry.js";
import { STATE_MAGIC, loadState, saveState } from "../src/serialise.js";
import { loadStateFile, saveStateFile } from "../src/state-file.js";
import { Adam } from "../src/rules/adam.js";
import { Momentum } from "../src/rules/momentum.js";
import { Descent } from "../src/rules/descent.js";
import { OptimiserChain } from "../src/rules/optimiser-chain.js";
import { AccumGrad } from "../src/rules/accum-grad.js";
import { RMSProp } from "../src/rules/rms-prop.js";
import { disposeTree } from "./helpers.js";

// ---- helpers ----

interface Model {
  layer: { w: tf.Variable; b: tf.Variable; wAgain: tf.Variable };
  act: (x: number) => number;
  extra: Map<unknown, unknown>;
  sched: { s: tf.Variable };
  still: { f: tf.Variable };
}

/** A model with a tied tensor, a function (NO_STATE), a Map, and parts for differing rules. */
function makeModel(from?: Model): Model {
  const v = (shape: number[], seed: number, src?: tf.Variable) =>
    tf.tidy(() => tf.variable(src ? src.clone() : tf.randomNormal(shape, 0, 1, "float32", seed)));
  const w = v([2, 3], 1, from?.layer.w);
  return {
    layer: { w, b: v([3], 2, from?.layer.b), wAgain: w },
    act: Math.tanh,
    extra: new Map<unknown, unknown>([
      ["v", v([4], 3, from?.extra.get("v") as tf.Variable)],
      [7, v([2], 4, from?.extra.get(7) as tf.Variable)],
    ]),
    sched: { s: v([3], 5, from?.sched.s) },
    still: { f: v([2], 6, from?.still.f) },
  };
}

function makeTree(model: Model) {
  const tree = {
    layer: setup(new Adam(0.01), model.layer),
    act: NO_STATE,
    extra: setup(new OptimiserChain(new AccumGrad(2), new Momentum(0.05, 0.8)), model.extra),
    sched: setup(new Descent({ eta: exponentialDecay({ init: 0.1, decayRate: 0.5, transitionSteps: 2 }) }), model.sched),
    still: setup(new Momentum(), model.still),
  };
  freeze(tree.still);
  return tree;
}

/** Deterministic gradients for step `k`, shaped like the model. */
function grads(model: Model, k: number) {
  const g = (x: tf.Tensor, salt: number) => tf.tidy(() => tf.sin(tf.add(tf.mul(tf.reshape(tf.range(0, x.size), x.shape), 0.7 + salt), k * 1.3)));
  return {
    layer: { w: g(model.layer.w, 0.1), b: g(model.layer.b, 0.2), wAgain: g(model.layer.w, 0.3) },
    extra: new Map<unknown, tf.Tensor>([
      ["v", g(model.extra.get("v") as tf.Tensor, 0.4)],
      [7, g(model.extra.get(7) as tf.Tensor, 0.5)],
    ]),
    sched: { s: g(model.sched.s, 0.6) },
    still: { f: g(model.still.f, 0.7) },
  };
}

function train(tree: StateTree, model: Model, from: number, steps: number): void {
  for (let k = from; k < from + steps; k++) {
    const g = grads(model, k);
    updateInPlace(tree, model, g);
    tf.dispose(g as unknown as tf.TensorContainer);
  }
}

function disposeModel(model: Model): void {
  tf.dispose([model.layer.w, model.layer.b, ...(model.extra.values() as Iterable<tf.Tensor>), model.sched.s, model.still.f]);
}

/** A plain, comparable picture of a tree: Leafs by first-seen id, tensors as dtype/shape/values. */
function picture(tree: unknown): unknown {
  const ids = new Map<Leaf, number>();
  const value = (v: unknown): unknown => {
    if (v instanceof tf.Tensor) return { dtype: v.dtype, shape: v.shape, values: Array.from(v.dataSync() as ArrayLike<number>) };
    if (Array.isArray(v)) return v.map(value);
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, value(e)]));
    return v;
  };
  const node = (x: unknown): unknown => {
    if (x instanceof Leaf) {
      if (ids.has(x)) return { tie: ids.get(x) };
      ids.set(x, ids.size);
      return { leaf: ids.get(x), rule: x.rule.toString(), state: value(x.state), frozen: x.frozen, step: x.step };
    }
    if (x === NO_STATE) return "NO_STATE";
    if (Array.isArray(x)) return x.map(node);
    if (x instanceof Map) return { map: [...x].map(([k, c]) => [k, node(c)]) };
    return { object: Object.entries(x as object).map(([k, c]) => [k, node(c)]) };
  };
  return node(tree);
}

function treeTensorCount(tree: unknown): number {
  const all = new Set<tf.Tensor>();
  forEachLeaf(tree, (leaf) => stateTensors(leaf.state, all));
  return all.size;
}

const HEADER_START = 12;

function readHeader(bytes: Uint8Array): { header: any; data: Uint8Array } {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(HEADER_START, HEADER_START + length)));
  const dataStart = Math.ceil((HEADER_START + length) / 8) * 8;
  return { header, data: bytes.subarray(dataStart) };
}

/** The bytes with the header changed by `edit` (the tensor data moved to stay aligned). */
function rewriteHeader(bytes: Uint8Array, edit: (header: any) => void): Uint8Array {
  const { header, data } = readHeader(bytes);
  edit(header);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = Math.ceil((HEADER_START + json.length) / 8) * 8;
  const out = new Uint8Array(dataStart + data.length);
  out.set(bytes.subarray(0, 8));
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, HEADER_START);
  out.set(data, dataStart);
  return out;
}

function expectLoadError(bytes: Uint8Array, message: string | RegExp): void {
  const before = tf.memory().numTensors;
  expect(() => loadState(bytes)).toThrow(message);
  expect(tf.memory().numTensors).toBe(before);
}

/** A small saved tree: an Adam Leaf after two steps (two tensors of state). */
function smallBytes(): Uint8Array {
  const x = tf.variable(tf.tensor1d([1, 2, 3]));
  const tree = setup(new Adam(0.1), { x });
  const g = tf.tensor1d([0.5, -1, 2]);
  updateInPlace(tree, { x }, { x: g });
  updateInPlace(tree, { x }, { x: g });
  const bytes = saveState(tree);
  disposeTree(tree);
  tf.dispose([x, g]);
  return bytes;
}

// ---- tests ----

describe("saveState / loadState round trip", () => {
  test("Adam state, a tied Leaf, a frozen Leaf, NO_STATE, a Map, a chain with AccumGrad, schedules and steps", () => {
    const model = makeModel();
    const tree = makeTree(model);
    train(tree, model, 0, 3);
    const bytes = saveState(tree);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(Array.from(bytes.subarray(0, 8))).toEqual(Array.from(STATE_MAGIC));

    const before = tf.memory().numTensors;
    const loaded = loadState(bytes) as any;
    expect(tf.memory().numTensors).toBe(before + treeTensorCount(loaded));
    expect(treeTensorCount(loaded)).toBe(treeTensorCount(tree));

    expect(picture(loaded)).toEqual(picture(tree));
    // ties: w and wAgain are one Leaf
    expect(loaded.layer.wAgain).toBe(loaded.layer.w);
    expect(loaded.layer.w).not.toBe(loaded.layer.b);
    expect(loaded.layer.w).toBeInstanceOf(Leaf);
    // NO_STATE is the very NO_STATE
    expect(loaded.act).toBe(NO_STATE);
    // the Map keeps its keys, their types and order
    expect(loaded.extra).toBeInstanceOf(Map);
    expect([...loaded.extra.keys()]).toEqual(["v", 7]);
    // AccumGrad's counter and the chain
    const chainLeaf = loaded.extra.get("v") as Leaf;
    expect(chainLeaf.rule).toBeInstanceOf(OptimiserChain);
    expect(chainLeaf.rule.toString()).toBe("OptimiserChain(AccumGrad(2), Momentum(0.05, 0.8))");
    const [[acc, counter]] = chainLeaf.state as [[tf.Tensor, number], tf.Tensor];
    expect(acc).toBeInstanceOf(tf.Tensor);
    expect(counter).toBe(2); // 3 steps with n = 2: the next step completes an accumulation
    // steps, frozen
    expect(loaded.layer.w.step).toBe(3);
    expect(loaded.still.f.frozen).toBe(true);
    expect(loaded.still.f.step).toBe(0);
    expect(loaded.layer.w.frozen).toBe(false);
    // Adam's bias-correction powers are exact doubles
    const [, , betaT] = loaded.layer.b.state as [tf.Tensor, tf.Tensor, number[]];
    const savedBetaT = (tree.layer as any).b.state[2] as number[];
    betaT.forEach((p, i) => expect(Object.is(p, savedBetaT[i])).toBe(true));
    // the schedule came back from its spec
    const eta = loaded.sched.s.rule.eta;
    expect(typeof eta).toBe("function");
    expect(eta.spec).toEqual(((tree.sched as any).s.rule.eta as any).spec);
    expect([0, 1, 2, 5].map(eta)).toEqual([0, 1, 2, 5].map((tree.sched as any).s.rule.eta));
    // Leafs sharing a rule share it after loading too
    expect(loaded.layer.b.rule).toBe(loaded.layer.w.rule);

    [tree, loaded].forEach(disposeTree);
    disposeModel(model);
  });

  test("continuing training after loading is bit-for-bit the same as without saving", () => {
    const modelA = makeModel();
    const treeA = makeTree(modelA);
    train(treeA, modelA, 0, 3);

    const modelB = makeModel(modelA);
    const treeB = loadState(saveState(treeA));

    train(treeA, modelA, 3, 3);
    train(treeB, modelB, 3, 3);

    const params = (m: Model) => [m.layer.w, m.layer.b, m.extra.get("v") as tf.Tensor, m.extra.get(7) as tf.Tensor, m.sched.s, m.still.f];
    const a = params(modelA).map((t) => Array.from(t.dataSync()));
    const b = params(modelB).map((t) => Array.from(t.dataSync()));
    expect(b).toEqual(a);
    // the moved parameters really moved, and the states agree too
    expect(picture(treeB)).toEqual(picture(treeA));
    expect((treeB as any).layer.w.step).toBe(6);

    [treeA, treeB].forEach(disposeTree);
    [modelA, modelB].forEach(disposeModel);
  });

  test("numbers (NaN, ±Infinity, -0, tiny and inexact doubles), strings, booleans, null, plain objects, all dtypes", () => {
    const f = tf.tensor2d([[1.5, NaN], [-Infinity, 3.4028234663852886e38]]);
    const i = tf.tensor1d([-2147483648, 0, 2147483647], "int32");
    const b = tf.tensor1d([true, false, true], "bool");
    const scalar = tf.scalar(-0);
    const empty = tf.zeros([0, 3]);
    const state = [
      f,
      i,
      b,
      scalar,
      empty,
      f, // the same tensor twice stays one tensor
      [NaN, Infinity, -Infinity, -0, 0, 5e-324, 0.1 + 0.2, 1e308, -123456789.123456789],
      { a: true, "key with space": null, s: "text ✓", nested: { z: false, "1": 1 } },
    ];
    const tree = { one: new Leaf(new Descent(0.1), state, false, 41), empty: [] as StateTree[] };
    const before = tf.memory().numTensors;
    const loaded = loadState(saveState(tree)) as any;
    expect(tf.memory().numTensors).toBe(before + 5);
    const s = loaded.one.state;
    expect(s[5]).toBe(s[0]);
    expect(Array.from(s[0].dataSync())).toEqual([1.5, NaN, -Infinity, 3.4028234663852886e38]);
    expect(s[0].shape).toEqual([2, 2]);
    expect(s[1].dtype).toBe("int32");
    expect(Array.from(s[1].dataSync())).toEqual([-2147483648, 0, 2147483647]);
    expect(s[2].dtype).toBe("bool");
    expect(Array.from(s[2].dataSync())).toEqual([1, 0, 1]);
    expect(s[3].shape).toEqual([]);
    expect(Object.is(s[3].dataSync()[0], -0)).toBe(true);
    expect(s[4].shape).toEqual([0, 3]);
    const nums = s[6] as number[];
    const expected = state[6] as number[];
    nums.forEach((n, k) => expect(Object.is(n, expected[k])).toBe(true));
    expect(s[7]).toEqual(state[7]);
    expect(loaded.one.step).toBe(41);
    expect(loaded.empty).toEqual([]);
    expect(loaded.empty).not.toBe(NO_STATE);
    tf.dispose([f, i, b, scalar, empty]);
    disposeTree(loaded);
  });

  test("complex64 state tensors (cpu only: the wasm backend has no complex kernels)", () => {
    if (tf.getBackend() !== "cpu") return;
    const c = tf.complex([1, -2.5], [0.25, 3]);
    const loaded = loadState(saveState(new Leaf(new Descent(), [c]))) as Leaf;
    const [d] = loaded.state as [tf.Tensor];
    expect(d.dtype).toBe("complex64");
    expect(Array.from(tf.real(d).dataSync())).toEqual([1, -2.5]);
    expect(Array.from(tf.imag(d).dataSync())).toEqual([0.25, 3]);
    tf.dispose([c, d]);
  });

  test("Map keys: strings, numbers (also NaN and Infinity), booleans and null", () => {
    const leaf = new Leaf(new Descent(), []);
    const tree = new Map<unknown, StateTree>([["a", leaf], [1.5, NO_STATE], [NaN, []], [-Infinity, leaf], [true, NO_STATE], [null, []], ["1.5", []]]);
    const loaded = loadState(saveState(tree)) as Map<unknown, StateTree>;
    expect([...loaded.keys()]).toEqual(["a", 1.5, NaN, -Infinity, true, null, "1.5"]);
    expect(loaded.get("a")).toBe(loaded.get(-Infinity));
    expect(loaded.get(NaN)).toEqual([]);
  });

  test("a tree that is a single Leaf, or only NO_STATE", () => {
    const x = tf.tensor1d([1, 2]);
    const leaf = setup(new Momentum(), x) as Leaf;
    const loaded = loadState(saveState(leaf));
    expect(loaded).toBeInstanceOf(Leaf);
    expect(picture(loaded)).toEqual(picture(leaf));
    expect(loadState(saveState(NO_STATE))).toBe(NO_STATE);
    [leaf, loaded].forEach(disposeTree);
    x.dispose();
  });

  test("rules with schedule fields: tuples of schedules and joined schedules keep their specs", () => {
    const joined = joinSchedules([linearWarmup({ to: 0.01, steps: 3 }), stepDecay({ init: 0.01, factor: 0.5, stepSize: 4 })], [3]);
    const beta1 = exponentialDecay({ init: 0.9, decayRate: 0.99, transitionSteps: 1, endValue: 0.5 });
    const rule = new Adam({ eta: joined, beta: [beta1, 0.999] });
    const loaded = loadState(saveState(new Leaf(rule as Rule, []))) as Leaf;
    const r = loaded.rule as Adam;
    expect(r.toString()).toBe(rule.toString());
    const steps = Array.from({ length: 12 }, (_, k) => k);
    expect(steps.map(r.eta as (s: number) => number)).toEqual(steps.map(joined));
    expect(steps.map(r.beta[0] as (s: number) => number)).toEqual(steps.map(beta1));
    expect(r.beta[1]).toBe(0.999);
  });

  test("every built-in rule round-trips with its state after two updates", () => {
    const rules: Rule[] = BUILTIN_RULES.filter((C) => C !== OptimiserChain).map((C) => new C());
    rules.push(new RMSProp({ centred: true }), new OptimiserChain(), new OptimiserChain(new Descent(0.5), new OptimiserChain(new AccumGrad(3))));
    for (const rule of rules) {
      const x = tf.variable(tf.tensor1d([0.5, -1, 2]));
      const g = tf.tensor1d([0.1, 0.2, -0.3]);
      const tree = setup(rule, { x });
      updateInPlace(tree, { x }, { x: g });
      updateInPlace(tree, { x }, { x: g });
      const loaded = loadState(saveState(tree)) as any;
      expect(loaded.x.rule.constructor).toBe(rule.constructor);
      expect(picture(loaded)).toEqual(picture(tree));
      [tree, loaded].forEach(disposeTree);
      tf.dispose([x, g]);
    }
  });
});

describe("the rule registry", () => {
  test("every rule class exported from src/rules/ is registered under its name", async () => {
    const dir = path.join(__dirname, "..", "src", "rules");
    const files = fs.readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && !f.endsWith(".test.ts"));
    expect(files.length).toBeGreaterThan(0);
    const missing: string[] = [];
    for (const f of files) {
      const mod = (await import(path.join(dir, f.replace(/\.ts$/, "")))) as Record<string, unknown>;
      for (const [name, C] of Object.entries(mod)) {
        if (typeof C !== "function" || !(C.prototype instanceof Rule)) continue;
        if (registeredRule(ruleClassName(C)) !== C) missing.push(`${f}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  test("a rule of an unregistered class cannot be saved; once registered it round-trips", () => {
    class Scale extends defineRule("Scale", { k: 2, flip: false }) {
      init(): number {
        return 0;
      }
      apply(n: number, _x: tf.Tensor, dx: tf.Tensor): [number, tf.Tensor] {
        return [n + 1, tf.mul(dx, this.values().k)];
      }
    }
    const tree = { p: new Leaf(new Scale({ k: 3, flip: true }), 5, false, 5) };
    expect(() => saveState(tree)).toThrow("rule 'Scale', which is not registered, so it could not be loaded: call registerRule(Scale) first");
    registerRule(Scale);
    registerRule(Scale); // again: no-op
    const loaded = loadState(saveState(tree)) as any;
    expect(loaded.p.rule).toBeInstanceOf(Scale);
    expect(loaded.p.rule.toString()).toBe("Scale(3.0, true)");
    expect(loaded.p.state).toBe(5);

    class Other extends defineRule("Scale", { k: 1 }) {
      init(): number {
        return 0;
      }
      apply(n: number, _x: tf.Tensor, dx: tf.Tensor): [number, tf.Tensor] {
        return [n, dx];
      }
    }
    expect(() => registerRule(Other)).toThrow("a different class is already registered as 'Scale'");
    expect(() => saveState(new Leaf(new Other(), 0))).toThrow("not the class registered under that name");
    expect(() => registerRule({} as any)).toThrow("expected a rule class");
  });

  test("a rule class without fields (not made with defineRule) is rebuilt with no arguments", () => {
    class Halve extends Rule<null> {
      init(): null {
        return null;
      }
      apply(s: null, _x: tf.Tensor, dx: tf.Tensor): [null, tf.Tensor] {
        return [s, tf.div(dx, 2)];
      }
    }
    registerRule(Halve);
    const loaded = loadState(saveState([new Leaf(new Halve(), null, true, 2)])) as Leaf[];
    expect(loaded[0]!.rule).toBeInstanceOf(Halve);
    expect(loaded[0]!.state).toBeNull();
    expect(loaded[0]!.frozen).toBe(true);
  });
});

describe("saveState rejects what it cannot save", () => {
  test("a schedule without a spec, naming the field", () => {
    const tree = { w: new Leaf(new Descent({ eta: (s: number) => 0.1 / (s + 1) }), []) };
    expect(() => saveState(tree)).toThrow("the Leaf at tree.w: field Descent.eta is a schedule without a spec, so it cannot be saved");
    const inChain = [new Leaf(new OptimiserChain(new Descent(), new Adam({ beta: [0.9, () => 0.99] })), [])];
    expect(() => saveState(inChain)).toThrow("the Leaf at tree[0], OptimiserChain rule 2: field Adam.beta[1] is a schedule without a spec");
  });

  test("a joined schedule with a part without a spec", () => {
    const eta = joinSchedules([() => 0.1, 0.01], [5]);
    expect(() => saveState(new Leaf(new Descent({ eta }), []))).toThrow("field Descent.eta is a schedule whose spec cannot be rebuilt");
  });

  test("a rule, a tensor, a class instance or a number in place of a tree node; disposed and string tensors", () => {
    expect(() => saveState(new Adam() as any)).toThrow("saveState: tree is a rule");
    const t = tf.tensor1d([1]);
    expect(() => saveState({ a: t } as any)).toThrow("saveState: tree.a is a tensor");
    expect(() => saveState({ a: [new Date()] } as any)).toThrow("saveState: tree.a[0] is a Date");
    expect(() => saveState({ a: 3 } as any)).toThrow("saveState: tree.a is the number 3");
    expect(() => saveState(new Map([[{}, NO_STATE]]) as any)).toThrow("the Map at tree has a key that is a plain object");
    const cyclic: any = { a: [] };
    cyclic.a.push(cyclic);
    expect(() => saveState(cyclic)).toThrow("contains itself");
    t.dispose();
    expect(() => saveState(new Leaf(new Descent(), [t]))).toThrow("the Leaf at tree: state[0] is a disposed tensor");
    const s = tf.tensor1d(["a"], "string");
    expect(() => saveState(new Leaf(new Descent(), s))).toThrow("is a string tensor");
    s.dispose();
    expect(() => saveState(new Leaf(new Descent(), { f: Math.sin }))).toThrow("state.f is a function (sin), which cannot be saved");
  });
});

describe("loadState rejects bad input, leaving no tensors behind", () => {
  test("wrong magic bytes", () => {
    const bytes = smallBytes();
    const wrong = bytes.slice();
    wrong[0] = 0x00;
    expectLoadError(wrong, "not a saved optimiser state (wrong magic bytes");
    expectLoadError(new TextEncoder().encode('{"format":"fluxion-optimiser-state"}'), "wrong magic bytes");
    expect(() => loadState("FLXOPTST" as any)).toThrow("expected the bytes from saveState");
  });

  test("truncated at every length", () => {
    const bytes = smallBytes();
    const before = tf.memory().numTensors;
    for (let n = 0; n < bytes.length; n++) {
      expect(() => loadState(bytes.subarray(0, n))).toThrow("loadState: truncated");
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  test("trailing bytes", () => {
    const bytes = smallBytes();
    const longer = new Uint8Array(bytes.length + 8);
    longer.set(bytes);
    expectLoadError(longer, "8 unexpected bytes after the tensor data");
  });

  test("a corrupt header: bad JSON, bad UTF-8, not an object, wrong format", () => {
    const bytes = smallBytes();
    const badJson = bytes.slice();
    badJson[HEADER_START] = "x".charCodeAt(0);
    expectLoadError(badJson, "the header is corrupt: its JSON does not parse");
    const badUtf8 = bytes.slice();
    badUtf8[HEADER_START + 1] = 0xff;
    expectLoadError(badUtf8, "the header is corrupt: it is not valid UTF-8");
    expectLoadError(rewriteHeader(bytes, (h) => (h.format = "something-else")), 'its format is "something-else"');
    const notObject = new Uint8Array(HEADER_START + 8);
    notObject.set(STATE_MAGIC);
    new DataView(notObject.buffer).setUint32(8, 2, true);
    notObject.set(new TextEncoder().encode("[]"), HEADER_START);
    expectLoadError(notObject, "the header is corrupt: it is not a JSON object");
  });

  test("an unsupported version", () => {
    expectLoadError(rewriteHeader(smallBytes(), (h) => (h.version = 2)), "loadState: unsupported version 2: this build reads version 1");
  });

  test("tensor data out of bounds", () => {
    const bytes = smallBytes();
    expectLoadError(rewriteHeader(bytes, (h) => (h.tensors[1].byteOffset = 1024)), "loadState: tensor data out of bounds: tensors[1]");
    expectLoadError(rewriteHeader(bytes, (h) => (h.tensors[0].shape = [1000])), "tensor data out of bounds: tensors[0] (float32 [1000])");
    expectLoadError(rewriteHeader(bytes, (h) => (h.tensors[0].byteOffset = 4)), "expected a whole multiple of 8");
    expectLoadError(rewriteHeader(bytes, (h) => (h.tensors[0].dtype = "float64")), 'has dtype "float64"');
    expectLoadError(rewriteHeader(bytes, (h) => (h.dataBytes = 10_000)), "truncated: expected");
  });

  test("an unknown rule name", () => {
    expectLoadError(
      rewriteHeader(smallBytes(), (h) => (h.rules[0].name = "Foo")),
      "unknown rule 'Foo': register it with registerRule(Foo) before loading",
    );
  });

  test("bad fields for a rule, and a bad schedule spec", () => {
    const bytes = smallBytes();
    expectLoadError(rewriteHeader(bytes, (h) => (h.rules[0].fields.eta = -1)), "cannot rebuild rule 'Adam' from the saved fields: Adam: the learning rate eta cannot be negative");
    expectLoadError(
      rewriteHeader(bytes, (h) => (h.rules[0].fields.eta = { $schedule: { $object: [["kind", "wobble"]] } })),
      'cannot rebuild the schedule at rules[0].fields.eta: scheduleFromSpec: unknown schedule kind "wobble"',
    );
  });

  test("broken references, found after some tensors were made", () => {
    const bytes = smallBytes();
    expectLoadError(rewriteHeader(bytes, (h) => (h.tree = { $leaf: 9 })), "tree refers to leaf 9, but there are 1");
    expectLoadError(rewriteHeader(bytes, (h) => (h.leaves[0].state[1] = { $tensor: 5 })), "leaves[0].state[1] refers to tensor 5, but there are 2");
    expectLoadError(rewriteHeader(bytes, (h) => (h.leaves[0].state[1] = { $tensor: 0 })), "tensors[1] is not used by any Leaf");
    expectLoadError(rewriteHeader(bytes, (h) => (h.tree = [])), "leaves[0] is not reached from the tree");
    expectLoadError(rewriteHeader(bytes, (h) => (h.tree = { $object: [["x", { $leaf: 0 }], ["y", { $wat: 1 }]] })), 'tree.y is an unknown tree node "$wat"');
    expectLoadError(rewriteHeader(bytes, (h) => (h.leaves[0].step = -1)), "leaves[0] has step = -1");
    expectLoadError(rewriteHeader(bytes, (h) => (h.leaves[0].state[2] = { $number: "lots" })), 'unknown special number "lots"');
  });
});

describe("saveStateFile / loadStateFile", () => {
  const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "fluxion-state-"));

  test("round trip through a file; the write leaves no temporary files; overwriting works", async () => {
    const dir = tmpDir();
    const file = path.join(dir, "opt.state");
    const model = makeModel();
    const tree = makeTree(model);
    train(tree, model, 0, 2);
    await saveStateFile(file, tree);
    expect(fs.readdirSync(dir)).toEqual(["opt.state"]);
    expect(new Uint8Array(fs.readFileSync(file))).toEqual(saveState(tree));

    const before = tf.memory().numTensors;
    const loaded = await loadStateFile(file);
    expect(tf.memory().numTensors).toBe(before + treeTensorCount(loaded));
    expect(picture(loaded)).toEqual(picture(tree));

    train(tree, model, 2, 1);
    await saveStateFile(file, tree); // replaces the file
    expect(fs.readdirSync(dir)).toEqual(["opt.state"]);
    const again = await loadStateFile(file);
    expect(picture(again)).toEqual(picture(tree));

    [tree, loaded, again].forEach(disposeTree);
    disposeModel(model);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("an unwritable directory names the path; a failed rename leaves no temporary file", async () => {
    const dir = tmpDir();
    const plain = path.join(dir, "plain-file");
    fs.writeFileSync(plain, "not a directory");
    const leaf = new Leaf(new Descent(), []);
    const under = path.join(plain, "opt.state");
    await expect(saveStateFile(under, leaf)).rejects.toThrow(`saveStateFile: cannot write '${under}'`);
    const missingDir = path.join(dir, "no", "such", "opt.state");
    await expect(saveStateFile(missingDir, leaf)).rejects.toThrow(`saveStateFile: cannot write '${missingDir}': the directory does not exist`);
    // the target is a non-empty directory: the temporary file is written, the rename fails
    const occupied = path.join(dir, "occupied");
    fs.mkdirSync(occupied);
    fs.writeFileSync(path.join(occupied, "x"), "x");
    await expect(saveStateFile(occupied, leaf)).rejects.toThrow(`saveStateFile: cannot write '${occupied}'`);
    expect(fs.readdirSync(dir).sort()).toEqual(["occupied", "plain-file"]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("a tree that cannot be saved writes nothing", async () => {
    const dir = tmpDir();
    const bad = new Leaf(new Descent({ eta: () => 0.1 }), []);
    await expect(saveStateFile(path.join(dir, "opt.state"), bad)).rejects.toThrow("is a schedule without a spec");
    expect(fs.readdirSync(dir)).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("a missing file, a directory, and a corrupt file name the path", async () => {
    const dir = tmpDir();
    const missing = path.join(dir, "missing.state");
    await expect(loadStateFile(missing)).rejects.toThrow(`loadStateFile: no file at '${missing}'`);
    await expect(loadStateFile(dir)).rejects.toThrow(`loadStateFile: cannot read '${dir}'`);
    const corrupt = path.join(dir, "corrupt.state");
    fs.writeFileSync(corrupt, smallBytes().subarray(0, 30));
    const before = tf.memory().numTensors;
    await expect(loadStateFile(corrupt)).rejects.toThrow(`loadStateFile: '${corrupt}': truncated`);
    expect(tf.memory().numTensors).toBe(before);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
