// fluxion's Slice, SplitV and Unpack kernels (slice-kernels.ts) on cpu and wasm, inside fluxion's
// calls: values against the index arithmetic done here (x holds 0, 1, 2, … so each value names its
// position), the stock kernel never reached for float32, and handed every other dtype.
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { valueAndGradients } from "@fluxion/backend/internal";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { counting } from "./counting.js";

const size = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);
const iota = (shape: number[], dtype: "float32" | "int32" = "float32") => tf.tensor(Array.from({ length: size(shape) }, (_, i) => i), shape, dtype);

/** The flat positions, in a row-major array of `shape`, of the box begin…begin + extent, in row-major order. */
function box(shape: number[], begin: number[], extent: number[]): number[] {
  const out: number[] = [];
  for (let t = 0; t < size(extent); t++) {
    let [rest, at] = [t, 0];
    for (let a = shape.length - 1, stride = 1; a >= 0; a--) {
      at += (begin[a]! + (rest % extent[a]!)) * stride;
      rest = Math.floor(rest / extent[a]!);
      stride *= shape[a]!;
    }
    out.push(at);
  }
  return out;
}

const NAMES = ["Slice", "SplitV", "Unpack", "Pack"];

describe("fluxion's slice kernels", () => {
  const slices: [number[], number[], number[]][] = [
    [[7], [2], [4]],
    [[5, 6], [1, 2], [3, 3]],
    [[5, 6], [1, 0], [3, 6]], // whole rows: one run
    [[4, 5, 6], [1, 2, 3], [2, 2, 3]],
    [[4, 5, 6], [0, 1, 0], [4, 3, 6]],
    [[2, 3, 4, 5, 2], [1, 0, 2, 1, 0], [1, 3, 2, 3, 2]],
    [[3, 4], [1, 1], [-1, -1]], // -1: to the end
    [[3, 4], [1, 1], [0, 2]], // empty
  ];
  test.each(slices)("Slice of %j at %j, size %j: the positions the box names", (shape, begin, extent) => {
    const x = iota(shape);
    const { result, calls } = counting(NAMES, () => assertNoLeaks(() => tf.slice(x, begin, extent), 1));
    const whole = extent.map((e, i) => (e === -1 ? shape[i]! - begin[i]! : e));
    expect(calls).toEqual([]);
    expect(result.shape).toEqual(whole);
    expect(Array.from(result.dataSync())).toEqual(box(shape, begin, whole));
    tf.dispose([x, result]);
  });

  test("SplitV by sizes and by count, on every axis, negative ones included", () => {
    const shape = [4, 6, 8];
    const x = iota(shape);
    for (const axis of [0, 1, 2, -1]) {
      const a = axis < 0 ? axis + 3 : axis;
      for (const how of [2, [1, shape[a]! - 3, 2]] as (number | number[])[]) {
        const { result, calls } = counting(NAMES, () => assertNoLeaks(() => tf.split(x, how, axis), typeof how === "number" ? how : how.length));
        expect(calls).toEqual([]);
        const sizes = typeof how === "number" ? Array<number>(how).fill(shape[a]! / how) : how;
        let at = 0;
        result.forEach((part, k) => {
          const [begin, extent] = [shape.map((_, i) => (i === a ? at : 0)), shape.map((d, i) => (i === a ? sizes[k]! : d))];
          expect(part.shape).toEqual(extent);
          expect(Array.from(part.dataSync())).toEqual(box(shape, begin, extent));
          at += sizes[k]!;
        });
        tf.dispose(result);
      }
    }
    x.dispose();
  });

  test("Unpack along every axis, negative ones included", () => {
    const shape = [3, 4, 5];
    const x = iota(shape);
    for (const axis of [0, 1, 2, -2]) {
      const a = axis < 0 ? axis + 3 : axis;
      const { result, calls } = counting(NAMES, () => assertNoLeaks(() => tf.unstack(x, axis), shape[a]!));
      expect(calls).toEqual([]);
      result.forEach((part, k) => {
        expect(part.shape).toEqual(shape.filter((_, i) => i !== a));
        expect(Array.from(part.dataSync())).toEqual(box(shape, shape.map((_, i) => (i === a ? k : 0)), shape.map((d, i) => (i === a ? 1 : d))));
      });
      tf.dispose(result);
    }
    x.dispose();
  });

  test("Pack (tf.stack) along every axis, negative ones included, short and long runs: each input's values in their place", () => {
    // Inputs k = 0, 1, 2 hold 1000·k + their flat index, so every value says where it came from.
    for (const shape of [[2, 3, 4], [3, 20]]) {
      const n = size(shape);
      const inputs = [0, 1, 2].map((k) => tf.tensor(Array.from({ length: n }, (_, i) => 1000 * k + i), shape));
      for (let axis = -shape.length - 1; axis <= shape.length; axis++) {
        const a = axis < 0 ? axis + shape.length + 1 : axis;
        const { result, calls } = counting(NAMES, () => assertNoLeaks(() => tf.stack(inputs, axis), 1));
        expect(calls).toEqual([]);
        const outShape = [...shape.slice(0, a), 3, ...shape.slice(a)];
        expect(result.shape).toEqual(outShape);
        const run = size(shape.slice(a));
        // Output position (o, k, t): input k's value o·run + t.
        expect(Array.from(result.dataSync())).toEqual(Array.from({ length: 3 * n }, (_, p) => 1000 * (Math.floor(p / run) % 3) + Math.floor(p / (3 * run)) * run + (p % run)));
        result.dispose();
      }
      tf.dispose(inputs);
    }
  });

  test("int32 goes to the stock kernels, with the same values", () => {
    const x = iota([4, 6], "int32");
    const { result, calls } = counting(NAMES, () => [tf.slice(x, [1, 2], [2, 3]), ...tf.split(x, 2, 1), ...tf.unstack(x, 1), tf.stack([x, x])]);
    expect(calls).toEqual(["Slice", "SplitV", "Unpack", "Pack"]);
    expect(result[0]!.dtype).toBe("int32");
    expect(Array.from(result[0]!.dataSync())).toEqual(box([4, 6], [1, 2], [2, 3]));
    expect(Array.from(result[1]!.dataSync())).toEqual(box([4, 6], [0, 0], [4, 3]));
    tf.dispose([x, ...result]);
  });

  test("gradients through split and unstack (an LSTM's gates and time steps), by hand", () => {
    // L = Σ_k (k+1)·Σ split_k(x) + Σ_t (t+1)·Σ unstack_t(x along 0): dL/dx[i, j] = (⌊j/2⌋ + 1) + (i + 1).
    const x = iota([3, 8]);
    const r = assertNoLeaks(
      () =>
        valueAndGradients(() => {
          const parts = tf.split(x, 4, 1).map((p, k) => tf.mul(tf.sum(p), k + 1));
          const steps = tf.unstack(x, 0).map((s, t) => tf.mul(tf.sum(s), t + 1));
          return tf.addN([...parts, ...steps]);
        }, [x]),
      2,
    );
    expect(Array.from(r.grads[0]!.dataSync())).toEqual(Array.from({ length: 24 }, (_, i) => Math.floor((i % 8) / 2) + 1 + Math.floor(i / 8) + 1));
    tf.dispose([x, r.value, ...r.grads]);
  });
});
