// The activations added from NNlib's list: values from NNlib's docstrings and float64 evaluations
// of its definitions, gradients against finite differences.
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { geluErf, geluTanh, gelu, hardswish, logcosh, rrelu, sigmoidFast, softshrink, tanhFast, thresholdrelu, trelu, activationName, type Activation } from "../src/functions/activations.js";
import { Rng } from "../src/functions/rng.js";
import { gradient } from "../src/autodiff/gradient.js";
import { expectClose, values } from "./helpers.js";

const xs = [-6, -2.5, -1, -0.5, -0.2, 0.3, 0.7, 1.5, 3, 6];
/** The same range without the kinks of softshrink (±0.5), trelu (1) and hardswish (±3). */
const smooth = [-6, -2.5, -1, -0.3, -0.2, 0.3, 0.7, 1.5, 2.5, 6];
const run = (f: Activation, x: readonly number[]) => {
  const t = tf.tensor1d([...x]);
  return assertNoLeaks(() => f(t));
};

/** Central differences of sum(f(x)) at each x (float32 maths, so a loose tolerance). */
function checkGradient(f: Activation, x: readonly number[]): void {
  const g = gradient((t: tf.Tensor) => tf.sum(f(t)), tf.tensor1d([...x]))[0] as tf.Tensor;
  const h = 1e-2;
  const at = (v: number) => tf.tidy(() => f(tf.tensor1d([v])).dataSync()[0]!);
  expectClose(g, x.map((v) => (at(v + h) - at(v - h)) / (2 * h)), 1e-2, 2e-3);
}

describe("NNlib activations", () => {
  test("logcosh is log(cosh(x)), also where cosh overflows float32", () => {
    expectClose(run(logcosh, xs), xs.map((v) => Math.log(Math.cosh(v))), 1e-5, 1e-6);
    // log(cosh(100)) = 100 − log 2 (+ e^-200): cosh(100) itself is Inf in float32.
    expectClose(run(logcosh, [100, -100]), [100 - Math.LN2, 100 - Math.LN2]);
    checkGradient(logcosh, xs);
  });

  test("softshrink: NNlib's docstring softshrink.((-10f0, 10f0)) == (-9.5f0, 9.5f0), and λ", () => {
    expect(values(run(softshrink, [-10, 10]))).toEqual([-9.5, 9.5]);
    expectClose(run((x) => softshrink(x, 1), [-2, -1, -0.5, 0, 0.5, 1, 2]), [-1, 0, 0, 0, 0, 0, 1]);
    expectClose(run(softshrink, xs), xs.map((v) => (v >= 0.5 ? v - 0.5 : v <= -0.5 ? v + 0.5 : 0)), 1e-6);
    checkGradient(softshrink, smooth);
  });

  test("trelu(x, θ = 1) = x > θ ? x : 0; thresholdrelu is the same function", () => {
    expect(thresholdrelu).toBe(trelu);
    expectClose(run(trelu, xs), xs.map((v) => (v > 1 ? v : 0)));
    expectClose(run((x) => trelu(x, -1), [-2, -1, -0.5, 2]), [0, 0, -0.5, 2]);
    checkGradient(trelu, smooth);
  });

  test("hardswish(x) = x·hardσ(x)", () => {
    expectClose(run(hardswish, xs), xs.map((v) => v * Math.min(1, Math.max(0, (v + 3) / 6))), 1e-6);
    checkGradient(hardswish, smooth);
  });

  test("geluErf is x·Φ(x); geluTanh is gelu", () => {
    expect(geluTanh).toBe(gelu);
    // Φ(1) = 0.8413447460685429, Φ(2) = 0.9772498680518208, Φ(0.5) = 0.6914624612740131.
    expectClose(run(geluErf, [1, -1, 2, -2, 0.5, 0]), [0.8413447460685429, -0.15865525393145707, 1.9544997361036416, -0.0455002638963584, 0.34573123063700656, 0], 1e-5, 1e-6);
    checkGradient(geluErf, xs);
    expect(activationName(geluErf)).toBe("gelu_erf");
  });

  test("tanhFast: NNlib's docstring tanh_fast(0.5f0) == 0.46211714f0, and within a few eps of tanh", () => {
    expect(values(run(tanhFast, [0.5]))[0]).toBeCloseTo(0.46211714, 7);
    expectClose(run(tanhFast, [...xs, 8.2, 9, -20]), [...xs, 8.2, 9, -20].map(Math.tanh), 1e-6, 1e-6);
    checkGradient(tanhFast, xs);
    // Far out the unused branch stays finite, so the gradient is 0, not NaN.
    expect(values(gradient((t: tf.Tensor) => tf.sum(tanhFast(t)), tf.tensor1d([1e20, -1e20]))[0] as tf.Tensor)).toEqual([0, 0]);
    expect(activationName(tanhFast)).toBe("tanh_fast");
  });

  test("sigmoidFast: NNlib's docstring sigmoid_fast(0.2f0) == 0.54983395f0, 0 below −80", () => {
    // Within one float32 ulp (6e-8 at 0.5) of NNlib's value.
    expect(values(run(sigmoidFast, [0.2]))[0]).toBeCloseTo(0.54983395, 6);
    expect(values(run(sigmoidFast, [-81, 41]))).toEqual([0, 1]);
    checkGradient(sigmoidFast, xs);
  });

  test("rrelu: slopes ~ U(1/8, 1/3) per element, reproducible from a seeded Rng", () => {
    const x = Array<number>(1000).fill(-10);
    const y = values(run((t) => rrelu(t, undefined, undefined, new Rng(7)), x));
    // NNlib's docstring: extrema(rrelu.(fill(-10f0, 1000))) ≈ (-3.33, -1.25), inside [-10/3, -10/8].
    expect(Math.min(...y)).toBeGreaterThanOrEqual(-10 / 3 - 1e-5);
    expect(Math.max(...y)).toBeLessThanOrEqual(-10 / 8 + 1e-5);
    expect(Math.min(...y)).toBeLessThan(-3.2);
    expect(Math.max(...y)).toBeGreaterThan(-1.3);
    // The slopes are the generator's floats, scaled: a = lo + (hi − lo)·u.
    const u = new Rng(7).floats(3);
    expectClose(run((t) => rrelu(t, 0.1, 0.5, new Rng(7)), [-1, -2, 3]), [-(0.1 + 0.4 * u[0]!), -2 * (0.1 + 0.4 * u[1]!), 3], 1e-6);
    expect(values(run((t) => rrelu(t, 0.2, 0.2), [-5, 5]))).toEqual([-1, 5]);
    expect(() => rrelu(tf.tensor1d([1]), 0.5, 0.1)).toThrow("rrelu: expected finite bounds lo ≤ hi, got lo = 0.5, hi = 0.1");
  });
});
