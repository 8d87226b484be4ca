// The fused kernels (src/fused): every covered rule and some chains run both ways, fused and op by
// op, on the same parameters and gradients, with a save/load of the state between steps; both
// must end bit for bit equal (the kernels round as tfjs's ops do). Plus: the fused path really
// runs (a Variable keeps its dataId), falls back where it must, and Adam matches the paper's maths.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { rewriteFloat32, rewriteProblem, setFusedKernels } from "@fluxion/backend/internal";
import {
  AdaBelief, Adam, AdamW, ClipGrad, Descent, Leaf, Lion, Momentum, Nesterov, OptimiserChain, RMSProp, SignDecay, WeightDecay,
  adjustInPlace, exponentialDecay, freeze, loadState, saveState, setup, updateInPlace, type Rule, type StateTree,
} from "../src/index.js";
import { forEachLeaf } from "../src/state-tensors.js";
import { runSimd, setSimdKernels, type SimdPre } from "../src/fused/simd.js";
import { disposeTree, expectClose, values } from "./helpers.js";

afterEach(() => {
  setFusedKernels(true);
  setSimdKernels(true);
});

type Model = { layer: { w: tf.Variable; b: tf.Variable }; k: tf.Variable };
const SHAPES = { w: [3, 5], b: [4], k: [2, 2, 3] }; // 15 elements: SIMD kernels do 12, the JavaScript loop 3

/** A model with its own data (seeded), so two copies never share storage. */
function makeModel(): Model {
  const v = (shape: number[], seed: number) => tf.tidy(() => tf.variable(tf.randomNormal(shape, 0, 1, "float32", seed)));
  return { layer: { w: v(SHAPES.w, 1), b: v(SHAPES.b, 2) }, k: v(SHAPES.k, 3) };
}
const params = (m: Model): tf.Variable[] => [m.layer.w, m.layer.b, m.k];
const disposeModel = (m: Model): void => tf.dispose(params(m));

/** Step k's gradient, shaped like the model; one element is exactly zero. */
function grads(k: number): { layer: { w: tf.Tensor; b: tf.Tensor }; k: tf.Tensor } {
  const g = (shape: number[], seed: number) => tf.tidy(() => tf.mul(tf.randomNormal(shape, 0, 1, "float32", 100 * k + seed), 0.5));
  return { layer: { w: g(SHAPES.w, 1), b: tf.tidy(() => tf.concat([tf.zeros([1]), g([3], 2)])) }, k: g(SHAPES.k, 3) };
}

/** A tree's picture: per Leaf its step, frozen flag and state (tensors as their values). */
function picture(tree: StateTree): unknown[] {
  const show = (s: unknown): unknown =>
    s instanceof tf.Tensor ? Array.from(s.dataSync()) : Array.isArray(s) ? s.map(show) : s;
  const out: unknown[] = [];
  forEachLeaf(tree, (leaf: Leaf) => out.push({ step: leaf.step, frozen: leaf.frozen, state: show(leaf.state) }));
  return out;
}

interface Run {
  params: number[][];
  tree: unknown[];
  /** Per step, per parameter: did it keep its dataId (rewritten where it is, so fused)? */
  kept: boolean[][];
}

interface RunOptions {
  steps?: number;
  /** Before step k (0-based): adjust, freeze, share… */
  before?: (k: number, tree: StateTree, model: Model) => void;
  grad?: (k: number, model: Model) => unknown;
  /** Save and reload the state after step 2 (default true). */
  save?: boolean;
}

/** Trains a fresh model `steps` times with `rule`, saving and reloading the state after step 2. */
function run(rule: () => Rule, fused: boolean, { steps = 5, before, grad, save = true }: RunOptions = {}): Run {
  setFusedKernels(fused);
  const model = makeModel();
  let tree = setup(rule(), model);
  const kept: boolean[][] = [];
  for (let k = 0; k < steps; k++) {
    before?.(k, tree, model);
    const g = grad ? grad(k, model) : grads(k);
    const ids = params(model).map((x) => x.dataId);
    assertNoLeaks(() => {
      updateInPlace(tree, model, g);
    }, 0);
    kept.push(params(model).map((x, i) => x.dataId === ids[i]));
    if (!grad) tf.dispose(g as tf.TensorContainer);
    if (k === 1 && save) {
      const loaded = loadState(saveState(tree));
      disposeTree(tree);
      tree = loaded;
    }
  }
  const out = { params: params(model).map(values), tree: picture(tree), kept };
  disposeTree(tree);
  disposeModel(model);
  setFusedKernels(true);
  return out;
}

