// The shared harness of the trajectory tests: a rule's path through the tree API against an
// independent float64 reference written from Optimisers.jl's formulas (old Flux's for the decays).
import { expect } from "@jest/globals";
import { tf } from "@fluxion/backend";
import type { Rule } from "../src/rule.js";
import { setup } from "../src/setup.js";
import { updateInPlace } from "../src/update.js";
import { disposeTree, variable } from "./helpers.js";

// ---------- helpers ----------

export type Vec = number[];
/** One step of a float64 reference: (state, x, dx) → [state', dx']. */
export type RefStep<S> = (state: S, x: Vec, dx: Vec) => [S, Vec];

export const X0: Vec = [0.5, -1.2, 2.0, 0.0, 0.75];
/** Sign flips, exact zeros, a zero-gradient step for every element somewhere. */
export const GRADS: Vec[] = [
  [0.3, -0.7, 1.5, 0.0, 0.2],
  [-0.2, 0.4, 0.0, 0.1, -0.6],
  [0.0, 0.0, -2.0, -0.3, 0.0],
  [0.8, -0.1, 0.5, 0.0, 0.9],
  [-0.5, 0.6, 0.0, 0.2, -0.05],
  [0.1, 0.0, 1.0, -0.4, 0.3],
  [0.0, 0.0, 0.0, 0.0, 0.0],
];

export const sign = (v: number): number => (v > 0 ? 1 : v < 0 ? -1 : 0);
export const zeros = (n: number): Vec => new Array<number>(n).fill(0);

export function reference<S>(init: S, step: RefStep<S>, x0: Vec = X0, grads: Vec[] = GRADS): Vec[] {
  let x = [...x0];
  let s = init;
  return grads.map((g) => {
    const [s2, d] = step(s, x, g);
    s = s2;
    x = x.map((v, i) => v - d[i]!);
    return x;
  });
}

/** Trajectory of x through the tree API (updateInPlace on a tf.variable), disposing everything. */
export function trajectory(rule: Rule, x0: Vec = X0, grads: Vec[] = GRADS): Vec[] {
  const x = variable(x0);
  const tree = setup(rule, x);
  const out = grads.map((g) => {
    const dx = tf.tensor1d(g);
    updateInPlace(tree, x, dx);
    dx.dispose();
    return Array.from(x.dataSync());
  });
  disposeTree(tree);
  x.dispose();
  return out;
}



/** |a − e| ≤ atol + rtol·|e| element-wise, naming the first bad element. */
export function expectClose(actual: ArrayLike<number> | tf.Tensor, expected: ArrayLike<number>, rtol = 1e-5, atol = 1e-7): void {
  const a = actual instanceof tf.Tensor ? Array.from(actual.dataSync()) : Array.from(actual);
  const e = Array.from(expected);
  expect(a.length).toBe(e.length);
  a.forEach((v, i) => {
    const ok = Object.is(v, e[i]) || Math.abs(v - e[i]!) <= atol + rtol * Math.abs(e[i]!);
    if (!ok) throw new Error(`element ${i}: got ${v}, expected ${e[i]}\n  actual:   [${a}]\n  expected: [${e}]`);
  });
}

export function expectTrajectory(got: Vec[], want: Vec[], rtol = 1e-5, atol = 1e-6): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, t) => {
    try {
      expectClose(g, want[t]!, rtol, atol);
    } catch (err) {
      throw new Error(`after step ${t + 1}: ${(err as Error).message}`);
    }
  });
}

/** dx' from one direct `apply` on a fresh state, as numbers. */
export function applyOnce(rule: Rule, x: Vec, dx: Vec): number[] {
  return tf.tidy(() => {
    const xt = tf.tensor1d(x);
    const d = rule.apply(rule.init(xt), xt, tf.tensor1d(dx))[1];
    return d === null ? [] : Array.from(d.dataSync());
  });
}

