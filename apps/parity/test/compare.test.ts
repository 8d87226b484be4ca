// The comparison rule itself, on hand-made numbers: a parity suite whose comparison cannot fail
// would prove nothing.
import { describe, expect, test } from "@jest/globals";
import { compareResults, compareValues } from "../src/index.js";

const v = (values: number[], shape = [values.length]) => ({ shape, values });

describe("compareValues: |got − ref| ≤ rtol·(|ref| + ‖ref‖∞)", () => {
  test("within tolerance passes, just beyond fails and names the element", () => {
    // ref [10, 0.001], ‖ref‖∞ = 10, rtol 1e-3: element 0 may move 0.02, element 1 may move 0.010001.
    expect(compareValues(v([10.019, 0.011]), v([10, 0.001]), 1e-3)).toBeUndefined();
    expect(compareValues(v([10.021, 0.001]), v([10, 0.001]), 1e-3)).toBe(
      "element 0 is 10.021 but expected 10 (|diff| 2.10e-2 > 2.00e-2)",
    );
    expect(compareValues(v([10, 0.0115]), v([10, 0.001]), 1e-3)).toMatch(/^element 1 is 0.0115 but expected 0.001/);
  });

  test("shapes must match, NaN must meet NaN, infinities must be equal", () => {
    expect(compareValues(v([1, 2], [2, 1]), v([1, 2], [1, 2]), 1e-3)).toBe("shape [2,1] but expected [1,2]");
    expect(compareValues(v([NaN, 1]), v([NaN, 1]), 1e-3)).toBeUndefined();
    expect(compareValues(v([0, 1]), v([NaN, 1]), 1e-3)).toBe("element 0 is 0 but expected NaN");
    expect(compareValues(v([1, 1]), v([NaN, 1]), 0.5)).toBe("element 0 is 1 but expected NaN");
    expect(compareValues(v([-Infinity]), v([Infinity]), 1)).toBe("element 0 is -Infinity but expected Infinity");
    expect(compareValues(v([3, Infinity]), v([3, Infinity]), 0)).toBeUndefined();
  });

  test("a zero tolerance demands equality", () => {
    expect(compareValues(v([1, 2]), v([1, 2]), 0)).toBeUndefined();
    expect(compareValues(v([1, 2.0000001]), v([1, 2]), 0)).toMatch(/^element 1/);
  });
});

describe("compareResults", () => {
  const ref = [{ group: "losses" as const, name: "mse", outputs: { y: v([1]) }, leaked: 0 }];
  test("reports leaks, errors, missing cases and missing outputs", () => {
    expect(compareResults([{ ...ref[0]!, leaked: 2 }], ref, 1e-3)).toEqual([{ case: "losses/mse", output: "-", problem: "leaked 2 tensor(s)" }]);
    expect(compareResults([{ ...ref[0]!, error: "Error: boom\n at x" }], ref, 1e-3)).toEqual([{ case: "losses/mse", output: "-", problem: "error: Error: boom" }]);
    expect(compareResults([], ref, 1e-3)).toEqual([{ case: "losses/mse", output: "-", problem: "case missing" }]);
    expect(compareResults([{ ...ref[0]!, outputs: {} }], ref, 1e-3)).toEqual([{ case: "losses/mse", output: "y", problem: "output missing" }]);
    expect(compareResults(ref, ref, 0)).toEqual([]);
  });
});
