// The state-tree API against Optimisers.jl's documented examples and hand-derived numbers.
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { registerFunctor } from "@fluxion/functors";
import {
  Adam,
  Descent,
  Leaf,
  Momentum,
  NO_STATE,
  adjust,
  adjustInPlace,
  freeze,
  setup,
  thaw,
  trainable,
  trainables,
  registerTrainable,
  update,
  updateInPlace,
} from "@fluxion/optimisers";
import { disposeTree, expectClose, values } from "./helpers.js";

describe("setup", () => {
  test("mirrors the model: a Leaf per trainable tensor, [] elsewhere (setup docstring)", () => {
    const x = tf.tensor1d([0.3, 0.1, 0.7]);
    const m = { x, y: [true, false], z: Math.tanh };
    const t = assertNoLeaks(() => setup(new Momentum(), m), 1) as any;
    expect(t.x).toBeInstanceOf(Leaf);
    expect(t.y).toEqual([[], []]);
    expect(t.z).toBe(NO_STATE);
    expect(t.x.toString()).toBe("Leaf(Momentum(0.01, 0.9), [0.0, 0.0, 0.0])");
    disposeTree(t);
    x.dispose();
  });

  test("a registered class becomes a plain object keyed by field; an unregistered one is ignored", () => {
    class Layer {
      constructor(public mat: tf.Tensor, public fun: (x: number) => number) {}
    }
    const model = { lay: new Layer(tf.tensor2d([[1, 2], [3, 4]]), Math.sin), vec: tf.tensor1d([5, 6]) };
    const before = setup(new Momentum(), model) as any;
    expect(before.lay).toBe(NO_STATE);
    expect(before.vec.toString()).toBe("Leaf(Momentum(0.01, 0.9), [0.0, 0.0])");
    registerFunctor(Layer);
    const after = setup(new Momentum(), model) as any;
    expect(after.lay.mat.toString()).toBe("Leaf(Momentum(0.01, 0.9), [0.0 0.0; 0.0 0.0])");
    expect(after.lay.fun).toBe(NO_STATE);
    [before, after].forEach(disposeTree);
    tf.dispose([model.lay.mat, model.vec]);
  });

  test("a tied tensor gets the same Leaf; equal but distinct tensors do not", () => {
    const w = tf.ones([2]);
    const w2 = tf.ones([2]);
    const t = setup(new Adam(), { a: w, b: [w], c: w2 }) as any;
    expect(t.a).toBe(t.b[0]);
    expect(t.a).not.toBe(t.c);
    disposeTree(t);
    tf.dispose([w, w2]);
  });

  test("integer tensors, numbers and strings are never trained; warns when nothing is trainable", () => {
    const warn = jestSpyWarn();
    const i = tf.tensor1d([1, 2], "int32");
    const t = setup(new Descent(), { i, n: 3, s: "x" });
    expect(t).toEqual({ i: [], n: [], s: [] });
    expect(warn.calls).toEqual(["setup found no trainable parameters in this model"]);
    warn.restore();
    i.dispose();
  });

  test("setup rejects a non-rule", () => {
    expect(() => setup({} as any, { x: 1 })).toThrow("the first argument must be a rule");
  });
});

describe("update (pure)", () => {
  test("Descent docstring: x = [1,2,3], gradient [1,1,1] → [0.9, 1.9, 2.9]; inputs untouched", () => {
    const m = { x: tf.tensor1d([1, 2, 3]), y: Math.tanh };
    const t = setup(new Descent(0.1), m);
    const g = { x: tf.tensor1d([1, 1, 1]), y: null };
    const [t2, m2] = assertNoLeaks(() => update(t, m, g), 1); // the new x (Descent has no state)
    expectClose(m2.x, [0.9, 1.9, 2.9]);
    expect(m2.y).toBe(Math.tanh);
    expect(values(m.x)).toEqual([1, 2, 3]);
    expect((t2 as any).x.toString()).toBe("Leaf(Descent(0.1), nothing)");
    expect(t2).not.toBe(t);
    tf.dispose([m.x, m2.x, g.x]);
  });

  test("old tree and model keep their values; the new state is separate", () => {
    const m = { w: tf.tensor1d([1, -1]) };
    const t = setup(new Momentum(0.1, 0.9), m) as any;
    const g = { w: tf.tensor1d([1, 2]) };
    const [t2, m2] = update(t, m, g) as any;
    expect(values(t.w.state)).toEqual([0, 0]);
    expectClose(t2.w.state, [0.1, 0.2]);
    expectClose(m2.w, [0.9, -1.2]);
    disposeTree(t2);
    disposeTree(t);
    tf.dispose([m.w, m2.w, g.w]);
  });
});

