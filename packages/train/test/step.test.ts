// trainStep / trainStepWithGradient against Flux 0.16.11's trainstep! (src/train.jl), with numbers
// derived by hand, and the gradient guard of train.
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { Descent, Leaf, Momentum } from "@fluxion/optimisers";
import { Chain, Dense, dispose } from "@fluxion/nn";
import { DomainError, setup, train, trainStep, trainStepWithGradient } from "../src/index.js";

const values = (t: unknown): number[] => Array.from((t as tf.Tensor).dataSync());

// w = 2 (no bias), x = 3: L = (w·x)² = 36, dL/dw = 2·w·x·x = 36; Descent(0.5) gives w = 2 − 18 = −16.
function square(): { m: Dense; x: tf.Tensor; done: () => void } {
  const m = new Dense(tf.tensor2d([[2]]), false);
  const x = tf.tensor2d([[3]]);
  return { m, x, done: () => (x.dispose(), dispose(m)) };
}
const sq = (model: Dense, v: tf.Tensor) => tf.sum(tf.square(model.apply(v)));

describe("trainStep (Flux's trainstep!)", () => {
  test("a non-finite loss is returned and skips the update; the state is untouched too", () => {
    const { m, x, done } = square();
    const opt = setup(new Momentum(0.1), m) as unknown as { weight: Leaf };
    for (const bad of [NaN, Infinity, -Infinity]) {
      const out = assertNoLeaks(() => trainStep((model: Dense) => tf.mul(bad, tf.sum(model.weight)), m, [], opt as never));
      expect(out).toBe(bad * 2);
    }
    expect(values(m.weight)).toEqual([2]);
    expect(values(opt.weight.state)).toEqual([0]);
    tf.dispose(opt.weight.state as tf.Tensor);
    done();
  });

  test("[loss, ...aux] returns [number, ...aux]; the aux tensors are the caller's", () => {
    const { m, x, done } = square();
    const opt = setup(new Descent(0.5), m);
    const out = assertNoLeaks(() => trainStep((model: Dense, v: tf.Tensor) => {
      const y = model.apply(v);
      return [tf.sum(tf.square(y)), y, "note"];
    }, m, x, opt), 1);
    expect(out[0]).toBeCloseTo(36, 5);
    expect(values(out[1])).toEqual([6]); // the aux is the forward pass's w·x = 6, before the update
    expect(out[2]).toBe("note");
    expect(values(m.weight)[0]).toBeCloseTo(-16, 4); // the model's gradient (element 0) was applied
    out[1].dispose();
    done();
  });

  test("{ loss, ...rest } returns { loss: number, ...rest } (Flux returns the NamedTuple), in order", () => {
    const { m, x, done } = square();
    const opt = setup(new Descent(0.5), m);
    const out = assertNoLeaks(() => trainStep((model: Dense, v: tf.Tensor) => ({ loss: sq(model, v), acc: 0.75, y: model.apply(v) }), m, x, opt), 1);
    expect(Object.keys(out)).toEqual(["loss", "acc", "y"]);
    expect(out.loss).toBeCloseTo(36, 5);
    expect(out.acc).toBe(0.75);
    expect(values(out.y)).toEqual([6]);
    expect(values(m.weight)[0]).toBeCloseTo(-16, 4);
    out.y.dispose();
    done();
  });

  test("a plain tensor loss still returns a plain number", () => {
    const { m, x, done } = square();
    const out = assertNoLeaks(() => trainStep(sq, m, x, setup(new Descent(0.5), m)));
    expect(typeof out).toBe("number");
    expect(out).toBeCloseTo(36, 5);
    done();
  });

  test("trainStepWithGradient (Flux's trainstep_withgradient!) also returns the model's gradient", () => {
    const { m, x, done } = square();
    const { val, grad } = assertNoLeaks(() => trainStepWithGradient(sq, m, x, setup(new Descent(0.5), m)), 1);
    expect(val).toBeCloseTo(36, 5);
    const g = grad as { weight: tf.Tensor; bias: unknown };
    expect(values(g.weight)[0]).toBeCloseTo(36, 4); // dL/dw = 36, the gradient before the update
    expect(g.bias).toBeNull();
    expect(values(m.weight)[0]).toBeCloseTo(-16, 4);
    g.weight.dispose();
    // With a non-finite loss the update is skipped but the gradient is still returned.
    const skipped = trainStepWithGradient((model: Dense) => tf.mul(NaN, tf.sum(model.weight)), m, [], setup(new Descent(0.5), m));
    expect(skipped.val).toBeNaN();
    expect(values((skipped.grad as { weight: tf.Tensor }).weight)).toEqual([NaN]);
    expect(values(m.weight)[0]).toBeCloseTo(-16, 4);
    tf.dispose(skipped.grad as tf.TensorContainer);
    done();
  });
});

