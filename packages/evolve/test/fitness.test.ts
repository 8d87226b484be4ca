import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { Adam, Descent, Leaf, Momentum, trainables, type Rule } from "@fluxion/optimisers";
import { Rng, relu } from "@fluxion/nn";
import {
  CompGraph, WORST_FITNESS, accuracyFitness, accuracyLossFitness, classificationProblem, copyCandidate, disposeCandidate, generationBatches, inputVertex, maeFitness, makeCandidate,
  regressionProblem, seedsFor, vertex, type Candidate,
} from "@fluxion/evolve";
import { denseOf } from "./helpers.js";

const ctx = { generation: 0, seeds: seedsFor(1) };
const dense = (w: number[][], b: number[], id = 0, rule: Rule = new Descent(0)): Candidate => {
  const x = inputVertex("x", w.length);
  return makeCandidate({ id, generation: 0, graph: new CompGraph(x, vertex("d", denseOf(w, b), x)), rule });
};

describe("fitness scores", () => {
  test("accuracy to 2 decimals plus min(1e-3, 1/params): size only breaks ties", () => {
    expect(accuracyFitness(0.6, 6)).toBeCloseTo(0.601, 12);
    expect(accuracyFitness(0.9, 100)).toBeCloseTo(0.901, 12); // 1/100 capped at 1e-3
    expect(accuracyFitness(0.9, 10_000)).toBeCloseTo(0.9001, 12);
    expect(accuracyFitness(0.904, 2000)).toBeGreaterThan(accuracyFitness(0.896, 5000)); // both 0.90: smaller wins
    expect(accuracyFitness(0.896, 5000)).toBeLessThan(accuracyFitness(0.904, 2000));
    expect(accuracyFitness(0.91, 1e9)).toBeGreaterThan(accuracyFitness(0.9, 1)); // a real difference wins over any size
    expect(accuracyFitness(0, 1e9)).toBeGreaterThan(WORST_FITNESS);
  });

  test("accuracy to 2 decimals, then 9e-4/(1+loss), then min(1e-5, 1/params)", () => {
    expect(accuracyLossFitness(0.9, 0, 10)).toBeCloseTo(0.9 + 9e-4 + 1e-5, 12);
    expect(accuracyLossFitness(0.9, 1, 1e9)).toBeCloseTo(0.9 + 4.5e-4 + 1e-9, 12);
    expect(accuracyLossFitness(0.904, 0.5, 1e6)).toBeGreaterThan(accuracyLossFitness(0.896, 0.6, 10)); // both 0.90: the lower loss wins over size
    expect(accuracyLossFitness(0.9, 0.5, 10)).toBeGreaterThan(accuracyLossFitness(0.9, 0.5, 1e6)); // same loss: smaller wins
    expect(accuracyLossFitness(0.91, 100, 1e9)).toBeGreaterThan(accuracyLossFitness(0.9, 0, 1)); // a real difference in accuracy wins over both
  });

  test("regression: 1/(1+MAE) to 3 decimals plus min(1e-4, 1/params)", () => {
    expect(maeFitness(2 / 3, 2)).toBeCloseTo(0.6001, 12);
    expect(maeFitness(0, 1e6)).toBeCloseTo(1.000001, 12);
    expect(maeFitness(0.5, 1e9)).toBeGreaterThan(maeFitness(0.51, 10)); // 0.667 vs 0.662
    expect(maeFitness(1e9, 1e9)).toBeGreaterThan(WORST_FITNESS);
  });
});

