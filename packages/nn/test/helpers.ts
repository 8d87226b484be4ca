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