describe("the gradient guard", () => {
  // L = Σa² + Σ√b at a = [1], b = [1, 0]: L = 2 (finite); dL/db = 1/(2√b) = [0.5, Infinity].
  const makeModel = () => ({ a: tf.variable(tf.tensor1d([1])), b: { w: tf.variable(tf.tensor1d([1, 0])) } });
  type M = ReturnType<typeof makeModel>;
  const sqrtLoss = (m: M) => tf.add(tf.sum(tf.square(m.a)), tf.sum(tf.sqrt(m.b.w)));

  test("a finite loss with an infinite gradient throws a DomainError naming the parameter; nothing changes", () => {
    const model = makeModel();
    const opt = setup(new Momentum(0.1), model) as unknown as { a: Leaf; b: { w: Leaf } };
    let error: unknown;
    assertNoLeaks(() => {
      try {
        trainStep(sqrtLoss, model, [], opt as never, 4);
      } catch (e) {
        error = e;
      }
    });
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).value).toBe(Infinity);
    expect((error as Error).message).toBe(
      "The gradient of b.w contains Infinity on data item 4 (0-based), although the loss is finite (2); stopping training, the parameters are as they were before this item",
    );
    // a's gradient (2) was finite, yet a is untouched: the step updates all or nothing.
    expect(values(model.a)).toEqual([1]);
    expect(values(model.b.w)).toEqual([1, 0]);
    expect(values(opt.a.state)).toEqual([0]);
    tf.dispose([model.a, model.b.w, opt.a.state as tf.Tensor, opt.b.w.state as tf.Tensor]);
  });

  test("train stops at the item, after applying the ones before; layers are named by their path", async () => {
    // Chain(Dense(1 => 1, w = 1), Dense(1 => 1, w = 0)), no biases, on x: L = √(0·1·x) = 0, and
    // dL/dy = 1/(2√0) = Infinity, so dL/dw₁ = Infinity·0·x = NaN (the first in order), dL/dw₂ = Infinity.
    const [d1, d2] = [new Dense(tf.tensor2d([[1]]), false), new Dense(tf.tensor2d([[0]]), false)];
    const model = new Chain(d1, d2);
    const x = tf.tensor2d([[2]]);
    const loss = (m: Chain, v: tf.Tensor | null) => (v === null ? tf.sum(tf.mul(0, m.apply(x))) : tf.sum(tf.sqrt(m.apply(v))));
    const opt = setup(new Descent(0.1), model);
    const run = assertNoLeaks(() => train(loss, model, [null, x, null], opt, { progress: false }).catch((e: unknown) => e));
    const error = (await run) as Error;
    expect(error).toBeInstanceOf(DomainError);
    expect(error.message).toBe(
      "The gradient of layers.0.weight contains NaN on data item 1 (0-based), although the loss is finite (0); stopping training, the parameters are as they were before this item",
    );
    // Item 0 (L = 0·w₂·w₁·x, dL/dw = 0) was applied and changed nothing; item 1 changed nothing either.
    expect(values(d1.weight)).toEqual([1]);
    expect(values(d2.weight)).toEqual([0]);
    // Not checked on request: the NaN gradient reaches the weights.
    await train(loss, model, [x], opt, { progress: false, checkGradients: false });
    expect(values(d1.weight)).toEqual([NaN]);
    x.dispose();
    dispose(model);
  });

  test("finite gradients whose sum overflows float32 pass (the fast check is confirmed exactly)", () => {
    // L = Σ c·w at w = 0 with c = [3e38, 3e38]: L = 0, dL/dw = c (finite), whose float32 sum is Infinity.
    const model = { w: tf.variable(tf.zeros([2])) };
    const c = tf.tensor1d([3e38, 3e38]);
    const out = assertNoLeaks(() => trainStep((m: typeof model) => tf.sum(tf.mul(c, m.w)), model, [], setup(new Descent(1e-38), model)));
    expect(out).toBe(0);
    values(model.w).forEach((v) => expect(v).toBeCloseTo(-3, 5));
    tf.dispose([model.w, c]);
  });

  test("a non-finite loss wins over a non-finite gradient: trainStep returns it", () => {
    const model = makeModel();
    const out = trainStep((m: M) => tf.mul(tf.sum(tf.sqrt(m.b.w)), Infinity), model, [], setup(new Descent(0.1), model));
    expect(out).toBe(Infinity);
    expect(values(model.b.w)).toEqual([1, 0]);
    tf.dispose([model.a, model.b.w]);
  });
});