describe("classificationProblem", () => {
  test("a hand-set Dense model's validation accuracy: logits = x, argmax right on 3 of 5", () => {
    // Identity weights: the predicted class is the larger input. Predictions 0,1,0,1,1 against labels 0,1,1,1,0.
    const validation = { x: [[1, 0], [0, 1], [2, 1], [0, 3], [1, 2]], labels: [0, 1, 1, 1, 0] };
    const p = classificationProblem({ x: [[1, 0], [0, 1]], labels: [0, 1], validation, batchSize: 2, steps: 1 });
    const c = dense([[1, 0], [0, 1]], [0, 0]); // Descent(0): training changes nothing
    const e = assertNoLeaks(() => p.evaluate(c, ctx), 0) as { fitness: number; metrics: Record<string, number> };
    expect(e.metrics.accuracy).toBe(0.6);
    expect(e.metrics.params).toBe(6);
    expect(e.fitness).toBeCloseTo(0.6 + 1e-3, 12);
    disposeCandidate(c);
    p.dispose!();
  });

  test("tieBreak loss: the hand-set model's validation cross-entropy decides below the accuracy", () => {
    // Logits = x. logsumexp(row) - row[label]: log(1+e) - 1 = 0.31326169 (rows 1 and 2),
    // log(e²+e) - 2 + 1 = 1.31326169 (rows 3 and 5), log(1+e³) - 3 = 0.04858735; mean 0.66032682.
    const validation = { x: [[1, 0], [0, 1], [2, 1], [0, 3], [1, 2]], labels: [0, 1, 1, 1, 0] };
    const p = classificationProblem({ x: [[1, 0], [0, 1]], labels: [0, 1], validation, batchSize: 2, steps: 1, tieBreak: "loss" });
    const c = dense([[1, 0], [0, 1]], [0, 0]);
    const e = assertNoLeaks(() => p.evaluate(c, ctx), 0) as { fitness: number; metrics: Record<string, number> };
    expect(e.metrics.accuracy).toBe(0.6);
    expect(e.metrics.validationLoss).toBeCloseTo(0.66032682, 5);
    expect(e.fitness).toBeCloseTo(0.6 + 9e-4 / 1.66032682 + 1e-5, 8);
    disposeCandidate(c);
    p.dispose!();
  });

  test("a validation set of 600 rows is scored in slices, with the same accuracy and loss as by hand", () => {
    // Logits = x = [1, 0] on every row: class 0 predicted. 450 rows labelled 0 (loss log(1+e) - 1 =
    // 0.31326169), 150 labelled 1 (log(1+e) = 1.31326169): accuracy 0.75, mean loss 0.56326169.
    const labels = Array.from({ length: 600 }, (_, i) => (i % 4 === 3 ? 1 : 0));
    const validation = { x: labels.map(() => [1, 0]), labels };
    const p = classificationProblem({ x: [[1, 0], [0, 1]], labels: [0, 1], validation, batchSize: 2, steps: 1, tieBreak: "loss" });
    const c = dense([[1, 0], [0, 1]], [0, 0]);
    const e = assertNoLeaks(() => p.evaluate(c, ctx), 0) as { fitness: number; metrics: Record<string, number> };
    expect(e.metrics.accuracy).toBe(0.75);
    expect(e.metrics.validationLoss).toBeCloseTo(0.56326169, 5);
    disposeCandidate(c);
    p.dispose!();
  });

  test("data as { data, shape }, epochs as steps, a validation fraction split off by a seeded shuffle", () => {
    // 10 examples, 2 held out: 8 train; epochs 3 × ⌊8 / 4⌋ = 6 steps.
    const rows = Array.from({ length: 10 }, (_, i) => [i, -i]);
    const labels = rows.map(([a]) => (a! % 2));
    const flat = { data: new Float32Array(rows.flat()), shape: [10, 2] };
    const run = (x: typeof rows | typeof flat) => {
      const p = classificationProblem({ x, labels, validation: 0.2, batchSize: 4, epochs: 3, splitSeed: 4 });
      const c = dense([[1, 0], [0, 1]], [0, 0]);
      const e = p.evaluate(c, ctx) as { metrics: Record<string, number> };
      disposeCandidate(c);
      p.dispose!();
      return e.metrics;
    };
    const a = run(rows);
    expect(a.steps).toBe(6);
    // The identity model predicts class 0 for every example (i ≥ −i; the tie at i = 0 goes to the
    // first class), so its accuracy is the share of even i among the 2 held out.
    const held = new Rng(4).permutation(10).slice(0, 2);
    expect(a.accuracy).toBe(held.filter((i) => 0 === labels[i]).length / 2);
    expect(run(flat)).toEqual({ ...a, seconds: expect.any(Number) });
  });

  test("a NaN model gets the worst fitness and keeps its error; an exploding one too", () => {
    const p = classificationProblem({ x: [[1, 0], [0, 1]], labels: [0, 1], validation: { x: [[1, 0]], labels: [0] }, batchSize: 2, steps: 3 });
    const nan = dense([[NaN, 0], [0, 1]], [0, 0], 0, new Descent(0.1));
    const e = assertNoLeaks(() => p.evaluate(nan, ctx), 0) as { fitness: number; error?: string };
    expect(e.fitness).toBe(WORST_FITNESS);
    expect(e.error).toMatch(/the training loss became NaN at step 1/);
    // 3e38 · 2 overflows float32: the logits, then the loss, are infinite.
    const q = classificationProblem({ x: [[2, 0], [0, 2]], labels: [1, 1], validation: { x: [[1, 0]], labels: [0] }, batchSize: 2, steps: 3 });
    const huge = dense([[3e38, 0], [0, 1]], [0, 0], 1, new Descent(0.1));
    const f = assertNoLeaks(() => q.evaluate(huge, ctx), 0) as { fitness: number; error?: string };
    expect(f.fitness).toBe(WORST_FITNESS);
    expect(f.error).toMatch(/not finite|NaN|Infinity/);
    disposeCandidate(nan);
    disposeCandidate(huge);
    p.dispose!();
    q.dispose!();
  });

  test("every candidate of a generation trains on the same batches; another generation on others", () => {
    const rng = new Rng(3);
    const x = Array.from({ length: 40 }, () => [rng.normal(), rng.normal()]);
    const labels = x.map(([a, b]) => (a! + b! > 0 ? 1 : 0));
    const p = classificationProblem({ x, labels, validation: 0.25, batchSize: 4, steps: 5 });
    const a = dense([[0.1, -0.2], [0.3, 0.4]], [0, 0], 3, new Adam(0.05));
    const b = copyCandidate(a, 9, 0); // same weights, another id
    const c = copyCandidate(a, 10, 0);
    p.evaluate(a, ctx);
    p.evaluate(b, ctx);
    p.evaluate(c, { ...ctx, generation: 1 });
    const w = (k: Candidate) => Array.from(trainables(k.graph)[0]!.dataSync());
    expect(w(b)).toEqual(w(a));
    expect(w(c)).not.toEqual(w(a));
    for (const k of [a, b, c]) disposeCandidate(k);
    p.dispose!();
  });

  test("generationBatches: drop-last passes over a fresh permutation each time", () => {
    const batches = generationBatches(new Rng(5), 10, 4, 5);
    expect(batches.map((b) => b.length)).toEqual([4, 4, 4, 4, 4]);
    // Batches 0-1 are one pass (8 distinct rows, 2 skipped), 2-3 the next.
    expect(new Set([...batches[0]!, ...batches[1]!]).size).toBe(8);
    expect(new Set([...batches[2]!, ...batches[3]!]).size).toBe(8);
    expect(generationBatches(new Rng(5), 10, 4, 5)).toEqual(batches);
    expect(generationBatches(new Rng(5), 3, 8, 2)).toEqual([expect.any(Array), expect.any(Array)]);
    expect(generationBatches(new Rng(5), 3, 8, 2)[0]!.slice().sort()).toEqual([0, 1, 2]);
  });

  test("the candidate's rule wins over the rule in its state: same kind keeps the moments, another kind starts fresh", () => {
    const p = classificationProblem({ x: [[1, 0], [0, 1]], labels: [0, 1], validation: { x: [[1, 0]], labels: [0] }, batchSize: 2, steps: 1 });
    const a = dense([[0.1, -0.2], [0.3, 0.4]], [0, 0], 0, new Momentum(0.1, 0.9));
    p.evaluate(a, ctx);
    const b = { ...copyCandidate(a, 1, 1), rule: new Descent(0) } as Candidate; // a rule mutation: Momentum → Descent(0)
    const before = Array.from(trainables(b.graph)[0]!.dataSync());
    p.evaluate(b, ctx);
    expect(Array.from(trainables(b.graph)[0]!.dataSync())).toEqual(before); // Descent(0) trained: nothing moved
    const leaf = (b.state as { layers: { d: { weight: Leaf } } }).layers.d.weight;
    expect(leaf.rule).toBe(b.rule);
    disposeCandidate(a);
    disposeCandidate(b);
    p.dispose!();
  });

  test("a spent time budget stops training, and the candidate is still validated", () => {
    const validation = { x: [[1, 0], [0, 1], [2, 1], [0, 3], [1, 2]], labels: [0, 1, 1, 1, 0] };
    const p = classificationProblem({ x: [[1, 0], [0, 1]], labels: [0, 1], validation, batchSize: 2, steps: 1000, budgetSeconds: 1e-12 });
    const c = dense([[1, 0], [0, 1]], [0, 0], 0, new Descent(0.5));
    const e = p.evaluate(c, ctx) as { fitness: number; metrics: Record<string, number>; error?: string };
    expect(e.metrics.steps).toBe(0);
    expect(e.metrics.accuracy).toBe(0.6); // the untrained identity model, as above
    expect(e.error).toBeUndefined();
    disposeCandidate(c);
    p.dispose!();
  });

  test("bad options are refused with what was expected, without leaks", () => {
    const ok = { x: [[1, 0], [0, 1]], labels: [0, 1], validation: 0.5, batchSize: 1, steps: 1 };
    const bad: [object, string][] = [
      [{ ...ok, x: [[1], [0, 1]] }, "classificationProblem: x must be a non-empty array of rows of finite numbers, all of one length (row 1"],
      [{ ...ok, labels: [0, 2], classes: 2 }, "classificationProblem: labels[1] is the number 2, expected a whole number in [0, 2)"],
      [{ ...ok, steps: undefined }, "classificationProblem: give exactly one of steps and epochs"],
      [{ ...ok, validation: 1.5 }, "classificationProblem: validation must be { x, ... } or a fraction in (0, 1)"],
      [{ ...ok, batchsize: 3 }, "classificationProblem: unknown option 'batchsize'"],
      [{ ...ok, tieBreak: "params" }, 'classificationProblem: tieBreak must be "size" or "loss", got the string "params"'],
    ];
    for (const [o, message] of bad) expect(() => assertNoLeaks(() => classificationProblem(o as never), 0)).toThrow(message);
    expect(() => regressionProblem({ x: [[1]], y: [1, 2], validation: 0.5, batchSize: 1, steps: 1 })).toThrow("regressionProblem: y has 2 rows, expected 1");
  });
});

