// Optimisers.jl's adjust! docstring examples (Nesterov; OptimiserChain(ClipGrad(), Adam())).
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { Adam, Nesterov, OptimiserChain, adjust, adjustInPlace, setup, update } from "@fluxion/optimisers";
import { ClipGrad } from "../src/rules/clip-grad.js";
import { disposeTree, expectClose } from "./helpers.js";

describe("adjust! docstring", () => {
  test("Nesterov: momentum −0.016, −0.088 after one step; adjust! changes eta and keeps it", () => {
    const m = { vec: tf.tensor1d([0.25, 0.75]), fun: Math.sin };
    const st = setup(new Nesterov(), m) as any;
    expect(st.vec.toString()).toBe("Leaf(Nesterov(0.001, 0.9), [0.0, 0.0])");
    expect(st.fun).toEqual([]);
    const g = { vec: tf.tensor1d([16, 88]), fun: null };
    const [st2, m2] = update(st, m, g) as any;
    // Julia's docstring prints [-0.016, -0.088]; in float32 f32(0.001)·88 = 0.088000007, which
    // prints as 0.08800001, so compare values with a tolerance rather than the printed digits.
    expectClose(st2.vec.state, [-0.016, -0.088]);
    expect(st2.vec.toString()).toMatch(/^Leaf\(Nesterov\(0\.001, 0\.9\), \[-0\.016, -0\.08800001?\]\)$/);
    // Nesterov from zero velocity: dx' = (1+ρ)·η·dx
    expectClose(m2.vec, [0.25 - 1.9 * 0.001 * 16, 0.75 - 1.9 * 0.001 * 88]);
    adjustInPlace(st2, 0.123);
    expect(st2.vec.rule.toString()).toBe("Nesterov(0.123, 0.9)");
    expectClose(st2.vec.state, [-0.016, -0.088]);
    // Julia silently ignores a field no rule has; fluxion says so.
    expect(() => adjust(st2, { beta: "no such field" })).toThrow("no rule here has a field named 'beta'");
    disposeTree(st);
    disposeTree(st2);
    tf.dispose([m.vec, m2.vec, g.vec]);
  });

  test("keywords reach every rule in a chain that has the field: beta → Adam, delta → ClipGrad", () => {
    const m = { vec: tf.tensor1d([0.25, 0.75]), fun: Math.sin };
    const st2 = setup(new OptimiserChain(new ClipGrad(), new Adam()), m) as any;
    expect(st2.vec.toString()).toBe(
      "Leaf(OptimiserChain(ClipGrad(10.0), Adam(0.001, (0.9, 0.999), 1.0e-8)), (nothing, ([0.0, 0.0], [0.0, 0.0], (0.9, 0.999))))",
    );
    const st3 = adjust(st2, { beta: [0.777, 0.909], delta: 11.1 }) as any;
    expect(st3.vec.toString()).toBe(
      "Leaf(OptimiserChain(ClipGrad(11.1), Adam(0.001, (0.777, 0.909), 1.0e-8)), (nothing, ([0.0, 0.0], [0.0, 0.0], (0.9, 0.999))))",
    );
    expect(st2.vec.rule.toString()).toBe("OptimiserChain(ClipGrad(10.0), Adam(0.001, (0.9, 0.999), 1.0e-8))");
    disposeTree(st2);
    disposeTree(st3);
    m.vec.dispose();
  });
});
