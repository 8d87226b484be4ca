// Every rule must reduce a quadratic and the Rosenbrock function (optax's and Optimisers.jl's
// conformance tables): one table of rules, each with the steps and threshold it must reach.
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import {
  AdaBelief, AdaMax, Adam, AdamW, AMSGrad, Descent, Momentum, NAdam, Nesterov, OAdam, OptimiserChain, RAdam, RMSProp, Rprop,
  AccumGrad, setup, updateInPlace, type Rule,
} from "@fluxion/optimisers";
import { AdaDelta } from "../src/rules/ada-delta.js";
import { AdaGrad } from "../src/rules/ada-grad.js";
import { ClipGrad } from "../src/rules/clip-grad.js";
import { ClipNorm } from "../src/rules/clip-norm.js";
import { ExpDecay } from "../src/rules/exp-decay.js";
import { InvDecay } from "../src/rules/inv-decay.js";
import { Lion } from "../src/rules/lion.js";
import { SignDecay } from "../src/rules/sign-decay.js";
import { WeightDecay } from "../src/rules/weight-decay.js";
import { disposeTree } from "./helpers.js";

type Problem = "quadratic" | "rosenbrock";
type Case = [name: string, make: (p: Problem) => Rule, quadraticSteps: number, rosenbrockSteps: number];
// Plain gradient steps must stay below 2/λmax: 0.5 for the quadratic (λmax = 4), about 0.002 for
// Rosenbrock (λmax ≈ 1000 near the minimum), hence per-problem step sizes for those rules.
const lr = (p: Problem, quadratic: number, rosenbrock: number) => (p === "quadratic" ? quadratic : rosenbrock);

const RULES: Case[] = [
  ["Descent", (p) => new Descent(lr(p, 0.1, 1e-3)), 200, 3000],
  ["Momentum", (p) => new Momentum(lr(p, 0.01, 1e-3), 0.9), 300, 2000],
  ["Nesterov", (p) => new Nesterov(lr(p, 0.01, 1e-3), 0.9), 300, 2000],
  ["Rprop", () => new Rprop(0.01), 200, 2000],
  ["RMSProp", () => new RMSProp(0.01), 600, 3000],
  ["RMSProp centred", () => new RMSProp({ eta: 0.01, centred: true }), 600, 3000],
  ["Adam", () => new Adam(0.05), 400, 2000],
  ["RAdam", () => new RAdam(0.05), 600, 2000],
  ["AdaMax", () => new AdaMax(0.05), 400, 2000],
  ["OAdam", () => new OAdam(0.05, [0.9, 0.999]), 400, 2000],
  ["AdaGrad", () => new AdaGrad(0.5), 400, 3000],
  ["AdaDelta", (p) => new AdaDelta(0.9, lr(p, 1e-6, 1e-8)), 1000, 6000],
  ["AMSGrad", () => new AMSGrad(0.05), 400, 2000],
  ["NAdam", () => new NAdam(0.05), 400, 2000],
  ["AdamW", () => new AdamW(0.05, [0.9, 0.999], 1e-4), 400, 2000],
  ["AdaBelief", () => new AdaBelief(0.05), 400, 2000],
  ["Lion", (p) => new Lion(lr(p, 0.002, 5e-4)), 2000, 3000],
  ["OptimiserChain(ClipGrad, Descent)", (p) => new OptimiserChain(new ClipGrad(1), new Descent(lr(p, 0.1, 1e-3))), 300, 3000],
  ["OptimiserChain(ClipNorm, Adam)", () => new OptimiserChain(new ClipNorm(1), new Adam(0.05)), 400, 2000],
  ["OptimiserChain(WeightDecay, Adam)", () => new OptimiserChain(new WeightDecay(1e-5), new Adam(0.05)), 400, 2000],
  ["OptimiserChain(SignDecay, Adam)", () => new OptimiserChain(new SignDecay(1e-5), new Adam(0.05)), 400, 2000],
  ["OptimiserChain(AccumGrad, Adam)", () => new OptimiserChain(new AccumGrad(2), new Adam(0.05)), 800, 4000],
  ["OptimiserChain(InvDecay, Descent)", (p) => new OptimiserChain(new InvDecay(1e-4), new Descent(lr(p, 0.1, 1e-3))), 300, 3000],
  ["ExpDecay", (p) => new ExpDecay(lr(p, 0.1, 1e-3), 0.9, 2000, 1e-4), 300, 3000],
];

/** Runs `steps` in-place updates on a Variable from `start` and returns the final loss. */
function minimise(rule: Rule, start: number[], loss: (v: tf.Tensor) => tf.Scalar, steps: number): number {
  const p = { x: tf.variable(tf.tensor1d(start)) };
  const tree = setup(rule, p);
  const grad = tf.grad(loss);
  const before = tf.memory().numTensors;
  for (let i = 0; i < steps; i++) {
    const g = grad(p.x);
    updateInPlace(tree, p, { x: g });
    g.dispose();
  }
  expect(tf.memory().numTensors).toBe(before); // flat memory over the whole run
  const final = tf.tidy(() => loss(p.x).dataSync()[0]!);
  disposeTree(tree);
  p.x.dispose();
  return final;
}

// 0.5 Σ h (x − c)², minimum 0 at c; starts at 9.625 from 0.
const quadratic = (v: tf.Tensor) =>
  tf.tidy(() => tf.mul(0.5, tf.sum(tf.mul(tf.tensor1d([1, 4, 0.25]), tf.square(tf.sub(v, tf.tensor1d([1, -2, 3]))))))) as tf.Scalar;
// (1 − a)² + 100 (b − a²)², minimum 0 at (1, 1); starts at 1 from (0, 0).
const rosenbrock = (v: tf.Tensor) =>
  tf.tidy(() => {
    const [a, b] = tf.split(v, 2);
    return tf.sum(tf.add(tf.square(tf.sub(1, a!)), tf.mul(100, tf.square(tf.sub(b!, tf.square(a!))))));
  }) as tf.Scalar;

describe.each(RULES)("%s converges", (_name, make, quadSteps, rosenSteps) => {
  test(`quadratic: loss from 9.625 to < 1e-3 in ${quadSteps} steps`, () => {
    expect(minimise(make("quadratic"), [0, 0, 0], quadratic, quadSteps)).toBeLessThan(1e-3);
  });
  test(`Rosenbrock: loss from 1 to < 0.05 in ${rosenSteps} steps`, () => {
    expect(minimise(make("rosenbrock"), [0, 0], rosenbrock, rosenSteps)).toBeLessThan(0.05);
  });
});
