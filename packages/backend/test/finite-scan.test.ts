// firstNonFinite (finite-scan.ts): the gradients' finiteness read in place on cpu and wasm, against
// values placed by hand (every position of a 4-wide pass and its tail), and the cases it leaves to tfjs.
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { firstNonFinite, setFusedKernels, valueAndGradients } from "@fluxion/backend/internal";
import { assertNoLeaks } from "@fluxion/backend/testing";

const ramp = (n: number): number[] => Array.from({ length: n }, (_, i) => (i % 7) - 3 + i * 1e-3);

describe("firstNonFinite", () => {
  test("finite values, huge ones and signed zeros included, give -1", () => {
    const ts = [tf.tensor(ramp(13)), tf.tensor([3.4e38, -3.4e38, -0, 0, 1e-45]), tf.tensor([], [0])];
    expect(assertNoLeaks(() => firstNonFinite(ts), 0)).toBe(-1);
    tf.dispose(ts);
  });

  for (const bad of [NaN, Infinity, -Infinity]) {
    test(`${bad} at any position (the 4-wide pass and the tail) is found in the right tensor`, () => {
      for (const length of [1, 4, 9, 16, 1001]) {
        for (const at of length > 16 ? [0, 500, 997, 1000] : Array.from({ length }, (_, i) => i)) {
          const values = ramp(length);
          values[at] = bad;
          const ts = [tf.tensor(ramp(6)), tf.tensor(values), tf.tensor([bad])];
          expect(firstNonFinite(ts)).toBe(1);
          tf.dispose(ts);
        }
      }
    });
  }

  test("gradients straight from a gradient call are read in place", () => {
    const x = tf.tensor([1, 0, 4, 2]);
    // d/dx Σ log(x) = 1/x: +Infinity at the 0.
    const { value, grads } = valueAndGradients(() => tf.sum(tf.log(x)), [x]);
    expect(firstNonFinite(grads as tf.Tensor[])).toBe(0);
    tf.dispose([x, value, ...grads]);
  });

  test("null where values cannot be read in place: int32, a tensor given twice, fused kernels off", () => {
    const [f, i] = [tf.tensor([1, NaN]), tf.tensor([1, 2], [2], "int32")];
    expect(firstNonFinite([f, i])).toBeNull();
    expect(firstNonFinite([f, f])).toBeNull();
    setFusedKernels(false);
    try {
      expect(firstNonFinite([f])).toBeNull();
    } finally {
      setFusedKernels(true);
    }
    expect(firstNonFinite([f])).toBe(0);
    tf.dispose([f, i]);
  });
});
