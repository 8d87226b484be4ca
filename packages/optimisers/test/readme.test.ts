// The README's examples, run as written (with fewer steps and checked results).
import { expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import {
  Adam, ClipNorm, OptimiserChain, adjustInPlace, cosineDecay, defineRule, loadState, registerRule, saveState, setup, updateInPlace,
} from "@fluxion/optimisers";
import { disposeTree, expectClose } from "./helpers.js";

test("README example: a linear model fitted with a chain and a cosine schedule", () => {
  const model = { weight: tf.variable(tf.zeros([2, 1])), bias: tf.variable(tf.zeros([1])) };
  const xs = tf.randomUniform([64, 2], 0, 1, "float32", 3);
  const ys = tf.tidy(() => tf.add(tf.matMul(xs, tf.tensor2d([[3], [-2]])), 0.5));
  const loss = (w: tf.Tensor, b: tf.Tensor) => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(xs, w), b), ys))) as tf.Scalar;
  const rule = new OptimiserChain(new ClipNorm(1), new Adam({ eta: cosineDecay({ init: 0.1, decaySteps: 500 }) }));
  const state = setup(rule, model);
  for (let step = 0; step < 500; step++) {
    const [gw, gb] = tf.grads(loss)([model.weight, model.bias]);
    updateInPlace(state, model, { weight: gw, bias: gb });
    tf.dispose([gw, gb]);
  }
  expectClose(model.weight, [3, -2], 0, 0.05);
  expectClose(model.bias, [0.5], 0, 0.05);
  adjustInPlace(state, { beta: [0.8, 0.99] });
  expect((state as any).weight.rule.toString()).toMatch(/^OptimiserChain\(ClipNorm\(1\.0, 2\.0, true\), Adam\(cosineDecay\(.*\), \(0\.8, 0\.99\), 1\.0e-8\)\)$/);
  disposeTree(state);
  tf.dispose([model.weight, model.bias, xs, ys]);
});

test("README example: a custom rule (DecayDescent) runs, prints and round-trips through saveState", () => {
  class DecayDescent extends defineRule("DecayDescent", { eta: 0.1 }) {
    init(_x: tf.Tensor): number {
      return 1;
    }
    apply(t: number, _x: tf.Tensor, dx: tf.Tensor): [number, tf.Tensor] {
      return [t + 1, tf.mul(dx, this.values().eta / Math.sqrt(t))];
    }
  }
  registerRule(DecayDescent);
  const p = { x: tf.variable(tf.tensor1d([1])) };
  const st = setup(new DecayDescent(), p);
  const g = tf.tensor1d([1]);
  for (let i = 0; i < 4; i++) updateInPlace(st, p, { x: g });
  // x = 1 − 0.1 (1/√1 + 1/√2 + 1/√3 + 1/√4)
  expectClose(p.x, [1 - 0.1 * (1 + 1 / Math.SQRT2 + 1 / Math.sqrt(3) + 0.5)]);
  expect((st as any).x.toString()).toBe("Leaf(DecayDescent(0.1), 5)");
  const back = loadState(saveState(st)) as any;
  expect(back.x.rule).toBeInstanceOf(DecayDescent);
  expect(back.x.state).toBe(5);
  tf.dispose([p.x, g]);
});
