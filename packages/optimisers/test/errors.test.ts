// Issue 13: bad input to the optimisers is an Error naming the function, the field or path and the
// value; model, state and files are unchanged, and no tensor leaks.
import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import {
  AccumGrad,
  Adam,
  AdamW,
  AdaDelta,
  ClipGrad,
  ClipNorm,
  Descent,
  ExpDecay,
  Momentum,
  OptimiserChain,
  RMSProp,
  Rprop,
  WeightDecay,
  adjust,
  adjustInPlace,
  destructure,
  freeze,
  isNumeric,
  loadState,
  saveState,
  setup,
  thaw,
  update,
  updateInPlace,
  type StateTree,
} from "@fluxion/optimisers";
import { Lin, complexOk, expectRefused, snapshot } from "./error-helpers.js";
import { disposeTree } from "./helpers.js";

describe("hyper-parameters outside their domain", () => {
  test.each([
    ["new Adam(Infinity)", () => new Adam(Infinity), "Adam: the learning rate eta must be finite (and >= 0), got Infinity"],
    ["new Adam({ beta: [1.5, 0.999] })", () => new Adam({ beta: [1.5, 0.999] }), "Adam: beta must be in [0, 1) (each element), got [1.5, 0.999]"],
    ["new Momentum(0.01, 5)", () => new Momentum(0.01, 5), "Momentum: rho must be in [0, 1), got 5"],
    ["negative rho", () => new RMSProp({ rho: -0.1 }), "RMSProp: rho must be in [0, 1), got -0.1"],
    ["rho = 1", () => new AdaDelta(1), "AdaDelta: rho must be in [0, 1), got 1"],
    ["epsilon 0", () => new Adam({ epsilon: 0 }), "Adam: epsilon must be positive and finite, got 0"],
    ["AdamW negative lambda", () => new AdamW({ lambda: -1 }), "AdamW: lambda cannot be negative, got -1"],
    ["WeightDecay Infinity", () => new WeightDecay(Infinity), "WeightDecay: lambda must be finite (and >= 0), got Infinity"],
    ["Rprop ell Infinity", () => new Rprop({ ell: [0.5, Infinity] }), "Rprop: ell must be positive and finite (each element), got [0.5, Infinity]"],
    ["AccumGrad 1.5", () => new AccumGrad(1.5), "AccumGrad must accumulate at least one gradient: n must be a whole number >= 1, got 1.5"],
    ["ExpDecay decayStep Infinity", () => new ExpDecay({ decayStep: Infinity }), "ExpDecay: decayStep must be a whole number >= 1, got Infinity"],
    ["ClipGrad -Infinity", () => new ClipGrad(-Infinity), "ClipGrad: delta cannot be negative, got -Infinity"],
  ])("%s", (_name, make, message) => {
    expectRefused(make, message);
  });

  test("bounds that never bind are allowed: ClipGrad(Infinity), ClipNorm p = ±Infinity, Rprop gamma [0, Infinity]", () => {
    expect(new ClipGrad(Infinity).toString()).toBe("ClipGrad(Inf)");
    expect(new ClipNorm(Infinity, -Infinity).p).toBe(-Infinity);
    expect(new Rprop({ gamma: [0, Infinity] }).gamma).toEqual([0, Infinity]);
  });

  test("adjust checks too, and a failed adjust leaves the tree and its rules unchanged", () => {
    const model = { w: tf.variable(tf.tensor1d([1, 2])), v: tf.variable(tf.tensor1d([3])) };
    const tree = setup(new OptimiserChain(new ClipGrad(1), new Momentum()), model);
    const before = snapshot(tree);
    expectRefused(() => adjustInPlace(tree, { rho: 5 }), "Momentum: rho must be in [0, 1), got 5");
    expectRefused(() => adjust(tree, { delta: -2 }), "ClipGrad: delta cannot be negative, got -2");
    expectRefused(() => adjust(tree, Infinity), "Momentum: the learning rate eta must be finite");
    expectRefused(() => adjust(new Adam(), { beta: [0.9, 1] }), "Adam: beta must be in [0, 1)");
    expect(snapshot(tree)).toEqual(before);
    disposeTree(tree);
    tf.dispose(model);
  });

  test("a schedule is checked where it is evaluated: update fails naming the step, nothing changes", () => {
    const w = tf.variable(tf.tensor1d([1, 2]));
    const tree = setup(new Momentum({ rho: (t: number) => (t < 1 ? 0.9 : 1.5) }), { w }) as StateTree;
    const g = { w: tf.tensor1d([1, 1]) };
    updateInPlace(tree, { w }, g); // step 0: rho 0.9
    const before = snapshot([tree, w]);
    expectRefused(() => updateInPlace(tree, { w }, g), "Momentum: a schedule gave a value outside its field's domain at step 1: Momentum: rho must be in [0, 1), got 1.5");
    expect(snapshot([tree, w])).toEqual(before);
    disposeTree(tree);
    tf.dispose([w, g.w]);
  });
});