const CASES: [string, () => Rule][] = [
  ["Descent", () => new Descent(0.1)],
  ["Momentum", () => new Momentum(0.05, 0.8)],
  ["Nesterov", () => new Nesterov(0.01, 0.9)],
  ["Adam", () => new Adam(0.01)],
  ["AdamW, coupled", () => new AdamW({ eta: 0.01, lambda: 0.1 })],
  ["AdamW, not coupled", () => new AdamW({ eta: 0.01, lambda: 0.01, couple: false })],
  ["RMSProp", () => new RMSProp(0.01)],
  ["RMSProp, centred", () => new RMSProp({ eta: 0.01, centred: true })],
  ["Lion", () => new Lion(0.01)],
  ["AdaBelief", () => new AdaBelief(0.01)],
  ["OptimiserChain(ClipGrad, WeightDecay, Adam)", () => new OptimiserChain(new ClipGrad(0.3), new WeightDecay(0.01), new Adam(0.01))],
  ["OptimiserChain(WeightDecay, Momentum)", () => new OptimiserChain(new WeightDecay(0.05), new Momentum(0.05))],
  ["OptimiserChain(SignDecay, Nesterov)", () => new OptimiserChain(new SignDecay(0.01), new Nesterov(0.02))],
  ["OptimiserChain(Adam, ClipGrad): clipped after", () => new OptimiserChain(new Adam(0.1), new ClipGrad(0.05))],
  ["OptimiserChain(AdamW, RMSProp): two stateful rules", () => new OptimiserChain(new AdamW({ lambda: 0.1 }), new RMSProp(0.01))],
  ["Descent with a schedule", () => new Descent({ eta: exponentialDecay({ init: 0.1, decayRate: 0.5, transitionSteps: 2 }) })],
  ["a scheduled Adam in a chain", () => new OptimiserChain(new WeightDecay(0.01), new Adam({ eta: exponentialDecay({ init: 0.05, decayRate: 0.7, transitionSteps: 1 }) }))],
];

describe("fused kernels give the op-by-op result bit for bit", () => {
  test.each(CASES)("%s", (_name, rule) => {
    const fused = run(rule, true);
    const plain = run(rule, false);
    expect(fused.params).toEqual(plain.params);
    expect(fused.tree).toEqual(plain.tree);
    // the JavaScript loops alone (no SIMD kernels) too
    setSimdKernels(false);
    const js = run(rule, true);
    expect([js.params, js.tree]).toEqual([plain.params, plain.tree]);
    // The fused path ran on every step (a Variable rewritten where it is keeps its dataId) and
    // the op-by-op path never did, so the comparison is between the two paths.
    expect(fused.kept.flat().every(Boolean)).toBe(true);
    expect(plain.kept.flat().some(Boolean)).toBe(false);
    // and the parameters moved
    const start = makeModel();
    expect(fused.params[0]).not.toEqual(values(start.layer.w));
    disposeModel(start);
  });

  test.each(CASES)("%s, on gradients with NaN, ±Infinity, ±0, subnormal and huge elements", (_name, rule) => {
    const special = [NaN, Infinity, -Infinity, -0, 0, 1e-45, -3e-39, 3e38, -3e38, 1e-20, 0.5, -2];
    const grad = (k: number, model: Model) => {
      const g = grads(k) as { layer: { w: tf.Tensor; b: tf.Tensor }; k: tf.Tensor };
      const w = tf.tidy(() => tf.reshape(tf.concat([tf.tensor1d(special), tf.slice(tf.reshape(g.layer.w, [-1]), 0, 3)]), model.layer.w.shape));
      g.layer.w.dispose();
      return { ...g, layer: { ...g.layer, w } };
    };
    // fused with SIMD kernels, fused with the JavaScript loops only, op by op
    const runs = [[true, true], [true, false], [false, true]].map(([fused, simd]) => {
      setSimdKernels(simd!);
      const made: tf.Tensor[] = [];
      const r = run(rule, fused!, { steps: 3, grad: (k, m) => {
        const g = grad(k, m);
        made.push(g.layer.w, g.layer.b, g.k);
        return g;
      } });
      tf.dispose(made);
      return r;
    });
    expect([runs[0]!.params, runs[0]!.tree]).toEqual([runs[2]!.params, runs[2]!.tree]);
    expect([runs[1]!.params, runs[1]!.tree]).toEqual([runs[2]!.params, runs[2]!.tree]);
  });

  test("adjust mid-run (learning rate, then momentum), as op by op", () => {
    const before = (k: number, tree: StateTree) => {
      if (k === 1) adjustInPlace(tree, 0.2);
      if (k === 3) adjustInPlace(tree, { rho: 0.5 });
    };
    const rule = () => new OptimiserChain(new WeightDecay(0.01), new Momentum(0.05, 0.9));
    const [fused, plain] = [run(rule, true, { before }), run(rule, false, { before })];
    expect([fused.params, fused.tree]).toEqual([plain.params, plain.tree]);
    expect(fused.kept.flat().every(Boolean)).toBe(true);
  });

  test("frozen Leafs stay as they are; the others step", () => {
    const before = (k: number, tree: StateTree) => {
      if (k === 0) freeze((tree as { layer: StateTree }).layer);
    };
    const [fused, plain] = [run(() => new Adam(0.01), true, { before }), run(() => new Adam(0.01), false, { before })];
    expect([fused.params, fused.tree]).toEqual([plain.params, plain.tree]);
    const start = makeModel();
    expect(fused.params.slice(0, 2)).toEqual([values(start.layer.w), values(start.layer.b)]);
    expect(fused.params[2]).not.toEqual(values(start.k));
    disposeModel(start);
    expect(fused.tree).toMatchObject([{ step: 0, frozen: true }, { step: 0, frozen: true }, { step: 5, frozen: false }]);
  });
});

