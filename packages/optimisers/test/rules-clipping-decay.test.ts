// WeightDecay, SignDecay, ClipGrad, ClipNorm, ExpDecay and InvDecay, each against an independent
// float64 reference (see trajectory.ts), plus the constructors, printing, errors and leak checks of
// these rules and of AdaGrad, AdaDelta, Lion, OptimiserChain and AccumGrad.
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import type { Rule } from "../src/rule.js";
import { setup } from "../src/setup.js";
import { updateInPlace } from "../src/update.js";
import { adjust } from "../src/adjust.js";
import { Leaf, type StateTree } from "../src/leaf.js";
import { Descent } from "../src/rules/descent.js";
import { Adam } from "../src/rules/adam.js";
import { OptimiserChain } from "../src/rules/optimiser-chain.js";
import { AccumGrad } from "../src/rules/accum-grad.js";
import { AdaGrad } from "../src/rules/ada-grad.js";
import { AdaDelta } from "../src/rules/ada-delta.js";
import { Lion } from "../src/rules/lion.js";
import { WeightDecay } from "../src/rules/weight-decay.js";
import { SignDecay } from "../src/rules/sign-decay.js";
import { ClipGrad, ClipValue } from "../src/rules/clip-grad.js";
import { ClipNorm } from "../src/rules/clip-norm.js";
import { ExpDecay } from "../src/rules/exp-decay.js";
import { InvDecay } from "../src/rules/inv-decay.js";
import { disposeTree, variable } from "./helpers.js";
import { applyOnce, expectClose, expectNoLeak, expectTrajectory, refClipGrad, refClipNorm, refSignDecay, refWeightDecay, reference, sign, trajectory, zeros, type RefStep } from "./trajectory.js";

describe("trajectories against float64 references (7 steps, sign flips and zero gradients)", () => {

  test("WeightDecay and SignDecay (sign(0) = 0)", () => {
    expectTrajectory(trajectory(new WeightDecay(0.1)), reference(null, refWeightDecay(0.1)));
    expectTrajectory(trajectory(new WeightDecay()), reference(null, refWeightDecay(5e-4)));
    expectTrajectory(trajectory(new SignDecay(0.07)), reference(null, refSignDecay(0.07)));
    expectTrajectory(trajectory(new SignDecay()), reference(null, refSignDecay(1e-3)));
  });

  test("ClipGrad and its old name ClipValue", () => {
    expectTrajectory(trajectory(new ClipGrad(0.5)), reference(null, refClipGrad(0.5)));
    expectTrajectory(trajectory(new ClipValue(0.25)), reference(null, refClipGrad(0.25)));
    expectTrajectory(trajectory(new ClipGrad()), reference(null, refClipGrad(10)));
  });

  test.each([2, 1, Infinity, 0, 3, 0.5])("ClipNorm with p = %p", (p) => {
    expectTrajectory(trajectory(new ClipNorm(1, p)), reference(null, refClipNorm(1, p)));
  });

  test("ClipNorm with p = -Infinity (a zero element makes the norm 0: factor 1)", () => {
    expectTrajectory(trajectory(new ClipNorm(0.1, -Infinity)), reference(null, refClipNorm(0.1, -Infinity)));
  });

  test("ExpDecay and InvDecay in a chain with Descent", () => {
    const invRef: RefStep<number> = (n, _x, dx) => [n + 1, dx.map((g) => g * (1 / (1 + 0.2 * n)))];
    expectTrajectory(trajectory(new InvDecay(0.2)), reference(1, invRef));
    // eta 0.5, decay 0.5 every 2 steps from step 1 (start = 1), floor 0.1: iterate like old Flux.
    const expRef: RefStep<[number, number]> = ([n, eta], _x, dx) => {
      const n2 = n + 1;
      const eta2 = n2 > 1 && n2 % 2 === 0 ? Math.max(eta * 0.5, 0.1) : eta;
      return [[n2, eta2], dx.map((g) => g * eta2 * 0.3)];
    };
    expectTrajectory(trajectory(new OptimiserChain(new ExpDecay(0.5, 0.5, 2, 0.1), new Descent(0.3))), reference<[number, number]>([0, 0.5], expRef));
  });
});