describe("update and updateInPlace refuse a gradient that does not fit", () => {
  let model: { layers: Lin[] };
  let tree: StateTree;
  let before: Record<string, unknown>;
  beforeEach(() => {
    model = { layers: [Lin.make(3, 2), Lin.make(2, 1)] };
    tree = setup(new Adam(), model);
    updateInPlace(tree, model, gradOf(model)); // a step taken, so the state is not all zeros
    before = snapshot([tree, model]);
  });
  afterEach(() => {
    expect(snapshot([tree, model])).toEqual(before);
    disposeTree(tree);
    tf.dispose(model.layers.flatMap((l) => [l.weight, l.bias]));
  });
  const gradOf = (m: { layers: Lin[] }) => ({ layers: m.layers.map((l) => ({ weight: tf.onesLike(l.weight), bias: tf.onesLike(l.bias), act: null })) });
  const withGrad = (f: (g: ReturnType<typeof gradOf>) => void): void => {
    const g = gradOf(model);
    try {
      f(g);
    } finally {
      tf.dispose(g.layers.flatMap((l) => [l.weight, l.bias]).filter((t) => !t.isDisposed));
    }
  };

  test("no gradient at all", () => {
    expectRefused(() => (updateInPlace as any)(tree, model), "updateInPlace(tree, model, grad): no gradient given (pass null to skip the step)");
    expectRefused(() => (update as any)(tree, model), "update(tree, model, grad): no gradient given");
  });

  test("the whole result of gradient(f, model) where its first element belongs", () => {
    withGrad((g) => {
      expectRefused(() => updateInPlace(tree, model, [g]), "updateInPlace: the gradient at KeyPath() is an array of length 1 but the model has a plain object there; gradient(f, model) returns one gradient per argument: pass its first element");
    });
  });

  test("a misspelt key is an error naming its path, not a silently skipped weight", () => {
    withGrad((g) => {
      const bad = { layers: [{ weigth: g.layers[0]!.weight, bias: g.layers[0]!.bias }, g.layers[1]] };
      expectRefused(() => updateInPlace(tree, model, bad), 'updateInPlace: the gradient at KeyPath("layers", 0, "weigth") has no place in the model: a Lin has only weight, bias, act');
    });
  });

  test("a tensor where the model has a layer, an array where it has fields", () => {
    withGrad((g) => {
      expectRefused(() => update(tree, model, { layers: [g.layers[0]!.weight, null] }), 'update: the gradient at KeyPath("layers", 0) is a tensor but the model has a Lin there');
      expectRefused(() => update(tree, model, { layers: [[g.layers[0]!.weight], null] }), 'update: the gradient at KeyPath("layers", 0) is an array of length 1 but the model has a Lin there');
      expectRefused(() => update(tree, model, { layers: [null, null, null] }), 'update: the gradient at KeyPath("layers") has 3 entries but the model has 2 there');
    });
  });

  test("a disposed gradient, a string gradient", () => {
    withGrad((g) => {
      g.layers[1]!.bias.dispose();
      expectRefused(() => updateInPlace(tree, model, g), 'updateInPlace: the gradient at KeyPath("layers", 1, "bias") is a disposed tensor');
      const s = tf.tensor(["a", "b"], [2], "string");
      expectRefused(() => update(tree, model, { layers: [{ bias: s }, null] }), 'update: the gradient at KeyPath("layers", 0, "bias") is a string tensor; gradients must be float32');
      s.dispose();
    });
  });

  test("a disposed parameter", () => {
    const live = model.layers[0]!.bias;
    const dead = tf.variable(tf.zeros([2]));
    dead.dispose();
    model.layers[0]!.bias = dead;
    withGrad((g) => expectRefused(() => updateInPlace(tree, model, g), 'updateInPlace: the parameter at KeyPath("layers", 0, "bias") is a disposed tensor'));
    model.layers[0]!.bias = live;
  });

  test("disposed state", () => {
    const leaf = (tree as any).layers[1].weight;
    const live = leaf.state[1];
    const dead = tf.zerosLike(live);
    dead.dispose();
    leaf.state = [leaf.state[0], dead, leaf.state[2]];
    withGrad((g) => expectRefused(() => updateInPlace(tree, model, g), 'updateInPlace: the optimiser state at KeyPath("layers", 1, "weight") does not fit the parameter: its state tensor 2 is disposed'));
    leaf.state = [leaf.state[0], live, leaf.state[2]];
  });

  test("swapped arguments: the model as the tree, or the tree as the model", () => {
    withGrad((g) => {
      expectRefused(() => updateInPlace(model.layers[0] as any, tree as any, g), "updateInPlace(tree, model, grad) needs tree = setup(rule, model), got a Lin (are the tree and the model swapped?)");
      expectRefused(() => update(model as any, tree as any, g), 'update: the model has a Leaf or the state tree a tensor at KeyPath("layers", 0, "weight")');
    });
  });
});

