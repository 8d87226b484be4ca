// Schedule factories: values at hand-derived steps, printing, specs, eager validation, and
// schedules as hyper-parameters through setup/update/adjust (the first update uses step 0).
import { disposeTree, variable } from "./helpers.js";
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import type { Schedule } from "../src/schedule.js";
import {
  constant,
  cosineDecay,
  exponentialDecay,
  joinSchedules,
  linearWarmup,
  scheduleFromSpec,
  stepDecay,
  warmupCosineDecay,
} from "../src/schedules.js";
import { setup } from "../src/setup.js";
import { update, updateInPlace } from "../src/update.js";
import { adjust } from "../src/adjust.js";
import type { Leaf, StateTree } from "../src/leaf.js";
import { Descent } from "../src/rules/descent.js";
import { WeightDecay } from "../src/rules/weight-decay.js";
import { OptimiserChain } from "../src/rules/optimiser-chain.js";

/** Values at steps 0..n−1 (or at the given steps). */
const at = (s: Schedule, steps: number[]): number[] => steps.map((t) => s(t));
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

function expectValues(got: number[], want: number[]): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    if (Math.abs(g - want[i]!) > 1e-12 * Math.max(1, Math.abs(want[i]!))) {
      throw new Error(`value ${i}: got ${g}, expected ${want[i]}\n  got:      [${got}]\n  expected: [${want}]`);
    }
  });
}



describe("values", () => {
  test("constant", () => {
    expectValues(at(constant(0.3), [0, 1, 1000]), [0.3, 0.3, 0.3]);
  });

  test("exponentialDecay: init * rate^(step/T), staircase floors the exponent, endValue clips", () => {
    const s = exponentialDecay({ init: 0.1, decayRate: 0.5, transitionSteps: 100 });
    expectValues(at(s, [0, 50, 100, 250]), [0.1, 0.1 * Math.SQRT1_2, 0.05, 0.1 * 0.5 ** 2.5]);
    const stair = exponentialDecay({ init: 0.1, decayRate: 0.5, transitionSteps: 100, staircase: true });
    expectValues(at(stair, [0, 99, 100, 199, 250]), [0.1, 0.1, 0.05, 0.05, 0.025]);
    const floored = exponentialDecay({ init: 0.1, decayRate: 0.5, transitionSteps: 100, endValue: 0.03 });
    expectValues(at(floored, [100, 250, 10000]), [0.05, 0.03, 0.03]);
    const growing = exponentialDecay({ init: 0.1, decayRate: 2, transitionSteps: 100, endValue: 0.3 });
    expectValues(at(growing, [0, 100, 200]), [0.1, 0.2, 0.3]);
  });

  test("stepDecay: init * factor^floor(step/stepSize)", () => {
    expectValues(at(stepDecay({ init: 1, factor: 0.5, stepSize: 2 }), range(6)), [1, 1, 0.5, 0.5, 0.25, 0.25]);
    expectValues(at(stepDecay({ init: 3, factor: 0, stepSize: 1 }), range(3)), [3, 0, 0]);
  });

  test("cosineDecay: half a cosine to init*alpha, then flat", () => {
    const c = Math.SQRT1_2;
    expectValues(at(cosineDecay({ init: 2, decaySteps: 4 }), [0, 1, 2, 3, 4, 10]), [2, 1 + c, 1, 1 - c, 0, 0]);
    expectValues(at(cosineDecay({ init: 2, decaySteps: 4, alpha: 0.1 }), [0, 2, 4, 100]), [2, 1.1, 0.2, 0.2]);
  });

  test("linearWarmup: from → to over `steps`, then to", () => {
    expectValues(at(linearWarmup({ to: 1, steps: 4 }), [0, 1, 2, 3, 4, 10]), [0, 0.25, 0.5, 0.75, 1, 1]);
    expectValues(at(linearWarmup({ from: 0.5, to: 1.5, steps: 2 }), [0, 1, 2, 3]), [0.5, 1, 1.5, 1.5]);
    expectValues(at(linearWarmup({ from: 0.1, to: 0.3, steps: 3 }), [3]), [0.3]); // exactly `to`, no rounding
  });

  test("joinSchedules: after boundary b the next schedule runs with step − b; numbers are constants", () => {
    const s = joinSchedules([constant(1), linearWarmup({ to: 1, steps: 2 }), 0.25], [3, 6]);
    expectValues(at(s, [0, 1, 2, 3, 4, 5, 6, 100]), [1, 1, 1, 0, 0.5, 1, 0.25, 0.25]);
    expectValues(at(joinSchedules([constant(7)], []), [0, 9]), [7, 7]);
    // A zero boundary: the first schedule never runs.
    expectValues(at(joinSchedules([1, stepDecay({ init: 2, factor: 0.5, stepSize: 1 })], [0]), [0, 1]), [2, 1]);
  });

  test("warmupCosineDecay: 0 → peak linearly, then cosine to `end` by step decaySteps (warmup included)", () => {
    const s = warmupCosineDecay({ peak: 1, warmupSteps: 2, decaySteps: 6, end: 0.1 });
    const cos = (t: number) => 0.9 * 0.5 * (1 + Math.cos((Math.PI * t) / 4)) + 0.1;
    expectValues(at(s, [0, 1, 2, 3, 4, 5, 6, 50]), [0, 0.5, 1, cos(1), 0.55, cos(3), 0.1, 0.1]);
    expectValues(at(warmupCosineDecay({ peak: 2, warmupSteps: 0, decaySteps: 2 }), [0, 1, 2]), [2, 1, 0]);
  });
});