describe("updateInPlace", () => {
  test("update! docstring: Momentum(1/30, 0.9) on a Variable and a plain tensor", () => {
    const x = tf.variable(tf.tensor1d([1, 2]));
    const y = tf.tensor1d([4, 5]);
    const m = { x, y };
    const t = setup(new Momentum(1 / 30, 0.9), m) as any;
    expect(t.x.toString()).toBe("Leaf(Momentum(0.03333333333333333, 0.9), [0.0, 0.0])");
    // structural gradient of sum(abs2.(m.x .+ m.y)): 2(x + y) for both
    const [gx, gy] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.add(a, b))))([x, y]);
    expect(values(gx!)).toEqual([10, 14]);
    const before = tf.memory().numTensors;
    const [t2, m2] = updateInPlace(t, m, { x: gx, y: gy });
    expect(tf.memory().numTensors - before).toBe(1); // only the new y; x was written in place
    expect(m2.x).toBe(m.x);
    expectClose(m2.x, [0.6666666, 1.5333333]);
    expectClose(m2.y, [3.6666667, 4.5333333]);
    expect(values(m.y)).toEqual([4, 5]); // a plain tensor cannot be written: the old one is untouched
    expect(t2).toBe(t);
    disposeTree(t);
    tf.dispose([x, y, m2.y, gx!, gy!]);
  });

  test("freeze! docstring: a frozen branch keeps its value and state", () => {
    const m = { x: [tf.variable(tf.tensor1d([1])), 2.0], y: tf.variable(tf.tensor1d([3])) };
    const s = setup(new Momentum(), m) as any;
    freeze(s.x);
    const g = { x: [tf.tensor1d([Math.PI]), 10 * Math.PI], y: tf.tensor1d([100 * Math.PI]) };
    updateInPlace(s, m, g);
    expect(values(m.x[0] as tf.Tensor)).toEqual([1]);
    expectClose(m.y, [-0.14159265358979312], 1e-5); // 3 − 0.01·100π in float32
    expect(s.x[0].toString()).toBe("Leaf(Momentum(0.01, 0.9), [0.0], frozen = true)");
    expect(s.x[1]).toBe(NO_STATE);
    expect(s.y.toString()).toBe("Leaf(Momentum(0.01, 0.9), [3.1415927])");
    thaw(s);
    expect(s.x[0].frozen).toBe(false);
    disposeTree(s);
    tf.dispose([m.x[0] as tf.Tensor, m.y, g.x[0] as tf.Tensor, g.y]);
  });

  test("tied tensors get one update with the summed gradient", () => {
    const w = tf.variable(tf.tensor1d([1, 1]));
    const m = { enc: { w }, dec: { w } };
    const t = setup(new Descent(0.5), m) as any;
    const g = { enc: { w: tf.tensor1d([1, 0]) }, dec: { w: tf.tensor1d([1, 4]) } };
    const [, m2] = updateInPlace(t, m, g);
    expectClose(w, [1 - 0.5 * 2, 1 - 0.5 * 4]);
    expect(m2).toBe(m);
    tf.dispose([w, g.enc.w, g.dec.w]);
  });

  test("tied plain tensors stay tied in the rebuilt model", () => {
    const w = tf.tensor1d([1, 1]);
    const m = { a: w, b: w };
    const t = setup(new Descent(1), m);
    const g = { a: tf.tensor1d([1, 1]), b: tf.tensor1d([1, 1]) };
    const [, m2] = updateInPlace(t, m, g);
    expect(m2.a).toBe(m2.b);
    expectClose(m2.a, [-1, -1]);
    tf.dispose([w, m2.a, g.a, g.b]);
  });

  test("a null gradient skips the leaf (state does not advance); a zero gradient steps", () => {
    const a = tf.variable(tf.tensor1d([1]));
    const b = tf.variable(tf.tensor1d([1]));
    const t = setup(new Adam(0.1), { a, b }) as any;
    const g1 = { a: tf.tensor1d([1]), b: tf.tensor1d([1]) };
    updateInPlace(t, { a, b }, g1);
    const zero = tf.tensor1d([0]);
    updateInPlace(t, { a, b }, { a: null, b: zero });
    expect(t.a.state[2]).toEqual([0.9 * 0.9, 0.999 * 0.999]); // one step: βt advanced once
    expect(t.b.state[2]).toEqual([0.9 ** 3, 0.999 ** 3]); // two steps
    expect(t.a.step).toBe(1);
    expect(t.b.step).toBe(2);
    // b moved on the zero-gradient step: m = 0.09, v = 0.000999 → m̂/(√v̂+ϵ) with βt = (0.81, 0.998001)
    const mHat = (0.1 * 0.9) / (1 - 0.81);
    const vHat = (0.001 * 0.999) / (1 - 0.998001);
    expectClose(b, [1 - 0.1 - 0.1 * (mHat / (Math.sqrt(vHat) + 1e-8))], 1e-5);
    disposeTree(t);
    tf.dispose([a, b, g1.a, g1.b, zero]);
  });

  test("updateInPlace leaks nothing over many steps", () => {
    const w = tf.variable(tf.randomNormal([4, 3]));
    const t = setup(new Adam(), { w });
    const g = { w: tf.onesLike(w) };
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) updateInPlace(t, { w }, g);
    expect(tf.memory().numTensors).toBe(before);
    disposeTree(t);
    tf.dispose([w, g.w]);
  });
});

