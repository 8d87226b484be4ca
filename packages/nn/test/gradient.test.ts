import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { Descent, setup, updateInPlace } from "@fluxion/optimisers";
import { Chain, Dense, dispose, gradient, hessian, withGradient, withinGradient, type GradTree } from "../src/index.js";

const values = (t: GradTree): number[] => Array.from((t as tf.Tensor).dataSync());

describe("gradient", () => {
  test("Flux's docstring example: structural gradient of a Chain and the input", () => {
    // gradient((m, x) -> sum(abs2, m(x)), Chain(Dense([3.0;;])), [1]) == ((layers = ((weight = [6.0;;], bias = [6.0], σ = nothing),),), [18.0])
    const w = tf.tensor2d([[3]]);
    const m = new Chain(new Dense(w));
    const x = tf.tensor2d([[1]]);
    const [gm, gx] = assertNoLeaks(() => gradient((model: Chain, input: tf.Tensor) => tf.sum(tf.square(model.apply(input))), m, x));
    const layer0 = (gm as any).layers[0];
    expect(values(layer0.weight)).toEqual([6]);
    expect(values(layer0.bias)).toEqual([6]);
    expect(layer0.sigma).toBeNull();
    expect(values(gx!)).toEqual([18]);
    tf.dispose([w, x, gm as any, gx as any]);
    dispose(m);
  });

  test("withGradient returns the value, and aux outputs pass through", () => {
    const x = tf.tensor1d([1, 2, 3]);
    const { val, grad } = assertNoLeaks(() =>
      withGradient((v: tf.Tensor) => [tf.sum(tf.square(v)), tf.mul(v, 2)] as const, x),
    );
    expect(values(val[0])).toEqual([14]);
    expect(values(val[1])).toEqual([2, 4, 6]);
    expect(values(grad[0]!)).toEqual([2, 4, 6]);
    tf.dispose([x, val[0], val[1], grad[0] as tf.Tensor]);
  });

  test("object outputs: the gradient is of the first entry", () => {
    const x = tf.scalar(2);
    const { val, grad } = withGradient((v: tf.Tensor) => ({ loss: tf.mul(v, v), aux: 1 }), x);
    expect(values(val.loss)).toEqual([4]);
    expect(val.aux).toBe(1);
    expect(values(grad[0]!)).toEqual([4]);
    tf.dispose([x, val.loss, grad[0] as tf.Tensor]);
  });

  test("null where there is no gradient: numbers, functions, int tensors, unused tensors, whole subtrees", () => {
    const used = tf.tensor1d([1, 2]);
    const unused = tf.tensor1d([5]);
    const ints = tf.tensor1d([1, 2], "int32");
    const tree = { used, unused, ints, n: 3, f: Math.sin, sub: { a: unused, b: [unused] } };
    const [g] = assertNoLeaks(() => gradient((t: typeof tree) => tf.sum(tf.mul(t.used, t.n)), tree));
    const gt = g as Record<string, GradTree>;
    expect(values(gt.used!)).toEqual([3, 3]);
    expect(gt.unused).toBeNull();
    expect(gt.ints).toBeNull();
    expect(gt.n).toBeNull();
    expect(gt.f).toBeNull();
    expect(gt.sub).toBeNull();
    tf.dispose([used, unused, ints, gt.used as tf.Tensor]);
  });

  test("a tensor the loss replaces inside its argument leaves no orphaned gradient", () => {
    const holder = { state: tf.tensor1d([1, 2]), w: tf.tensor1d([3, 4]) };
    const old = holder.state;
    const [g] = assertNoLeaks(() =>
      gradient((h: typeof holder) => {
        const loss = tf.sum(tf.mul(h.state, h.w));
        h.state = tf.keep(tf.mul(h.state, 2)); // carried state replaced during the pass
        return loss;
      }, holder),
      // the new state and the gradient of w: d/dw Σ state·w = state = [1, 2]
      2,
    );
    expect(Array.from(((g as any).w as tf.Tensor).dataSync())).toEqual([1, 2]);
    expect((g as any).state).toBeNull();
    tf.dispose([old, holder.state, holder.w, (g as any).w]);
  });

  test("a tree with nothing differentiable gives null", () => {
    const [g] = gradient((t: { n: number }) => tf.scalar(t.n * 2), { n: 1 });
    expect(g).toBeNull();
  });

  test("tied weights: one total gradient, the same tensor at both places, counted once by updateInPlace", () => {
    const w = tf.variable(tf.tensor1d([1, -2]));
    const model = { a: w, b: w };
    // f = sum(a ⊙ b) = sum(w²): df/dw = 2w in total (w at two places, each contributing w).
    const [g] = gradient((m: typeof model) => tf.sum(tf.mul(m.a, m.b)), model);
    const gt = g as { a: tf.Tensor; b: tf.Tensor };
    expect(gt.a).toBe(gt.b);
    expect(values(gt.a)).toEqual([2, -4]);
    const state = setup(new Descent(0.1), model);
    updateInPlace(state, model, g);
    // w − 0.1 · 2w = 0.8w: the gradient is not doubled.
    expect(Array.from(w.dataSync())).toEqual([0.8, -1.6].map(Math.fround));
    tf.dispose([gt.a, w]);
  });

  test("Dense gradient matches hand-derived formulas", () => {
    const d = new Dense(tf.tensor2d([[1, 2], [3, 4], [5, 6]]), tf.tensor1d([0.5, -0.5]));
    const x = tf.tensor2d([[1, 0, -1], [2, 1, 0]]);
    // y = x W + b; L = sum(y) ⇒ dW[i][j] = Σ_b x[b][i]; db = batch size; dx[b][i] = Σ_j W[i][j].
    const [g, gx] = gradient((m: Dense, v: tf.Tensor) => tf.sum(m.apply(v)), d, x);
    expect(values((g as any).weight)).toEqual([3, 3, 1, 1, -1, -1]);
    expect(values((g as any).bias)).toEqual([2, 2]);
    expect(values(gx!)).toEqual([3, 7, 11, 3, 7, 11]);
    tf.dispose([x, g as any, gx as any]);
    dispose(d);
  });

  test("layers see withinGradient() while the loss runs", () => {
    const seen: boolean[] = [];
    const x = tf.scalar(1);
    gradient((v: tf.Tensor) => {
      seen.push(withinGradient());
      return tf.mul(v, 1);
    }, x).forEach((t) => tf.dispose(t as tf.Tensor));
    expect(seen).toEqual([true]);
    expect(withinGradient()).toBe(false);
    x.dispose();
  });

  test("a non-scalar loss is a clear error and leaks nothing", () => {
    const x = tf.tensor1d([1, 2]);
    assertNoLeaks(() => {
      expect(() => gradient((v: tf.Tensor) => tf.mul(v, 2), x)).toThrow("gradient: the function must return a scalar loss, got a tensor of shape [2]");
      expect(() => gradient((_: tf.Tensor) => 3 as unknown as tf.Tensor, x)).toThrow("must return a scalar tensor");
    }, 0);
    x.dispose();
  });
});