describe("falls back to op by op where rewriting in place is not safe", () => {
  test("a parameter sharing its data with another tensor: that one step op by op, the other tensor unchanged", () => {
    let alias: tf.Tensor | null = null;
    let aliasValues: number[] = [];
    const before = (k: number, _tree: StateTree, model: Model) => {
      if (k !== 0) return;
      alias = tf.reshape(model.k, [12]); // same data, reference-counted (tf.clone copies on wasm)
      aliasValues = values(alias);
    };
    const fused = run(() => new Adam(0.01), true, { before });
    expect(values(alias!)).toEqual(aliasValues);
    alias!.dispose();
    expect(fused.kept[0]).toEqual([true, true, false]); // k fell back on its first step …
    expect(fused.kept.slice(1).flat().every(Boolean)).toBe(true); // … then had data of its own
    expect(fused).toMatchObject({ params: run(() => new Adam(0.01), false).params });
  });

  test("a state tensor sharing its data: that Leaf steps op by op, the other tensor is unchanged", () => {
    let alias: tf.Tensor | null = null;
    let aliasValues: number[] = [];
    const before = (k: number, tree: StateTree) => {
      if (k !== 2) return;
      alias = tf.reshape(((tree as { k: Leaf }).k.state as tf.Tensor[])[0]!, [12]);
      aliasValues = values(alias);
    };
    const fused = run(() => new Adam(0.01), true, { before });
    expect(values(alias!)).toEqual(aliasValues);
    alias!.dispose();
    const plain = run(() => new Adam(0.01), false);
    expect(fused.params).toEqual(plain.params);
    expect(fused.tree).toEqual(plain.tree);
    expect(fused.kept[2]).toEqual([true, true, false]);
  });

  test.each([
    ["before", true],
    ["after", false],
  ])("a gradient that is another parameter, listed %s it, is read before that parameter is written", (_where, first) => {
    const a = tf.variable(tf.tensor1d([1, 2, 3, 4]));
    const b = tf.variable(tf.tensor1d([-1, 0.5, 2, 8]));
    const ga = tf.tensor1d([4, -2, 1, 0]);
    const model = first ? { a, b } : { b, a };
    const tree = setup(new Momentum(0.1, 0.9), model);
    // b's gradient is a itself: b ← b − 0.1·a with a as it was before the step; a ← a − 0.1·ga.
    updateInPlace(tree, model, { a: ga, b: a });
    expectClose(a, [0.6, 2.2, 2.9, 4], 1e-6);
    expectClose(b, [-1.1, 0.3, 1.7, 7.6], 1e-6);
    disposeTree(tree);
    tf.dispose([a, b, ga]);
  });

  test("a rule class without a kernel (a subclass of Adam) takes the op-by-op path", () => {
    class MyAdam extends Adam {}
    const fused = run(() => new MyAdam(0.01), true, { save: false }); // saveState refuses unregistered classes
    expect(fused.kept.flat().some(Boolean)).toBe(false);
    expect(fused.params).toEqual(run(() => new Adam(0.01), false).params);
  });

  test("rewriteProblem names the reason: switched off, taping, dtype, shared data, disposed", () => {
    const x = tf.tidy(() => tf.variable(tf.zeros([3])));
    const g = tf.ones([3]);
    expect(rewriteProblem([x], [g])).toBeNull();
    setFusedKernels(false);
    expect(rewriteProblem([x], [g])).toMatch(/switched off/);
    setFusedKernels(true);
    tf.grad((t: tf.Tensor) => {
      expect(rewriteProblem([x], [g])).toMatch(/gradient is being recorded/);
      return tf.sum(t);
    })(tf.ones([2])).dispose();
    const i = tf.zeros([3], "int32");
    expect(rewriteProblem([x], [i])).toMatch(/read tensor 1 is int32, not float32/);
    const c = tf.reshape(x, [1, 3]);
    expect(rewriteProblem([x], [g])).toMatch(/written tensor 1 shares its data/);
    expect(rewriteProblem([g], [g])).toMatch(/shares its data with another tensor given/);
    tf.dispose([c, i]);
    g.dispose();
    expect(rewriteProblem([x], [g])).toMatch(/read tensor 1 is disposed/);
    x.dispose();
  });
});