describe("bad input", () => {
  test("a gradient of the wrong shape is a clear error and changes nothing", () => {
    const w = tf.variable(tf.tensor1d([1, 2]));
    const t = setup(new Momentum(), { w }) as any;
    const g = { w: tf.tensor1d([1, 2, 3]) };
    const before = tf.memory().numTensors;
    expect(() => updateInPlace(t, { w }, g)).toThrow('the gradient at KeyPath("w") has shape [3] but the parameter has shape [2]');
    expect(tf.memory().numTensors).toBe(before);
    expect(values(w)).toEqual([1, 2]);
    expect(t.w.step).toBe(0);
    disposeTree(t);
    tf.dispose([w, g.w]);
  });

  test("passing a rule instead of a state tree is an error", () => {
    const w = tf.tensor1d([1]);
    expect(() => update(new Descent() as any, { w }, { w })).toThrow("needs tree = setup(rule, model)");
    w.dispose();
  });

  test("freeze and thaw refuse a model", () => {
    const w = tf.tensor1d([1]);
    expect(() => freeze(w as any)).toThrow("freeze must not be applied to a model, only to the state tree from setup");
    expect(() => thaw(3 as any)).toThrow("thaw must not be applied to a model");
    w.dispose();
  });
});

describe("adjust", () => {
  test("a number sets eta, keeping the stored state; the original tree is untouched", () => {
    const w = tf.variable(tf.tensor1d([1, 2]));
    const t = setup(new Momentum(), { w }) as any;
    updateInPlace(t, { w }, { w: tf.tensor1d([16, 88]) });
    const t2 = assertNoLeaks(() => adjust(t, 0.123), 1) as any;
    expect(t2.w.rule.toString()).toBe("Momentum(0.123, 0.9)");
    expect(t.w.rule.toString()).toBe("Momentum(0.01, 0.9)");
    expectClose(t2.w.state, [0.16, 0.88]);
    expect(t2.w.state).not.toBe(t.w.state);
    adjustInPlace(t, { rho: 0.5 });
    expect(t.w.rule.toString()).toBe("Momentum(0.01, 0.5)");
    disposeTree(t);
    disposeTree(t2);
    w.dispose();
  });

  test("an unknown field is an error and nothing changes", () => {
    const w = tf.tensor1d([1]);
    const t = setup(new Momentum(), { w }) as any;
    expect(() => adjustInPlace(t, { beta: [0.9, 0.9] })).toThrow("no rule here has a field named 'beta'; the fields are eta, rho");
    expect(() => adjustInPlace(t, { rho: -0.1, eta: -1 })).toThrow("the learning rate eta cannot be negative");
    expect(t.w.rule.toString()).toBe("Momentum(0.01, 0.9)");
    expect(() => adjust(t, {})).toThrow("adjust must be given something to act on");
    disposeTree(t);
    w.dispose();
  });

  test("works on a bare rule", () => {
    expect(adjust(new Adam(), { beta: [0.5, 0.6] }).toString()).toBe("Adam(0.001, (0.5, 0.6), 1.0e-8)");
    expect(adjust(new Adam(), 0.1).toString()).toBe("Adam(0.1, (0.9, 0.999), 1.0e-8)");
  });
});

describe("trainable / trainables", () => {
  class Affine {
    constructor(public W: tf.Tensor, public b: tf.Tensor, public frozenScale: tf.Tensor) {}
  }
  registerFunctor(Affine);
  registerTrainable(Affine, ["W", "b"]);

  test("registerTrainable restricts what setup, update and trainables see", () => {
    const a = new Affine(tf.ones([2, 2]), tf.zeros([2]), tf.ones([2]));
    expect(Object.keys(trainable(a) as object)).toEqual(["W", "b"]);
    const t = setup(new Descent(), { a }) as any;
    expect(t.a.frozenScale).toBe(NO_STATE);
    expect(trainables({ a })).toEqual([a.W, a.b]);
    const withPaths = trainables({ a, again: a.W }, { path: true });
    expect(withPaths.map(([kp]) => kp.toString())).toEqual(['KeyPath("a", "W")', 'KeyPath("a", "b")']);
    disposeTree(t);
    tf.dispose([a.W, a.b, a.frozenScale]);
  });
});

function jestSpyWarn() {
  const calls: string[] = [];
  const original = console.warn;
  console.warn = (msg: string) => calls.push(msg);
  return { calls, restore: () => (console.warn = original) };
}
