import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { Adam, Descent, Leaf, Momentum, Nesterov, OptimiserChain, Rule, adjust, exponentialDecay, loadState, saveState, setup, update, type StateTree } from "@fluxion/optimisers";
import { ImplicitOpt, ShieldedOpt } from "@fluxion/evolve";

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());

/** `steps` updates of x = [1, -2, 3] with the gradient 2x (as Optimisers.jl's tests do). */
function run(rule: Rule, steps: number): number[] {
  return tf.tidy(() => {
    let x = tf.tensor1d([1, -2, 3]);
    let state: StateTree = setup(rule, x);
    for (let i = 0; i < steps; i++) [state, x] = update(state, x, tf.mul(x, 2));
    return values(x);
  });
}

describe.each([
  ["ShieldedOpt", (r: Rule) => new ShieldedOpt(r)],
  ["ImplicitOpt", (r: Rule) => new ImplicitOpt(r)],
])("%s", (name, wrap) => {
  test("trains bit for bit as its rule, alone and inside an OptimiserChain", () => {
    expect(run(wrap(new Adam(0.1)), 5)).toEqual(run(new Adam(0.1), 5));
    expect(run(new OptimiserChain(new Momentum(0.05), wrap(new Adam(0.1))), 3)).toEqual(run(new OptimiserChain(new Momentum(0.05), new Adam(0.1)), 3));
    expect(run(wrap(new Descent(exponentialDecay({ init: 0.1, decayRate: 0.5, transitionSteps: 1 }))), 3)).toEqual(run(new Descent(exponentialDecay({ init: 0.1, decayRate: 0.5, transitionSteps: 1 })), 3));
  });

  test("prints around its rule and keeps the wrapper through adjust", () => {
    const w = wrap(new Adam(0.1));
    expect(String(w)).toBe(`${name}(Adam(0.1, (0.9, 0.999), 1.0e-8))`);
    expect(String(new OptimiserChain(new Nesterov(0.1), w))).toBe(`OptimiserChain(Nesterov(0.1, 0.9), ${name}(Adam(0.1, (0.9, 0.999), 1.0e-8)))`);
    const a = adjust(w, 0.01);
    expect(a).toBeInstanceOf(w.constructor);
    expect(String(a)).toBe(`${name}(Adam(0.01, (0.9, 0.999), 1.0e-8))`);
    expect(adjust(w, { beta: [0.8, 0.9] }).toString()).toBe(`${name}(Adam(0.1, (0.8, 0.9), 1.0e-8))`);
    expect(() => adjust(w, { rho: 1 })).toThrow("adjust: no rule here has a field named 'rho'; the fields are eta, beta, epsilon");
    const x = tf.tensor1d([1, 2]);
    const state = setup(new OptimiserChain(w, new Descent(1)), x);
    const adjusted = adjust(state, 0.5) as Leaf;
    expect(String(adjusted.rule)).toBe(`OptimiserChain(${name}(Adam(0.5, (0.9, 0.999), 1.0e-8)), Descent(0.5))`);
    tf.dispose([x, (state as Leaf).state as tf.Tensor[], adjusted.state as tf.Tensor[]]);
  });

  test("round-trips through saveState / loadState with its state", () => {
    const x = tf.tensor1d([1, 2]);
    const [state] = update(setup(new OptimiserChain(wrap(new Momentum(0.1)), new Descent(0.5)), x), x, tf.onesLike(x));
    const loaded = assertNoLeaks(() => loadState(saveState(state)), 1) as Leaf;
    expect(loaded.rule.toString()).toBe(`OptimiserChain(${name}(Momentum(0.1, 0.9)), Descent(0.5))`);
    expect((loaded.rule as OptimiserChain).opts[0]).toBeInstanceOf(wrap(new Descent()).constructor);
    expect(values((loaded.state as tf.Tensor[])[0]!)).toEqual(values(((state as Leaf).state as tf.Tensor[])[0]!));
    tf.dispose([x, (state as Leaf).state as tf.Tensor[], loaded.state as tf.Tensor[]]);
  });

  test("refuses what is not a rule", () => {
    expect(() => wrap(0.1 as never)).toThrow(`${name}: expected a rule to wrap, got the number 0.1`);
  });
});

test("ShieldedOpt inside ImplicitOpt: both wrappers kept, trains as the rule", () => {
  const r = new ImplicitOpt(new OptimiserChain(new Nesterov(0.1), new ShieldedOpt(new Adam(0.1))));
  expect(String(r)).toBe("ImplicitOpt(OptimiserChain(Nesterov(0.1, 0.9), ShieldedOpt(Adam(0.1, (0.9, 0.999), 1.0e-8))))");
  expect(run(r, 3)).toEqual(run(new OptimiserChain(new Nesterov(0.1), new Adam(0.1)), 3));
  // NaiveGAflux's learning rate of a chain is the product of its rules', shielded ones included:
  // adjust reaches every rule; the coming optimiser mutations leave ShieldedOpt alone instead.
  expect(String(adjust(r, 0.2))).toBe("ImplicitOpt(OptimiserChain(Nesterov(0.2, 0.9), ShieldedOpt(Adam(0.2, (0.9, 0.999), 1.0e-8))))");
});
