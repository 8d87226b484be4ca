// fluxion's Sum kernel (sum-kernel.ts) on cpu and wasm, inside fluxion's calls: sums over leading axes
// against float64 sums done here, keepDims, axes given in any order or negative; every other
// reduction, and int32, handed to the stock kernel.
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { counting } from "./counting.js";
import { seeded } from "./seeded.js";

/** Sums over the first k axes of a row-major array of `shape`, in float64. */
function leadingSums(values: number[], shape: number[], k: number): number[] {
  const cols = shape.slice(k).reduce((p, d) => p * d, 1);
  const out = new Array<number>(cols).fill(0);
  values.forEach((v, i) => (out[i % cols]! += v));
  return out;
}

describe("fluxion's Sum kernel", () => {
  const cases: [number[], number | number[], boolean][] = [
    [[128, 10], 0, false],
    [[7, 5, 3], [0, 1], false],
    [[7, 5, 3], [1, 0], true],
    [[6, 4, 4, 3], [0, 1, 2], false],
    [[6, 4, 4, 3], [-4, -3], true],
    [[9, 1], 0, false],
    [[0, 3], 0, false],
  ];
  test.each(cases)("%j over axes %j (keepDims %s): float64 sums to float32 rounding", (shape, axis, keepDims) => {
    const n = shape.reduce((p, d) => p * d, 1);
    const values = seeded(n, n + 1);
    const x = tf.tensor(values, shape);
    const { result, calls } = counting(["Sum"], () => assertNoLeaks(() => tf.sum(x, axis, keepDims), 1));
    expect(calls).toEqual([]);
    const k = typeof axis === "number" ? 1 : axis.length;
    expect(result.shape).toEqual(keepDims ? [...Array<number>(k).fill(1), ...shape.slice(k)] : shape.slice(k));
    const want = leadingSums(values, shape, k);
    Array.from(result.dataSync()).forEach((v, j) => expect(Math.abs(v - want[j]!)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(want[j]!))));
    tf.dispose([x, result]);
  });

  test("by hand: column sums of [[1, 2], [3, 4], [5, 6]] are [9, 12]", () => {
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const { result } = counting(["Sum"], () => tf.sum(x, 0));
    expect(Array.from(result.dataSync())).toEqual([9, 12]);
    tf.dispose([x, result]);
  });

  test("trailing axes, all axes, and int32 go to the stock kernel", () => {
    const x = tf.tensor(seeded(24, 3), [2, 3, 4]);
    const i = tf.tensor([1, 2, 3, 4], [2, 2], "int32");
    const { result, calls } = counting(["Sum"], () => [tf.sum(x, -1), tf.sum(x, [0, 2]), tf.sum(x), tf.sum(i, 0)]);
    expect(calls).toEqual(["Sum", "Sum", "Sum", "Sum"]);
    expect(Array.from(result[3]!.dataSync())).toEqual([4, 6]);
    tf.dispose([x, i, ...result]);
  });
});