describe("a state tree that does not fit the model", () => {
  // The two cases: state for Dense(3 => 2) used with Dense(5 => 2) (tfjs failed to broadcast),
  // and for Dense(1 => 2) used with Dense(4 => 2) (tfjs broadcast silently, Adam's moments grew).
  test.each([
    [3, 5, "is float32 [3, 2] but the parameter is float32 [5, 2]"],
    [1, 4, "is float32 [1, 2] but the parameter is float32 [4, 2]"],
  ])("state for Lin(%i => 2) used with Lin(%i => 2)", (from, to, text) => {
    const small = Lin.make(from, 2);
    const big = Lin.make(to, 2);
    const tree = setup(new Adam(), small);
    const g = { weight: tf.onesLike(big.weight), bias: tf.onesLike(big.bias) };
    const before = snapshot([tree, big]);
    expectRefused(() => updateInPlace(tree, big, g), `updateInPlace: the optimiser state at KeyPath("weight") does not fit the parameter: its state tensor 1 ${text} (was the state made for another model?)`);
    expectRefused(() => update(tree, big, g), 'update: the optimiser state at KeyPath("weight")');
    const bytes = saveState(tree);
    expectRefused(() => loadState(bytes, big), `loadState: the optimiser state at KeyPath("weight") does not fit the model: its state tensor 1 ${text}`);
    expect(snapshot([tree, big])).toEqual(before);
    const ok = assertNoLeaks(() => loadState(bytes, small)); // the model it was saved for
    expect(snapshot(ok)).toEqual(snapshot(tree));
    [tree, ok].forEach(disposeTree);
    tf.dispose([small.weight, small.bias, big.weight, big.bias, g.weight, g.bias]);
  });

  test("loadState with a model of another structure names the path", () => {
    const a = { enc: Lin.make(2, 2) };
    const tree = setup(new Descent(), a);
    const bytes = saveState(tree);
    const b = { enc: Lin.make(2, 2), dec: Lin.make(2, 2) };
    expectRefused(() => loadState(bytes, b), 'loadState: the state tree has no entry at KeyPath("dec") of the model; was it saved for another model?');
    expectRefused(() => loadState(bytes, { enc: new Lin(3 as never, b.enc.bias) }), 'loadState: the state tree has a Leaf at KeyPath("enc", "weight") but the model has the number 3 there');
    disposeTree(tree);
    tf.dispose([a.enc.weight, a.enc.bias, b.enc.weight, b.enc.bias, b.dec.weight, b.dec.bias]);
  });
});

describe("freeze, thaw and adjust given the model", () => {
  test.each([
    ["freeze", (m: any) => freeze(m)],
    ["thaw", (m: any) => thaw(m)],
    ["adjust", (m: any) => adjust(m, 0.1)],
    ["adjustInPlace", (m: any) => adjustInPlace(m, { eta: 0.1 })],
  ])("%s refuses a model, naming what it found", (fn, call) => {
    const model = { layers: [Lin.make(2, 2)] };
    const before = snapshot(model);
    expectRefused(() => call(model), `${fn} must not be applied to a model, only to the state tree from setup (found a Lin at KeyPath("layers", 0))`);
    expectRefused(() => call({ w: model.layers[0]!.weight }), `${fn} must not be applied to a model, only to the state tree from setup (found a Variable at KeyPath("w"))`);
    expect(snapshot(model)).toEqual(before);
    tf.dispose([model.layers[0]!.weight, model.layers[0]!.bias]);
  });
});

describe("destructure and Restructure", () => {
  test("re of a string tensor names Restructure; a disposed vector too", () => {
    const m = { w: tf.tensor1d([1, 2]) };
    const [flat, re] = destructure(m);
    const s = tf.tensor(["a", "b"], [2], "string");
    expectRefused(() => re(s), "Restructure expected a float32 vector (int32 and bool are converted), got a string tensor");
    flat.dispose();
    expectRefused(() => re(flat), "Restructure was given a disposed tensor");
    tf.dispose([s, m.w]);
  });

  test("a disposed parameter is refused by destructure", () => {
    const w = tf.tensor1d([1, 2]);
    w.dispose();
    expectRefused(() => destructure({ w }), 'destructure: the parameter at KeyPath("w") is a disposed tensor');
  });

  test("complex parameters are refused everywhere; isNumeric means float32 only", () => {
    if (!complexOk()) return; // wasm has no complex numbers
    const c = tf.complex([1, 2], [0, 1]);
    const m = { c, w: tf.tensor1d([1]) };
    expect(isNumeric(c)).toBe(false);
    expectRefused(() => destructure(m), 'destructure: the model has a complex64 tensor at KeyPath("c"); fluxion trains float32 tensors only');
    expectRefused(() => setup(new Adam(), m), "setup: the model has a complex64 tensor; fluxion trains float32 tensors only");
    tf.dispose([c, m.w]);
  });
});