// ---------- ClipNorm specifics ----------

describe("ClipNorm", () => {
  const dx = [3, -4, 0, 1];
  test.each([
    [2, Math.sqrt(26)],
    [1, 8],
    [Infinity, 4],
    [0, 3],
    [3, 92 ** (1 / 3)],
  ])("p = %p: the norm is %p and the gradient is scaled by min(ω/n, 1)", (p, n) => {
    expectClose(applyOnce(new ClipNorm(2, p), [0, 0, 0, 0], dx), dx.map((g) => g * Math.min(2 / n, 1)));
    expectClose(applyOnce(new ClipNorm(100, p), [0, 0, 0, 0], dx), dx); // under the bound: unchanged
  });

  test("a zero gradient stays zero (ω/0 = Inf gives factor 1)", () => {
    expectClose(applyOnce(new ClipNorm(1), [1, 2], [0, 0]), [0, 0]);
    expectClose(applyOnce(new ClipNorm(1, 2, false), [1, 2], [0, 0]), [0, 0]);
  });

  test("large float32 gradients whose squares overflow still have a finite 2-norm", () => {
    expectClose(applyOnce(new ClipNorm(1), [0, 0], [3e20, -4e20]), [0.6, -0.8]);
    expectClose(applyOnce(new ClipNorm(1, 3, false), [0, 0], [1e20, 1e20]), [2 ** (-1 / 3), 2 ** (-1 / 3)]);
  });

  test("an infinite or NaN norm throws a clear error, naming p, the norm and the shape", () => {
    expect(() => applyOnce(new ClipNorm(), [0, 0, 0], [1, Infinity, 2])).toThrow("gradient has 2-norm Infinity, for array of shape [3]");
    expect(() => applyOnce(new ClipNorm(10, 1), [0, 0], [1, NaN])).toThrow("gradient has 1-norm NaN, for array of shape [2]");
    const before = tf.memory().numTensors;
    expect(() => applyOnce(new ClipNorm(10, Infinity), [0], [-Infinity])).toThrow("gradient has Infinity-norm Infinity");
    expect(tf.memory().numTensors).toBe(before);
  });

  test("with throw = false an infinite norm gives factor 0 (NaN where dx is infinite), as in Julia", () => {
    const out = applyOnce(new ClipNorm({ omega: 10, throw: false }), [0, 0, 0], [1, Infinity, -2]);
    expect(out[0]).toBe(0);
    expect(out[1]).toBeNaN();
    expect(Object.is(out[2], -0) || out[2] === 0).toBe(true);
  });

  test("through updateInPlace, the error leaves the parameter and the state as they were, and leaks nothing", () => {
    const start = tf.memory().numTensors;
    const x = variable([1, 2, 3]);
    const tree = setup(new OptimiserChain(new ClipNorm(), new Adam()), x) as Leaf;
    const ok = tf.tensor1d([0.1, 0.2, 0.3]);
    updateInPlace(tree, x, ok);
    const before = Array.from(x.dataSync());
    const bad = tf.tensor1d([0, Infinity, 0]);
    expect(() => updateInPlace(tree, x, bad)).toThrow("gradient has 2-norm Infinity, for array of shape [3]");
    expect(Array.from(x.dataSync())).toEqual(before);
    expect(tree.step).toBe(1);
    const free = new ClipNorm({ throw: false });
    const tree2 = setup(free, x);
    expect(() => updateInPlace(tree2, x, bad)).not.toThrow();
    expect(Array.from(x.dataSync())[1]).toBeNaN();
    tf.dispose([ok, bad]);
    disposeTree(tree);
    x.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});

// ---------- constructors, defaults, printing, errors ----------

describe("constructors, defaults and printing", () => {
  test.each<[string, () => Rule, () => Rule, string]>([
    ["AdaGrad", () => new AdaGrad(0.2, 1e-6), () => new AdaGrad({ eta: 0.2, epsilon: 1e-6 }), "AdaGrad(0.2, 1.0e-6)"],
    ["AdaDelta", () => new AdaDelta(0.95, 1e-6), () => new AdaDelta({ rho: 0.95, epsilon: 1e-6 }), "AdaDelta(0.95, 1.0e-6)"],
    ["Lion", () => new Lion(0.01, [0.8, 0.99]), () => new Lion({ eta: 0.01, beta: [0.8, 0.99] }), "Lion(0.01, (0.8, 0.99))"],
    ["WeightDecay", () => new WeightDecay(0.01), () => new WeightDecay({ lambda: 0.01 }), "WeightDecay(0.01)"],
    ["SignDecay", () => new SignDecay(0.01), () => new SignDecay({ lambda: 0.01 }), "SignDecay(0.01)"],
    ["ClipGrad", () => new ClipGrad(1), () => new ClipGrad({ delta: 1 }), "ClipGrad(1.0)"],
    ["ClipNorm", () => new ClipNorm(1, Infinity, false), () => new ClipNorm({ omega: 1, p: Infinity, throw: false }), "ClipNorm(1.0, Inf, false)"],
    ["ExpDecay", () => new ExpDecay(1, 0.5, 10, 0.01, 0), () => new ExpDecay({ eta: 1, decay: 0.5, decayStep: 10, clip: 0.01, start: 0 }), "ExpDecay(1.0, 0.5, 10, 0.01, 0)"],
    ["InvDecay", () => new InvDecay(0.5), () => new InvDecay({ gamma: 0.5 }), "InvDecay(0.5)"],
  ])("%s: positional and named forms agree and print in Julia's positional form", (_name, positional, named, shown) => {
    expect(positional().toString()).toBe(shown);
    expect(named().toString()).toBe(shown);
    expect({ ...positional() }).toEqual({ ...named() });
  });

  test("defaults and their printed forms", () => {
    expect(new AdaGrad().toString()).toBe("AdaGrad(0.1, 1.0e-8)");
    expect(new AdaDelta().toString()).toBe("AdaDelta(0.9, 1.0e-8)");
    expect(new Lion().toString()).toBe("Lion(0.001, (0.9, 0.999))");
    expect(new WeightDecay().toString()).toBe("WeightDecay(0.0005)");
    expect(new SignDecay().toString()).toBe("SignDecay(0.001)");
    expect(new ClipGrad().toString()).toBe("ClipGrad(10.0)");
    expect(new ClipValue().toString()).toBe("ClipGrad(10.0)");
    expect(new ClipNorm().toString()).toBe("ClipNorm(10.0, 2.0, true)");
    expect(new ExpDecay().toString()).toBe("ExpDecay(0.001, 0.1, 1000, 0.0001, 1)");
    expect(new InvDecay().toString()).toBe("InvDecay(0.001)");
    const adaGrad = new AdaGrad();
    expect([adaGrad.eta, adaGrad.epsilon]).toEqual([0.1, 1e-8]);
    const adaDelta = new AdaDelta();
    expect([adaDelta.rho, adaDelta.epsilon]).toEqual([0.9, 1e-8]);
    expect(adaDelta.fieldNames()).toEqual(["rho", "epsilon"]);
    expect(new Lion().beta).toEqual([0.9, 0.999]);
    const clipNorm = new ClipNorm();
    expect([clipNorm.omega, clipNorm.p, clipNorm.throw]).toEqual([10, 2, true]);
    const exp = new ExpDecay();
    expect([exp.eta, exp.decay, exp.decayStep, exp.clip, exp.start]).toEqual([0.001, 0.1, 1000, 1e-4, 1]);
    expect(new ClipNorm(5).toString()).toBe("ClipNorm(5.0, 2.0, true)"); // a later positional may be left out
  });

  test("init states: AdaGrad fills epsilon, AdaDelta two zero arrays, Lion zeros, decays count", () => {
    const x = tf.tensor1d([1, -2]);
    const tree = setup(new AdaGrad(0.1, 0.25), x);
    expect(tree.toString()).toBe("Leaf(AdaGrad(0.1, 0.25), [0.25, 0.25])");
    disposeTree(tree);
    const t2 = setup(new AdaDelta(), x);
    expect(t2.toString()).toBe("Leaf(AdaDelta(0.9, 1.0e-8), ([0.0, 0.0], [0.0, 0.0]))");
    disposeTree(t2);
    const t3 = setup(new Lion(), x);
    expect(t3.toString()).toBe("Leaf(Lion(0.001, (0.9, 0.999)), [0.0, 0.0])");
    disposeTree(t3);
    for (const [rule, shown] of [
      [new WeightDecay(), "nothing"],
      [new SignDecay(), "nothing"],
      [new ClipGrad(), "nothing"],
      [new ClipNorm(), "nothing"],
      [new InvDecay(), "1"],
      [new ExpDecay(), "(0, 0)"],
    ] as const) {
      expect((setup(rule, x) as Leaf).toString()).toBe(`Leaf(${rule}, ${shown})`);
    }
    x.dispose();
  });

  test("invalid hyper-parameters throw clear errors", () => {
    expect(() => new AdaGrad(-0.1)).toThrow("the learning rate eta cannot be negative");
    expect(() => new Lion({ eta: -1 })).toThrow("eta cannot be negative");
    expect(() => new ExpDecay(-1)).toThrow("eta cannot be negative");
    expect(() => new AdaGrad({ eta: 0.1, rho: 0.9 } as never)).toThrow("AdaGrad: unknown field 'rho'; its fields are eta, epsilon");
    expect(() => new AdaDelta({ eta: 0.1 } as never)).toThrow("AdaDelta: unknown field 'eta'");
    expect(() => new ClipNorm({ omega: 1, delta: 2 } as never)).toThrow("unknown field 'delta'");
    expect(() => new AdaDelta(0.9, 1e-8, 3 as never)).toThrow("takes at most 2 positional argument(s)");
    expect(() => new Lion(0.001, 0.9 as never)).toThrow("field beta must be a tuple of 2 numbers");
    expect(() => new WeightDecay("0.1" as never)).toThrow('field lambda must be a number or a schedule, got "0.1"');
    expect(() => new ClipNorm(10, 2, "yes" as never)).toThrow("field throw must be true or false");
    expect(() => new ClipGrad(-1)).toThrow("ClipGrad: delta cannot be negative, got -1");
    expect(() => new ClipNorm(-1)).toThrow("ClipNorm: omega cannot be negative, got -1");
    expect(() => new InvDecay(-0.5)).toThrow("InvDecay: gamma cannot be negative");
    expect(() => new ExpDecay({ decayStep: 0 })).toThrow("ExpDecay: decayStep must be a whole number >= 1, got 0");
    expect(() => new ExpDecay({ decayStep: 2.5 })).toThrow("decayStep must be a whole number");
    expect(() => new ExpDecay({ start: 0.5 })).toThrow("ExpDecay: start must be a whole number");
    expect(() => new ExpDecay({ decay: -0.1 })).toThrow("ExpDecay: decay cannot be negative");
    expect(() => new ExpDecay({ clip: -1 })).toThrow("ExpDecay: clip cannot be negative");
  });

  test("adjust reaches the new rules' fields, including through a chain", () => {
    const chain = adjust(new OptimiserChain(new ClipNorm(), new WeightDecay(), new AdaGrad()), { lambda: 0.1, omega: 3, eta: 0.5 });
    expect(chain.toString()).toBe("OptimiserChain(ClipNorm(3.0, 2.0, true), WeightDecay(0.1), AdaGrad(0.5, 1.0e-8))");
    expect(() => adjust(new AdaDelta(), 0.1)).toThrow("no rule here has a field named 'eta'");
  });
});

// ---------- ExpDecay and InvDecay factors ----------

describe("old Flux decays", () => {
  /** The factors a rule multiplies a gradient of 1 by, over `steps` updates. */
  function factors(rule: Rule, steps: number): number[] {
    const x = variable([0]);
    const tree = setup(rule, x);
    const out: number[] = [];
    const one = tf.tensor1d([1]);
    for (let i = 0; i < steps; i++) {
      const before = x.dataSync()[0]!;
      updateInPlace(tree, x, one);
      out.push(before - x.dataSync()[0]!);
    }
    one.dispose();
    disposeTree(tree);
    x.dispose();
    return out;
  }

  test("InvDecay(0.5): the counter starts at 1, so factors 1/1.5, 1/2, 1/2.5, 1/3", () => {
    expectClose(factors(new InvDecay(0.5), 4), [1 / 1.5, 1 / 2, 1 / 2.5, 1 / 3]);
  });

  test("ExpDecay(1, 0.5, 2, 0.1, 0): decays at n = 2, 4, 6, 8, floored at 0.1", () => {
    expectClose(factors(new ExpDecay(1, 0.5, 2, 0.1, 0), 8), [1, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125, 0.1]);
  });

  test("ExpDecay's start: no decay at n ≤ start", () => {
    expectClose(factors(new ExpDecay(1, 0.5, 1, 0, 1), 3), [1, 0.5, 0.25]);
    expectClose(factors(new ExpDecay(1, 0.5, 2, 0, 3), 6), [1, 1, 1, 0.5, 0.5, 0.25]);
  });

  test("ExpDecay with decay > 1 matches old Flux's iterated max(rate*decay, clip)", () => {
    // 0.1 → max(0.2, 1) = 1 → 2 → 4 (a closed form max(eta*decayᵏ, clip) would give 1, 1, 1, 1.6).
    expectClose(factors(new ExpDecay(0.1, 2, 1, 1, 0), 4), [1, 2, 4, 8]);
  });

  test("ExpDecay's state keeps counts, so adjusting eta takes effect at once", () => {
    const x = variable([0]);
    let tree: StateTree = setup(new ExpDecay(1, 0.5, 1, 0, 0), x);
    const one = tf.tensor1d([1]);
    updateInPlace(tree, x, one);
    updateInPlace(tree, x, one);
    expect((tree as Leaf).state).toEqual([2, 2]);
    const old = tree;
    tree = adjust(tree, 8);
    disposeTree(old);
    const before = x.dataSync()[0]!;
    updateInPlace(tree, x, one);
    expect(before - x.dataSync()[0]!).toBeCloseTo(8 * 0.5 ** 3, 6);
    one.dispose();
    disposeTree(tree);
    x.dispose();
  });
});

// ---------- leak checks ----------

describe("no tensor leaks: setup + 3 updateInPlace + disposal returns to the start", () => {
  test.each<[string, () => Rule]>([
    ["AdaGrad", () => new AdaGrad()],
    ["AdaDelta", () => new AdaDelta()],
    ["Lion", () => new Lion()],
    ["WeightDecay", () => new WeightDecay()],
    ["SignDecay", () => new SignDecay()],
    ["ClipGrad", () => new ClipGrad(0.5)],
    ["ClipNorm (throw)", () => new ClipNorm(1)],
    ["ClipNorm (no throw, p = 3)", () => new ClipNorm(1, 3, false)],
    ["ClipNorm (p = 0)", () => new ClipNorm(1, 0)],
    ["ExpDecay", () => new ExpDecay(1, 0.5, 1)],
    ["InvDecay", () => new InvDecay()],
    ["chain(AccumGrad, WeightDecay, Lion)", () => new OptimiserChain(new AccumGrad(2), new WeightDecay(), new Lion())],
    ["chain(ClipNorm, AdaDelta, InvDecay)", () => new OptimiserChain(new ClipNorm(), new AdaDelta(), new InvDecay())],
  ])("%s", (_name, rule) => expectNoLeak(rule()));
});