describe("hessian", () => {
  test("of sum(x³) is diag(6x)", () => {
    const x = tf.tensor1d([1, -2, 0.5]);
    const h = assertNoLeaks(() => hessian((v) => tf.sum(tf.pow(v, 3)), x));
    expect(h.shape).toEqual([3, 3]);
    expect(Array.from(h.dataSync(), (v) => v + 0)).toEqual([6, 0, 0, 0, -12, 0, 0, 0, 3]);
    tf.dispose([x, h]);
  });

  test("of (x₀x₁)² + sin(x₂) matches the analytic Hessian", () => {
    const [a, b, c] = [0.7, -1.3, 0.4];
    const x = tf.tensor1d([a, b, c]);
    const h = hessian((v) => {
      const [p, q, r] = tf.unstack(v);
      return tf.add(tf.square(tf.mul(p!, q!)), tf.sin(r!));
    }, x);
    const expected = [
      [2 * b * b, 4 * a * b, 0],
      [4 * a * b, 2 * a * a, 0],
      [0, 0, -Math.sin(c)],
    ];
    const got = h.arraySync() as number[][];
    got.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 5)));
    tf.dispose([x, h]);
  });

  test("of a matrix argument is [n, n] and symmetric; bad input is a clear error", () => {
    const x = tf.tensor2d([[0.1, 0.2], [0.3, 0.4]]);
    const h = hessian((v) => tf.sum(tf.tanh(tf.matMul(v, v))), x);
    expect(h.shape).toEqual([4, 4]);
    const a = h.arraySync() as number[][];
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(a[i]![j]).toBeCloseTo(a[j]![i]!, 5);
    expect(() => hessian((v) => v, tf.tensor1d([1], "int32"))).toThrow("hessian: x must be a float tensor");
    tf.dispose([x, h]);
  });
});
