import { afterAll, beforeAll, describe, expect, jest, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { Adam, Descent, Momentum, setup, updateInPlace } from "@fluxion/optimisers";
import { Chain, Conv, Dense, Dropout, Rng, dispose, flatten, gradient, mse, randn32, relu, tanh, withGradient } from "@fluxion/nn";
import {
  AutoOptimiser,
  ImplicitOpt,
  InconsistentAutoOptimiserError,
  autoOptimiser,
  checkImplicitOptimiser,
  clearOptimiserState,
  implicitTrainStep,
  optimiserSetup,
  updateParamsSafe,
} from "@fluxion/evolve";

const values = (t: tf.Tensor | false): number[] => Array.from((t as tf.Tensor).dataSync());
const sumOf = (m: { apply(x: tf.Tensor): tf.Tensor }) => (x: tf.Tensor) => tf.sum(m.apply(x));
/** Dense(1 => 1) with W = 1, b = 0 (NaiveGAflux's test/autooptimiser.jl). */
const unitDense = (): Dense => new Dense(tf.ones([1, 1]));

describe("AutoOptimiser: NaiveGAflux's test/autooptimiser.jl", () => {
  test("without state the gradient throws; after optimiserSetup(Descent(0.5)) one backward pass gives W = 0.5, b = -0.5", () => {
    const a = new AutoOptimiser(unitDense());
    const x = tf.ones([1, 1]);
    expect(() => assertNoLeaks(() => gradient(sumOf(a), x), 0)).toThrow("AutoOptimiser without optimiser state invoked. Forgot to call optimiserSetup?");
    expect(assertNoLeaks(() => optimiserSetup(new Descent(0.5), a), 0)).toBe(true);
    const [dx] = assertNoLeaks(() => gradient(sumOf(a), x), 1);
    expect(values(dx as tf.Tensor)).toEqual([1]); // W before the update
    expect(values(a.layer.weight)).toEqual([0.5]);
    expect(values(a.layer.bias)).toEqual([-0.5]);
    tf.dispose([x, dx as tf.Tensor]);
    clearOptimiserState(a);
    dispose(a);
  });

  test("pre-initialised state: the negated loss restores W; optimiserSetup then resets it", () => {
    const a = autoOptimiser(new Descent(0.1))(unitDense()) as AutoOptimiser<Dense>;
    expect(a).toBeInstanceOf(AutoOptimiser);
    const x = tf.ones([1, 1]);
    tf.dispose(gradient(sumOf(a), x) as tf.Tensor[]);
    expect(values(a.layer.weight)[0]).not.toBe(1);
    assertNoLeaks(() => tf.dispose(gradient((v: tf.Tensor) => tf.neg(tf.sum(a.apply(v))), x) as tf.Tensor[]));
    expect(values(a.layer.weight)[0]).toBeCloseTo(1, 6);
    optimiserSetup(new Descent(0.5), a);
    a.layer.weight.assign(tf.ones([1, 1]));
    (a.layer.bias as tf.Variable).assign(tf.zeros([1]));
    tf.dispose(gradient(sumOf(a), x) as tf.Tensor[]);
    expect(values(a.layer.weight)).toEqual([0.5]);
    expect(values(a.layer.bias)).toEqual([-0.5]);
    x.dispose();
    clearOptimiserState(a);
    dispose(a);
  });

  test("setup on a model without AutoOptimiser warns 'No implicit optimiser found! Call is a noop' and returns false", () => {
    const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
    const m = new Chain(unitDense(), relu);
    expect(optimiserSetup(new Descent(), m)).toBe(false);
    expect(warn).toHaveBeenCalledWith("No implicit optimiser found! Call is a noop");
    warn.mockRestore();
    dispose(m);
  });

  test("a NaN gradient skips the update and keeps the state as it was, in the same shape", () => {
    const a = new AutoOptimiser(updateParamsSafe, unitDense(), new Momentum(0.1));
    const state = a.optstate;
    const x = tf.tensor2d([[NaN]]);
    assertNoLeaks(() => tf.dispose(gradient(sumOf(a), x) as tf.Tensor[]));
    expect(values(a.layer.weight)).toEqual([1]);
    expect(a.optstate).toBe(state);
    x.dispose();
    clearOptimiserState(a);
    dispose(a);
  });

  test("a custom gradfun sees the layer's gradient, shaped like the layer", () => {
    const seen: unknown[] = [];
    const a = new AutoOptimiser((s, _l, g) => {
      seen.push(Object.keys(g as object), values((g as { weight: tf.Tensor }).weight));
      return s;
    }, unitDense());
    const x = tf.tensor2d([[3]]);
    tf.dispose(gradient(sumOf(a), x) as tf.Tensor[]);
    expect(seen).toEqual([["weight", "bias", "sigma"], [3]]);
    x.dispose();
    dispose(a);
  });

  test("forward passes outside a gradient just run the layer; it prints as AutoOptimiser(layer)", () => {
    const a = new AutoOptimiser(unitDense());
    const x = tf.tensor2d([[2]]);
    const y = assertNoLeaks(() => a.apply(x));
    expect(values(y)).toEqual([2]);
    expect(a.repr()).toBe("AutoOptimiser(Dense(1 => 1))");
    tf.dispose([x, y]);
    dispose(a);
  });

  test("autoOptimiser returns parameter-free layers as they are", () => {
    expect(autoOptimiser(new Descent())(relu)).toBe(relu);
    expect(autoOptimiser(relu)).toBe(relu);
    const d = unitDense();
    const a = autoOptimiser(d) as AutoOptimiser<Dense>;
    expect(a.layer).toBe(d);
    expect(a.optstate).toBeNull();
    dispose(d);
  });
});

describe("checkImplicitOptimiser", () => {
  test("plain layers → false, all wrapped → true, a mix → an error naming each layer", () => {
    const rng = new Rng(1);
    const conv = (): Conv => new Conv([3, 3], [1, 2], relu, { init: (s) => randn32(s, rng) });
    const plain = new Chain(conv(), flatten, new Dense([2 * 4 * 4, 1]));
    expect(checkImplicitOptimiser(plain)).toBe(false);
    const wrap = autoOptimiser(new Descent());
    const implicit = new Chain(wrap(conv()), flatten, wrap(new Dense([2 * 4 * 4, 1])));
    expect(checkImplicitOptimiser(implicit)).toBe(true);
    const mixed = new Chain(wrap(conv()), flatten, new Dense([32, 1]));
    expect(() => checkImplicitOptimiser(mixed)).toThrow(InconsistentAutoOptimiserError);
    expect(() => checkImplicitOptimiser(mixed)).toThrow(
      /model\.layers\.0 implicit: true, AutoOptimiser\(Conv\(\(3, 3\), 1 => 2, relu\)\)\n {2}model\.layers\.2 implicit: false, Dense\(32 => 1\)/,
    );
    for (const m of [plain, implicit, mixed]) {
      clearOptimiserState(m);
      dispose(m);
    }
  });
});

/** Conv and Dense layers for 6×6 single-channel images, one output; the same weights every call. */
function model(wrap: <L>(l: L) => L, probe: (v: tf.Tensor) => tf.Tensor = (v) => v): Chain {
  const rng = new Rng(7);
  const init = (s: readonly number[]) => tf.mul(randn32(s, rng), 0.3);
  return new Chain(
    wrap(new Conv([3, 3], [1, 4], tanh, { init })) as Conv,
    probe,
    wrap(new Conv([3, 3], [4, 8], relu, { init })) as Conv,
    flatten,
    probe,
    wrap(new Dense([8 * 2 * 2, 64], tanh, { init })) as Dense,
    probe,
    wrap(new Dense([64, 64], tanh, { init })) as Dense,
    probe,
    wrap(new Dense([64, 1], undefined, { init })) as Dense,
  );
}

const loss = (m: Chain, x: tf.Tensor, y: tf.Tensor): tf.Tensor => mse(m.apply(x), y);

type Peak = { tensors: number; bytes: number };

/** An identity op that records tf.memory() in the forward and the backward pass. */
function memoryProbe(peak: Peak): (v: tf.Tensor) => tf.Tensor {
  const sample = (): void => {
    const m = tf.memory();
    peak.tensors = Math.max(peak.tensors, m.numTensors);
    peak.bytes = Math.max(peak.bytes, m.numBytes);
  };
  return (v) => {
    sample();
    return tf.customGrad((u) => ({ value: tf.clone(u as tf.Tensor), gradFunc: (dy) => (sample(), tf.clone(dy as tf.Tensor)) }))(v as never) as tf.Tensor;
  };
}

describe("implicit training", () => {
  let x: tf.Tensor;
  let y: tf.Tensor;
  beforeAll(() => {
    const rng = new Rng(3);
    x = randn32([2, 6, 6, 1], rng);
    y = randn32([2, 1], rng);
  });
  afterAll(() => tf.dispose([x, y]));

  test("equals the explicit gradient + updateInPlace run (Adam, 4 steps), with less memory at the peak", () => {
    const peak = { explicit: { tensors: 0, bytes: 0 }, implicit: { tensors: 0, bytes: 0 } };
    const explicit = model((l) => l, memoryProbe(peak.explicit));
    const state = setup(new Adam(0.01), explicit);
    const implicit = model((l) => autoOptimiser(new ImplicitOpt(new Adam(0.01)))(l as never) as never, memoryProbe(peak.implicit));
    expect(checkImplicitOptimiser(implicit)).toBe(true);
    const base = tf.memory(); // both models and their optimiser states
    const explicitLosses: number[] = [];
    const implicitLosses: number[] = [];
    for (let step = 0; step < 4; step++) {
      const { val, grad } = withGradient((m: Chain) => loss(m, x, y), explicit);
      explicitLosses.push(values(val)[0]!);
      memoryProbe(peak.explicit)(val).dispose(); // every gradient is alive here
      updateInPlace(state, explicit, grad[0]);
      tf.dispose([val, grad as tf.TensorContainer]);
      implicitLosses.push(assertNoLeaks(() => implicitTrainStep(loss, implicit, [x, y]), 0));
    }
    expect(implicitLosses.map((l) => Math.fround(l))).toEqual(explicitLosses.map((l) => Math.fround(l)));
    const pe = explicit.list() as (Conv | Dense)[];
    const pi = (implicit.list() as unknown[]).map((l) => (l instanceof AutoOptimiser ? l.layer : l)) as (Conv | Dense)[];
    for (const i of [0, 2, 5, 7, 9]) {
      const a = values(pe[i]!.weight);
      const b = values(pi[i]!.weight);
      a.forEach((v, k) => expect(b[k]!).toBeCloseTo(v, 5));
    }
    const over = (p: Peak) => ({ tensors: p.tensors - base.numTensors, bytes: p.bytes - base.numBytes });
    expect(peak.implicit.bytes).toBeLessThan(peak.explicit.bytes);
    expect(peak.implicit.tensors).toBeLessThan(peak.explicit.tensors);
    clearOptimiserState(implicit);
    tf.dispose(state as never);
    dispose(explicit);
    dispose(implicit);
  });

  test("a NaN loss skips the backward pass and is returned; a model without AutoOptimiser is refused", () => {
    const implicit = model(autoOptimiser(new Descent(0.1)) as never);
    const before = values((implicit.list()[0] as AutoOptimiser<Conv>).layer.weight);
    const nan = assertNoLeaks(() => implicitTrainStep((m: Chain, xb: tf.Tensor) => tf.mul(tf.sum(m.apply(xb)), NaN), implicit, x), 0);
    expect(nan).toBeNaN();
    expect(values((implicit.list()[0] as AutoOptimiser<Conv>).layer.weight)).toEqual(before);
    const plain = model((l) => l);
    expect(() => implicitTrainStep(loss, plain, [x, y])).toThrow("implicitTrainStep: the model has no AutoOptimiser");
    clearOptimiserState(implicit);
    dispose(implicit);
    dispose(plain);
  });

  test("Dropout inside an AutoOptimiser is applied once: the backward pass uses the forward pass's mask", () => {
    const d = new Chain(new Dense(tf.ones([4, 4]), false), new Dropout(0.5, { rng: new Rng(5) }));
    const a = new AutoOptimiser(updateParamsSafe, d, new Descent(1));
    const xb = tf.ones([1, 4]);
    implicitTrainStep((m: AutoOptimiser<Chain>, v: tf.Tensor) => tf.sum(m.apply(v)), a, xb);
    // d sum(dropout(x·W)) / dW[i][j] = x[i] · mask[j] / (1 - p): columns kept get -2, dropped ones 0.
    const w = values((d.list()[0] as Dense).weight);
    const cols = [0, 1, 2, 3].map((j) => w[j]);
    expect(cols.every((c) => c === 1 || c === -1)).toBe(true);
    for (let i = 1; i < 4; i++) expect(w.slice(4 * i, 4 * i + 4)).toEqual(cols);
    xb.dispose();
    clearOptimiserState(a);
    dispose(a);
  });
});