test("an array read from a parameter before a fused step keeps the old values (cpu hands out its arrays)", () => {
  const model = makeModel();
  const tree = setup(new Adam(0.1), model);
  const g = grads(0);
  const id = model.k.dataId;
  const snapshot = model.k.dataSync();
  const copy = Array.from(snapshot);
  updateInPlace(tree, model, g);
  expect(model.k.dataId).toBe(id); // fused
  expect(Array.from(snapshot)).toEqual(copy);
  expect(values(model.k)).not.toEqual(copy);
  tf.dispose(g as tf.TensorContainer);
  disposeTree(tree);
  disposeModel(model);
});

test("fused Adam against the paper's formula, two steps by hand (float64 reference)", () => {
  const x0 = [1, -2, 0.5, 3];
  const g = [[0.1, -0.2, 0.3, 0], [0.2, 0.1, -0.3, 1e-3]];
  const [eta, b1, b2, eps] = [0.1, 0.9, 0.999, 1e-8];
  // Step 1 by hand: m = 0.1 g, v = 0.001 g², m̂ = g, v̂ = g², so x ← x − η g/(|g| + ϵ) = x − 0.1 sign(g).
  const step1 = [0.9, -1.9, 0.4, 3];
  // Kingma & Ba, Algorithm 1, in float64.
  const x = [...x0];
  const m = [0, 0, 0, 0];
  const v = [0, 0, 0, 0];
  const after: number[][] = [];
  g.forEach((gt, t) => {
    for (let i = 0; i < 4; i++) {
      m[i] = b1 * m[i]! + (1 - b1) * gt[i]!;
      v[i] = b2 * v[i]! + (1 - b2) * gt[i]! ** 2;
      const mHat = m[i]! / (1 - b1 ** (t + 1));
      const vHat = v[i]! / (1 - b2 ** (t + 1));
      x[i] = x[i]! - (eta * mHat) / (Math.sqrt(vHat) + eps);
    }
    after.push([...x]);
  });
  expectClose(after[0]!, step1, 1e-6);
  // Step 2, element 0 by hand: m = 0.09·0.1 + 0.1·0.2 = 0.029, v = 0.999·1e-5 + 1e-3·0.04 = 4.999e-5,
  // x = 0.9 − 0.1 (0.029/0.19) / sqrt(4.999e-5/0.001999) = 0.9 − 0.0965217…
  expectClose(after[1]![0]!, 0.9 - (0.1 * (0.029 / 0.19)) / Math.sqrt(4.999e-5 / 0.001999), 1e-12);

  const p = tf.tidy(() => tf.variable(tf.tensor1d(x0)));
  const id = p.dataId;
  const tree = setup(new Adam(eta), p);
  g.forEach((gt, t) => {
    const dx = tf.tensor1d(gt);
    assertNoLeaks(() => {
      updateInPlace(tree, p, dx);
    }, 0);
    dx.dispose();
    expectClose(p, after[t]!, 2e-6, 1e-7);
  });
  expect(p.dataId).toBe(id); // the fused path did it
  const [mT, vT, betaT] = (tree as Leaf).state as [tf.Tensor, tf.Tensor, number[]];
  expectClose(mT, m, 1e-6);
  expectClose(vT, v, 1e-6, 1e-12);
  expect(betaT).toEqual([0.9 * 0.9 * 0.9, 0.999 * 0.999 * 0.999]); // the powers for step 3
  disposeTree(tree);
  p.dispose();
});