/** setup + 3 updateInPlace steps on a variable, then disposal: no tensor may remain. */
export function expectNoLeak(rule: Rule): void {
  const start = tf.memory().numTensors;
  const x = variable([0.5, -1.5, 2.0, 0.0]);
  const tree = setup(rule, { layer: { w: x } });
  for (const g of [[0.3, -0.2, 0.0, 1.0], [-0.1, 0.4, 2.0, 0.0], [0.0, 0.0, -0.5, 0.3]]) {
    const dx = tf.tensor1d(g);
    updateInPlace(tree, { layer: { w: x } }, { layer: { w: dx } });
    dx.dispose();
  }
  disposeTree(tree);
  x.dispose();
  expect(tf.memory().numTensors).toBe(start);
}

// ---------- float64 references (Optimisers.jl §1.3 pseudocode) ----------

export const refAdaGrad = (eta: number, eps: number): [Vec, RefStep<Vec>] => [
  new Array<number>(X0.length).fill(eps),
  (acc, _x, dx) => {
    const acc2 = acc.map((a, i) => a + dx[i]! ** 2);
    return [acc2, dx.map((g, i) => (g * eta) / (Math.sqrt(acc2[i]!) + eps))];
  },
];

export const refAdaDelta = (rho: number, eps: number): [[Vec, Vec], RefStep<[Vec, Vec]>] => [
  [zeros(X0.length), zeros(X0.length)],
  ([acc, dacc], _x, dx) => {
    const acc2 = acc.map((a, i) => rho * a + (1 - rho) * dx[i]! ** 2);
    const d = dx.map((g, i) => (g * Math.sqrt(dacc[i]! + eps)) / Math.sqrt(acc2[i]! + eps));
    const dacc2 = dacc.map((a, i) => rho * a + (1 - rho) * d[i]! ** 2);
    return [[acc2, dacc2], d];
  },
];

export const refLion = (eta: number, b1: number, b2: number): [Vec, RefStep<Vec>] => [
  zeros(X0.length),
  (m, _x, dx) => {
    const m2 = m.map((v, i) => b2 * dx[i]! + (1 - b2) * v); // as in the Julia source
    return [m2, dx.map((g, i) => eta * sign((b2 - b1) * g + b1 * m2[i]!))];
  },
];

export const refWeightDecay = (lambda: number): RefStep<null> => (s, x, dx) => [s, dx.map((g, i) => g + lambda * x[i]!)];
export const refSignDecay = (lambda: number): RefStep<null> => (s, x, dx) => [s, dx.map((g, i) => g + lambda * sign(x[i]!))];
export const refClipGrad = (delta: number): RefStep<null> => (s, _x, dx) => [s, dx.map((g) => Math.min(Math.max(g, -delta), delta))];

export function normP(v: Vec, p: number): number {
  const a = v.map(Math.abs);
  if (p === Infinity) return Math.max(...a);
  if (p === -Infinity) return Math.min(...a);
  if (p === 0) return v.filter((e) => e !== 0).length;
  return a.reduce((s, e) => s + e ** p, 0) ** (1 / p);
}
export const refClipNorm = (omega: number, p: number): RefStep<null> => (s, _x, dx) => {
  const f = Math.min(omega / normP(dx, p), 1);
  return [s, dx.map((g) => g * f)];
};

export const refAdam = (eta: number, b1: number, b2: number, eps: number): [[Vec, Vec, [number, number]], RefStep<[Vec, Vec, [number, number]]>] => [
  [zeros(X0.length), zeros(X0.length), [b1, b2]],
  ([m, v, bt], _x, dx) => {
    const m2 = m.map((e, i) => b1 * e + (1 - b1) * dx[i]!);
    const v2 = v.map((e, i) => b2 * e + (1 - b2) * dx[i]! ** 2);
    const d = m2.map((e, i) => (e / (1 - bt[0]) / (Math.sqrt(v2[i]! / (1 - bt[1])) + eps)) * eta);
    return [[m2, v2, [bt[0] * b1, bt[1] * b2]], d];
  },
];

// ---------- per-rule trajectories against the references ----------