describe("regressionProblem", () => {
  test("a known MAE: y = 2x + 1 against targets 1, 4, 4 errs by 0, 1, 1", () => {
    const p = regressionProblem({ x: [[0], [1]], y: [1, 3], validation: { x: [[0], [1], [2]], y: [1, 4, 4] }, batchSize: 2, steps: 1 });
    const c = dense([[2]], [1]);
    const e = assertNoLeaks(() => p.evaluate(c, ctx), 0) as { fitness: number; metrics: Record<string, number> };
    expect(e.metrics.mae).toBeCloseTo(2 / 3, 6);
    expect(e.fitness).toBeCloseTo(0.6 + 1e-4, 9);
    disposeCandidate(c);
    p.dispose!();
  });

  test("training lowers the error of a linear target (Adam, mse, 200 steps)", () => {
    const rng = new Rng(2);
    const x = Array.from({ length: 64 }, () => [rng.normal()]);
    const y = x.map(([v]) => 3 * v! - 1);
    const p = regressionProblem({ x, y, validation: 0.25, batchSize: 16, steps: 200 });
    const xin = inputVertex("x", 1);
    const c = makeCandidate({ id: 0, generation: 0, graph: new CompGraph(xin, vertex("d", denseOf([[0]], [0]), vertex("h", denseOf([[1]], [0], relu), xin))), rule: new Adam(0.05) });
    const e = p.evaluate(c, ctx) as { metrics: Record<string, number> };
    expect(e.metrics.steps).toBe(200);
    expect(e.metrics.mae).toBeLessThan(1.5); // from ≈ 3.0 (|3x - 1| with x ~ N(0, 1)); a relu can fit the positive half
    disposeCandidate(c);
    p.dispose!();
  });
});