describe("printing and specs", () => {
  test("toString gives the factory call; optional arguments appear only when not the default", () => {
    expect(String(constant(0.3))).toBe("constant(0.3)");
    expect(exponentialDecay({ init: 0.1, decayRate: 0.5, transitionSteps: 100 }).spec!.toString()).toBe("exponentialDecay(0.1, 0.5, 100)");
    expect(String(exponentialDecay({ init: 0.1, decayRate: 0.5, transitionSteps: 100, staircase: true, endValue: 0.001 }))).toBe(
      "exponentialDecay(0.1, 0.5, 100, staircase=true, endValue=0.001)",
    );
    expect(String(stepDecay({ init: 1, factor: 0.5, stepSize: 2 }))).toBe("stepDecay(1.0, 0.5, 2)");
    expect(String(cosineDecay({ init: 1, decaySteps: 100 }))).toBe("cosineDecay(1.0, 100)");
    expect(String(cosineDecay({ init: 1, decaySteps: 100, alpha: 0.1 }))).toBe("cosineDecay(1.0, 100, alpha=0.1)");
    expect(String(linearWarmup({ to: 1e-3, steps: 10 }))).toBe("linearWarmup(0.001, 10)");
    expect(String(linearWarmup({ from: 1e-5, to: 1e-3, steps: 10 }))).toBe("linearWarmup(0.001, 10, from=1.0e-5)");
    expect(String(joinSchedules([0, cosineDecay({ init: 1, decaySteps: 5 })], [10]))).toBe("joinSchedules([constant(0.0), cosineDecay(1.0, 5)], [10])");
    expect(String(warmupCosineDecay({ peak: 0.1, warmupSteps: 10, decaySteps: 100 }))).toBe("warmupCosineDecay(0.1, 10, 100)");
    const custom = Object.assign((t: number) => t, {});
    expect(String(joinSchedules([custom, 1], [5]))).toBe("joinSchedules([<schedule>, constant(1.0)], [5])");
  });

  test("a rule and a Leaf print the schedule in place of the number", () => {
    const rule = new Descent(stepDecay({ init: 1, factor: 0.5, stepSize: 2 }));
    expect(rule.toString()).toBe("Descent(stepDecay(1.0, 0.5, 2))");
    const x = tf.tensor1d([1]);
    expect((setup(rule, x) as Leaf).toString()).toBe("Leaf(Descent(stepDecay(1.0, 0.5, 2)), nothing)");
    x.dispose();
  });

  test("specs hold the kind and every parameter (defaults filled in) and rebuild through JSON", () => {
    const s = exponentialDecay({ init: 0.1, decayRate: 0.5, transitionSteps: 100 });
    expect({ ...s.spec }).toEqual({ kind: "exponentialDecay", init: 0.1, decayRate: 0.5, transitionSteps: 100, staircase: false });
    expect({ ...cosineDecay({ init: 1, decaySteps: 3 }).spec }).toEqual({ kind: "cosineDecay", init: 1, decaySteps: 3, alpha: 0 });
    const all: Schedule[] = [
      constant(2),
      s,
      exponentialDecay({ init: 1, decayRate: 0.9, transitionSteps: 3, staircase: true, endValue: 0.5 }),
      stepDecay({ init: 1, factor: 0.5, stepSize: 2 }),
      cosineDecay({ init: 1, decaySteps: 7, alpha: 0.2 }),
      linearWarmup({ from: 0.5, to: 2, steps: 4 }),
      joinSchedules([linearWarmup({ to: 1, steps: 3 }), 0.5, stepDecay({ init: 1, factor: 0.1, stepSize: 2 })], [3, 5]),
      warmupCosineDecay({ peak: 1, warmupSteps: 3, decaySteps: 9, end: 0.05 }),
    ];
    for (const original of all) {
      const rebuilt = scheduleFromSpec(JSON.parse(JSON.stringify(original.spec)));
      expect(String(rebuilt)).toBe(String(original));
      expectValues(at(rebuilt, range(12)), at(original, range(12)));
    }
    expect(() => scheduleFromSpec({ kind: "polynomial" })).toThrow('scheduleFromSpec: unknown schedule kind "polynomial"');
    const partial = joinSchedules([(t: number) => t, 1], [2]);
    expect(() => scheduleFromSpec(JSON.parse(JSON.stringify(partial.spec)))).toThrow("joinSchedules part 0 has no spec");
  });
});