test("the SIMD kernels run on this backend, so the comparisons above cover them", () => {
  const x = tf.tidy(() => tf.variable(tf.tensor1d([1, 2, 3, 4, 5])));
  const g = tf.tensor1d([1, -1, 2, 0, 1]);
  let ran = false;
  rewriteFloat32([x], [g], (ins, outs, [gv], scratch) => {
    ran = runSimd([], (k, xp, gp, _s, n) => k.descent(xp, gp, n, 0.5), ins, outs, gv!, scratch);
  });
  expect(ran).toBe(true);
  expect(values(x).slice(0, 4)).toEqual([0.5, 2.5, 2, 4]); // x − 0.5 g; the 5th is the caller's loop's
  // and a chain through the scratch array: g + 0.5 x, clipped to ±1.5, then Descent(1)
  rewriteFloat32([x], [g], (ins, outs, [gv], scratch) => {
    const pre: SimdPre[] = [(k, gp, out, xp, n) => k.weightdecay(gp, out, xp, n, 0.5), (k, gp, out, _x, n) => k.clipgrad(gp, out, n, 1.5, NaN)];
    ran = runSimd(pre, (k, xp, gp, _s, n) => k.descent(xp, gp, n, 1), ins, outs, gv!, scratch);
  }, 5);
  expect(ran).toBe(true);
  // g + 0.5 x = [1.25, 0.25, 3, 2] → clipped [1.25, 0.25, 1.5, 1.5] → x − that
  expect(values(x).slice(0, 4)).toEqual([-0.75, 2.25, 0.5, 2.5]);
  tf.dispose([x, g]);
});

test("simd-bytes.ts is what kernels.wat assembles to", () => {
  const check = spawnSync(process.execPath, [fileURLToPath(new URL("../scripts/assemble-wasm.mjs", import.meta.url)), "--check"], { encoding: "utf8" });
  expect(check.stderr).toBe("");
  expect(check.status).toBe(0);
});

test("after a fused step, matMul and conv2d see the new weights (tfjs-backend-wasm caches packed weights by tensor)", () => {
  const w = tf.tidy(() => tf.variable(tf.tensor2d([[1, 2], [3, 4], [5, 6]])));
  const f = tf.tidy(() => tf.variable(tf.ones([1, 1, 1, 2])));
  const x = tf.tensor2d([[1, 1, 1]]);
  const image = tf.ones([1, 2, 2, 1]);
  const use = () => tf.tidy(() => [values(tf.matMul(x, w)), values(tf.conv2d(image as tf.Tensor4D, f as tf.Tensor4D, 1, "valid"))]);
  expect(use()).toEqual([[9, 12], [1, 1, 1, 1, 1, 1, 1, 1]]); // packs w and f on wasm
  const [idW, idF] = [w.dataId, f.dataId];
  const tree = setup(new Descent(0.5), { w, f });
  const g = { w: tf.ones([3, 2]), f: tf.ones([1, 1, 1, 2]) };
  updateInPlace(tree, { w, f }, g);
  expect([w.dataId, f.dataId]).toEqual([idW, idF]); // fused: same data, rewritten
  // w − 0.5 = [[0.5, 1.5], [2.5, 3.5], [4.5, 5.5]]: x·w = [7.5, 10.5]; f = 0.5 everywhere
  expect(use()).toEqual([[7.5, 10.5], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]]);
  const firstRow = tf.tidy(() => tf.concat([tf.ones([1, 2]), tf.zeros([2, 2])]));
  updateInPlace(tree, { w, f }, { w: firstRow, f: g.f });
  expect(use()).toEqual([[7, 10], [0, 0, 0, 0, 0, 0, 0, 0]]);
  tf.dispose([w, f, x, image, g.w, g.f, firstRow]);
});

test("a fused step runs no tfjs kernel and makes no tensor, where op by op runs several per parameter", async () => {
  const model = makeModel();
  const tree = setup(new OptimiserChain(new WeightDecay(0.01), new Adam(0.01)), model);
  const g = grads(0);
  const fused = await tf.profile(() => {
    updateInPlace(tree, model, g);
  });
  expect(fused.kernels).toEqual([]);
  expect(fused.newTensors).toBe(0);
  setFusedKernels(false);
  const plain = await tf.profile(() => {
    updateInPlace(tree, model, g);
  });
  expect(plain.kernels.length).toBeGreaterThanOrEqual(3 * 14);
  tf.dispose(g as tf.TensorContainer);
  disposeTree(tree);
  disposeModel(model);
});
