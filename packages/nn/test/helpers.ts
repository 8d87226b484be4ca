import { expect } from "@jest/globals";
import { tf } from "@fluxion/backend";

/** Elementwise |a − e| ≤ atol + rtol·|e|, naming the first bad element. Numbers, arrays or tensors. */
export function expectClose(actual: tf.Tensor | ArrayLike<number> | number, expected: tf.Tensor | ArrayLike<number> | number, rtol = 1e-5, atol = 1e-7): void {
  const list = (v: tf.Tensor | ArrayLike<number> | number): number[] => (v instanceof tf.Tensor ? Array.from(v.dataSync()) : typeof v === "number" ? [v] : Array.from(v));
  const [a, e] = [list(actual), list(expected)];
  expect(a.length).toBe(e.length);
  for (let i = 0; i < e.length; i++) {
    if (!(Math.abs(a[i]! - e[i]!) <= atol + rtol * Math.abs(e[i]!))) {
      throw new Error(`element ${i}: got ${a[i]}, expected ${e[i]} (rtol ${rtol}, atol ${atol})${e.length > 1 ? `\n  actual:   [${a}]\n  expected: [${e}]` : ""}`);
    }
  }
}

/** A tensor's values as a plain array. */
export const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());

/** Deterministic "random" numbers in (−1, 1). */
export const wave = (n: number, k = 1): number[] => Array.from({ length: n }, (_, i) => Math.sin(1.3 * i * k + 0.7 * k));

/** Central differences of `loss()` with respect to every element of the variable `v`. */
export function finiteDiff(loss: () => tf.Tensor, v: tf.Variable, h = 1e-2): number[] {
  const base = values(v);
  const at = (i: number, delta: number): number => {
    const p = [...base];
    p[i]! += delta;
    tf.tidy(() => v.assign(tf.tensor(p, v.shape)));
    return tf.tidy(() => loss().dataSync()[0]!);
  };
  const fd = base.map((_, i) => (at(i, h) - at(i, -h)) / (2 * h));
  tf.tidy(() => v.assign(tf.tensor(base, v.shape)));
  return fd;
}

/** An analytic gradient against finite differences, with their looser tolerance. */
export const fdClose = (analytic: ArrayLike<number>, fd: ArrayLike<number>): void => expectClose(analytic, fd, 1e-2, 2e-3);