describe("validation happens when the schedule is made", () => {
  test.each<[string, () => unknown, string]>([
    ["constant NaN", () => constant(NaN), "constant: value must be a finite number, got NaN"],
    ["transitionSteps 0", () => exponentialDecay({ init: 1, decayRate: 0.5, transitionSteps: 0 }), "exponentialDecay: transitionSteps must be a whole number >= 1, got 0"],
    ["decayRate 0", () => exponentialDecay({ init: 1, decayRate: 0, transitionSteps: 10 }), "exponentialDecay: decayRate must be positive, got 0"],
    ["misspelt option", () => exponentialDecay({ init: 1, decay_rate: 0.5, transitionSteps: 10 } as never), "exponentialDecay: unknown option 'decay_rate'"],
    ["staircase not boolean", () => exponentialDecay({ init: 1, decayRate: 0.5, transitionSteps: 10, staircase: 1 } as never), "staircase must be true or false"],
    ["stepSize negative", () => stepDecay({ init: 1, factor: 0.5, stepSize: -2 }), "stepDecay: stepSize must be a whole number >= 1, got -2"],
    ["stepSize fractional", () => stepDecay({ init: 1, factor: 0.5, stepSize: 1.5 }), "stepSize must be a whole number"],
    ["factor negative", () => stepDecay({ init: 1, factor: -0.5, stepSize: 2 }), "stepDecay: factor cannot be negative"],
    ["decaySteps 0", () => cosineDecay({ init: 1, decaySteps: 0 }), "cosineDecay: decaySteps must be a whole number >= 1, got 0"],
    ["init missing", () => cosineDecay({ decaySteps: 5 } as never), "cosineDecay: init must be a finite number, got undefined"],
    ["warmup steps 0", () => linearWarmup({ to: 1, steps: 0 }), "linearWarmup: steps must be a whole number >= 1, got 0"],
    ["warmup to Infinity", () => linearWarmup({ to: Infinity, steps: 3 }), "linearWarmup: to must be a finite number, got Infinity"],
    ["positional call", () => stepDecay(1 as never), "stepDecay: expects one options object { init, factor, stepSize }, got 1"],
    ["boundary count", () => joinSchedules([1, 2, 3], [4]), "joinSchedules: needs 2 boundaries for 3 schedules, got 1"],
    ["decreasing boundaries", () => joinSchedules([1, 2, 3], [5, 4]), "joinSchedules: boundaries must not decrease, got [5, 4]"],
    ["negative boundary", () => joinSchedules([1, 2], [-1]), "joinSchedules: boundaries[0] must be a whole number >= 0, got -1"],
    ["no schedules", () => joinSchedules([], []), "joinSchedules: needs a non-empty array of schedules"],
    ["not a schedule", () => joinSchedules(["fast" as never, 1], [2]), "joinSchedules: schedules[0] must be a schedule or a number, got fast"],
    ["decaySteps ≤ warmupSteps", () => warmupCosineDecay({ peak: 1, warmupSteps: 10, decaySteps: 10 }), "warmupCosineDecay: decaySteps (the whole schedule, warmup included) must exceed warmupSteps"],
  ])("%s", (_name, make, message) => {
    expect(make).toThrow(message);
  });
});

