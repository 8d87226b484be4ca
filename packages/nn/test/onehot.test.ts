import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { onecold, onehot, onehotbatch } from "../src/functions/onehot.js";

const rows = (t: tf.Tensor): unknown => {
  const a = t.arraySync();
  tf.dispose(t);
  return a;
};

describe("onehot", () => {
  test("a float32 vector with a 1 at the first matching label", () => {
    const b = assertNoLeaks(() => onehot("b", ["a", "b", "c"]));
    expect(b.shape).toEqual([3]);
    expect(b.dtype).toBe("float32");
    expect(rows(b)).toEqual([0, 1, 0]);
    // (onehot(0, 0:2), onehot(:z, [:a, :b, :c], :c)) == (Bool[1, 0, 0], Bool[0, 0, 1])
    expect(rows(onehot(0, [0, 1, 2]))).toEqual([1, 0, 0]);
    expect(rows(onehot("z", ["a", "b", "c"], "c"))).toEqual([0, 0, 1]);
    // First occurrence wins.
    expect(rows(onehot(1, [0, 1, 1]))).toEqual([0, 1, 0]);
  });

  test("labels are matched with SameValueZero: NaN finds NaN, objects by identity", () => {
    expect(rows(onehot(NaN, [1, NaN]))).toEqual([0, 1]);
    expect(rows(onehot(-0, [0, 1]))).toEqual([1, 0]);
    const k = { name: "k" };
    expect(rows(onehot(k, [{ name: "k" }, k]))).toEqual([0, 1]);
    const s = Symbol("s");
    expect(rows(onehot(s, [s]))).toEqual([1]);
  });

  test("errors: a missing value, and a missing default", () => {
    expect(() => onehot("d", ["a", "b", "c"])).toThrow("Value d is not in labels");
    expect(() => onehot("d", ["a", "b", "c"], "e")).toThrow("Value e is not in labels");
    expect(() => onehot(4, [])).toThrow("Value 4 is not in labels");
  });
});

describe("onehotbatch", () => {
  test("rows are onehot of each value: [n, nLabels], batch first", () => {
    const y = assertNoLeaks(() => onehotbatch(["b", "a", "b"], ["a", "b", "c"]));
    expect(y.shape).toEqual([3, 3]);
    expect(y.dtype).toBe("float32");
    expect(rows(y)).toEqual([[0, 1, 0], [1, 0, 0], [0, 1, 0]]);
    // Flux's onehotbatch([0, 1, 2, 1, 0], 0:2), transposed.
    expect(rows(onehotbatch([0, 1, 2, 1, 0], [0, 1, 2]))).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0]]);
  });

  test("any iterable: a string, a Set; and Flux's 'abracadabra' with default 'e'", () => {
    const oh = onehotbatch("abracadabra", "abcde", "e");
    expect(oh.shape).toEqual([11, 5]);
    // Flux prints the 5×11 matrix; column k there is row k here.
    const flux = [
      [1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1],
      [0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0],
      [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0],
      [0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    ];
    expect(rows(oh)).toEqual(flux[0]!.map((_, k) => flux.map((r) => r[k])));
    expect(rows(onehotbatch(new Set([2, 0]), [0, 1, 2]))).toEqual([[0, 0, 1], [1, 0, 0]]);
    expect(onehotbatch([], [0, 1]).shape).toEqual([0, 2]);
  });

  test("a tensor of values keeps its shape and gains a label axis last", () => {
    const xs = tf.tensor2d([[0, 2], [1, 1], [2, 0]], [3, 2], "int32");
    const y = assertNoLeaks(() => onehotbatch(xs, [0, 1, 2]));
    expect(y.shape).toEqual([3, 2, 3]);
    expect(rows(y)).toEqual([
      [[1, 0, 0], [0, 0, 1]],
      [[0, 1, 0], [0, 1, 0]],
      [[0, 0, 1], [1, 0, 0]],
    ]);
    tf.dispose(xs);
  });

  test("errors: a missing value, and a default not among the labels (checked even when unused)", () => {
    expect(() => onehotbatch(["a", "x"], ["a", "b"])).toThrow("Value x not found in labels");
    expect(() => onehotbatch(["a"], ["a", "b"], "z")).toThrow("Default value z is not in labels");
  });
});

describe("onecold", () => {
  test("Flux's examples", () => {
    expect(onecold([0.3, 0.2, 0.5], ["a", "b", "c"])).toBe("c");
    expect(onecold([true, false, false], ["a", "b", "c"])).toBe("a");
    // onecold([false, true, false]) == 2 in 1-based Julia; labels default to 0, 1, … here.
    expect(onecold([false, true, false])).toBe(1);
    const labels = ["a", "b", "c"];
    const y = onehotbatch(["b", "a", "b"], labels);
    expect(assertNoLeaks(() => onecold(y, labels), 0)).toEqual(["b", "a", "b"]);
    // The 5×11 docstring matrix with labels 'a':'e' reads "abeacadabea".
    const cols = "abeacadabea".split("").map((c) => "abcde".split("").map((l) => (l === c ? 1 : 0)));
    expect(onecold(tf.tensor2d(cols), "abcde").join("")).toBe("abeacadabea");
    tf.dispose(y);
  });

  test("a vector gives one label, a matrix one per row, higher ranks nested arrays; ties pick the first", () => {
    const v = tf.tensor1d([0.1, 0.7, 0.2]);
    expect(onecold(v)).toBe(1);
    const m = tf.tensor2d([[0.1, 0.7, 0.2], [0.5, 0.5, 0.0], [-3, -2, -1]]);
    expect(onecold(m, [10, 20, 30])).toEqual([20, 10, 30]);
    const t3 = tf.tensor3d([[[1, 0], [0, 1]], [[0, 1], [1, 0]], [[2, 3], [5, 4]]]);
    expect(onecold(t3, ["x", "y"])).toEqual([["x", "y"], ["y", "x"], ["y", "x"]]);
    expect(onecold([[1, 5], [7, 2]])).toEqual([1, 0]);
    const logits = tf.tensor2d([[2.5, -1, 3.5]]);
    const oh = onehotbatch([onecold(logits)[0]!], [0, 1, 2]);
    expect(rows(oh)).toEqual([[0, 0, 1]]);
    tf.dispose([v, m, t3, logits]);
  });

  test("errors: label count, NaN maxima, scalars", () => {
    expect(() => onecold([0.3, 0.2, 0.5], ["a", "b"])).toThrow("onecold got 2 labels for a vector of length 3, these must agree");
    const m = tf.tensor2d([[1, 2, 3]]);
    expect(() => onecold(m, ["a", "b"])).toThrow("onecold got 2 labels for an array with size(y, -1) == 3, these must agree");
    expect(() => onecold([0.3, NaN, 0.5])).toThrow("maximum value found by onecold is NaN");
    expect(() => onecold([[0.3, 0.1], [NaN, 0.5]])).toThrow("maximum value found by onecold is NaN");
    const s = tf.scalar(1);
    expect(() => onecold(s)).toThrow("onecold: expected a vector or an array of scores, got a scalar");
    tf.dispose([m, s]);
  });
});
