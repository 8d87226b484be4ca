// fluxion's Add, Sub, Multiply, Relu and Step kernels on cpu (elementwise-kernels.ts), inside fluxion's
// calls: values computed here, in doubles rounded to float32 (as tfjs-backend-cpu does), for the
// shapes they take (equal, a single value, a bias along the last axes, either side), the edge values
// (NaN, ±Infinity, −0), and the broadcasts and dtypes they hand to the stock kernels.
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { counting } from "./counting.js";
import { seeded } from "./seeded.js";

const onCpu = () => tf.getBackend() === "cpu";
const f32 = (v: number): number => Math.fround(v);
const NAMES = ["Add", "Sub", "Multiply", "Relu", "Step"];

describe("fluxion's elementwise kernels (cpu)", () => {
  const ops: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, (x: number, y: number) => number][] = [
    ["Add", tf.add, (x, y) => x + y],
    ["Sub", tf.sub, (x, y) => x - y],
    ["Multiply", tf.mul, (x, y) => x * y],
  ];
  const shapes: [number[], number[]][] = [
    [[4, 5], [4, 5]],
    [[2, 3, 4], [4]],
    [[4], [2, 3, 4]],
    [[2, 3, 4], [1, 3, 4]],
    [[3, 4], []],
    [[], [3, 4]],
    [[3, 4], [1, 1]],
  ];
  for (const [name, op, ref] of ops) {
    test.each(shapes)(`${name} of %j and %j: x op y element by element, b repeating`, (sa, sb) => {
      if (!onCpu()) return;
      const [na, nb] = [sa.reduce((p, d) => p * d, 1), sb.reduce((p, d) => p * d, 1)];
      const [va, vb] = [seeded(na, na + 7).map(f32), seeded(nb, nb + 11).map(f32)];
      const [a, b] = [tf.tensor(va, sa), tf.tensor(vb, sb)];
      const { result, calls } = counting(NAMES, () => assertNoLeaks(() => op(a, b), 1));
      expect(calls).toEqual([]);
      const out = result.shape;
      const n = out.reduce((p, d) => p * d, 1);
      // Each side repeats with its own period along the flat output (the shapes above all do).
      expect(Array.from(result.dataSync())).toEqual(Array.from({ length: n }, (_, i) => f32(ref(va[i % na]!, vb[i % nb]!))));
      tf.dispose([a, b, result]);
    });
  }

  test("edge values: NaN and ±Infinity propagate, −0 survives, as in IEEE arithmetic", () => {
    if (!onCpu()) return;
    const a = tf.tensor([NaN, Infinity, -Infinity, -0, 1, 3e38]);
    const b = tf.tensor([1, -Infinity, -Infinity, 0, NaN, 3e38]);
    const { result } = counting(NAMES, () => [tf.add(a, b), tf.sub(a, b), tf.mul(a, b)]);
    expect(Array.from(result[0]!.dataSync())).toEqual([NaN, NaN, -Infinity, 0, NaN, Infinity]);
    expect(Array.from(result[1]!.dataSync())).toEqual([NaN, Infinity, NaN, -0, NaN, 0]);
    expect(Array.from(result[2]!.dataSync())).toEqual([NaN, -Infinity, Infinity, -0, NaN, Infinity]);
    tf.dispose([a, b, ...result]);
  });

  test("x − x is +0 whichever side is the larger (−0 only from −0 − 0)", () => {
    if (!onCpu()) return;
    const [one, ones] = [tf.scalar(1), tf.ones([3])];
    const { result } = counting(NAMES, () => [tf.sub(one, ones), tf.sub(ones, one)]);
    for (const r of result) expect(Array.from(r.dataSync()).map((v) => Object.is(v, 0))).toEqual([true, true, true]);
    tf.dispose([one, ones, ...result]);
  });

  test("relu and step: by hand, NaN kept, −0 to 0, step's alpha below 0", () => {
    if (!onCpu()) return;
    const x = tf.tensor([-2, -0, 0, 0.5, 3, NaN, Infinity, -Infinity]);
    const { result, calls } = counting(NAMES, () => [tf.relu(x), tf.step(x), tf.step(x, 0.25)]);
    expect(calls).toEqual([]);
    expect(Array.from(result[0]!.dataSync())).toEqual([0, 0, 0, 0.5, 3, NaN, Infinity, 0]);
    expect(Object.is(result[0]!.dataSync()[1], 0)).toBe(true);
    expect(Array.from(result[1]!.dataSync())).toEqual([0, 0, 0, 1, 1, NaN, 1, 0]);
    expect(Array.from(result[2]!.dataSync())).toEqual([0.25, 0.25, 0.25, 1, 1, NaN, 1, 0.25]);
    tf.dispose([x, ...result]);
  });

  test("other broadcasts and int32 go to the stock kernels", () => {
    if (!onCpu()) return;
    const [a, b] = [tf.tensor(seeded(6, 1), [2, 3]), tf.tensor(seeded(2, 2), [2, 1])];
    const i = tf.tensor([1, -2, 3], [3], "int32");
    const { result, calls } = counting(NAMES, () => [tf.add(a, b), tf.mul(i, i), tf.relu(i)]);
    expect(calls).toEqual(["Add", "Multiply", "Relu"]);
    expect(Array.from(result[1]!.dataSync())).toEqual([1, 4, 9]);
    expect(Array.from(result[2]!.dataSync())).toEqual([1, 0, 3]);
    tf.dispose([a, b, i, ...result]);
  });
});