describe("schedules as hyper-parameters through the tree API", () => {
  test("Descent(stepDecay(1, 0.5, 2)): gradient 1 moves x by 1, 1, 0.5, 0.5 (steps 0, 1, 2, 3)", () => {
    const start = tf.memory().numTensors;
    let model: { w: tf.Tensor } = { w: tf.tensor1d([10, 20]) };
    let tree: StateTree = setup(new Descent(stepDecay({ init: 1, factor: 0.5, stepSize: 2 })), model);
    const grad = { w: tf.ones([2]) };
    const moves: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [tree2, model2] = update(tree, model, grad);
      moves.push(model.w.dataSync()[0]! - model2.w.dataSync()[0]!);
      expect((tree2 as { w: Leaf }).w.step).toBe(i + 1);
      disposeTree(tree);
      model.w.dispose();
      [tree, model] = [tree2, model2];
    }
    expectValues(moves, [1, 1, 0.5, 0.5]);
    disposeTree(tree);
    tf.dispose([model.w, grad.w]);
    expect(tf.memory().numTensors).toBe(start);
  });

  test("the first update uses schedule(0): a warmup from 0 leaves x alone at first", () => {
    const x = variable([0]);
    const tree = setup(new Descent(linearWarmup({ to: 1, steps: 4 })), x);
    const g = tf.ones([1]);
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      updateInPlace(tree, x, g);
      seen.push(x.dataSync()[0]!);
    }
    expectValues(seen, [0, -0.25, -0.75]);
    tf.dispose([x, g]);
  });

  test("adjust(tree, { eta: schedule }) mid-training is evaluated at the leaf's current step", () => {
    const x = variable([0]);
    let tree: StateTree = setup(new Descent(1), x);
    const g = tf.ones([1]);
    updateInPlace(tree, x, g);
    updateInPlace(tree, x, g);
    tree = adjust(tree, { eta: stepDecay({ init: 1, factor: 0.1, stepSize: 1 }) });
    expect(tree.toString()).toBe("Leaf(Descent(stepDecay(1.0, 0.1, 1)), nothing)");
    const seen: number[] = [];
    for (let i = 0; i < 2; i++) {
      updateInPlace(tree, x, g);
      seen.push(x.dataSync()[0]!);
    }
    // Steps 2 and 3: 1 * 0.1² and 1 * 0.1³.
    expectClose32(seen, [-2 - 0.01, -2 - 0.011]);
    tf.dispose([x, g]);
  });

  test("a schedule on a regulariser inside a chain (WeightDecay's lambda)", () => {
    const x = variable([2]);
    const rule = new OptimiserChain(new WeightDecay(linearWarmup({ to: 0.5, steps: 2 })), new Descent(1));
    expect(rule.toString()).toBe("OptimiserChain(WeightDecay(linearWarmup(0.5, 2)), Descent(1.0))");
    const tree = setup(rule, x);
    const g = tf.zeros([1]);
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      updateInPlace(tree, x, g);
      seen.push(x.dataSync()[0]!);
    }
    // lambda = 0, 0.25, 0.5: x ← x − λx.
    expectClose32(seen, [2, 1.5, 0.75]);
    tf.dispose([x, g]);
  });
});

function expectClose32(got: number[], want: number[]): void {
  got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want[i]!))));
}
