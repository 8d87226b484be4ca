import { describe, expect, jest, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { liveTensors } from "@fluxion/backend/testing";
import { Rng } from "@fluxion/nn";
import { DataLoader } from "../src/index.js";

const rows = (t: tf.Tensor): number[][] => t.arraySync() as number[][];

describe("DataLoader", () => {
  // Flux's test: X = reshape(1:10, 2, 5) (5 observations of 2 features); ours is batch-first [5, 2].
  const X = () => tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]]);

  test("batches along the first axis, last batch partial", () => {
    const x = X();
    const d = new DataLoader(x, { batchsize: 2 });
    expect(d.length).toBe(3);
    const seen = [...d].map((b) => b);
    // Batches are freed as the loader moves on; read each while it is current.
    const got: number[][][] = [];
    for (const b of d) got.push(rows(b as tf.Tensor));
    expect(got).toEqual([[[1, 2], [3, 4]], [[5, 6], [7, 8]], [[9, 10]]]);
    expect(seen.every((b) => (b as tf.Tensor).isDisposed)).toBe(true);
    expect(new DataLoader(x, { batchsize: 2, partial: false }).length).toBe(2);
    expect([...new DataLoader(x, { batchsize: 2, partial: false })].length).toBe(2);
    x.dispose();
  });

  test("tuples, plain objects and JS label arrays are batched together", () => {
    const x = X();
    const labels = ["a", "b", "c", "d", "e"];
    const got: unknown[] = [];
    for (const [bx, by] of new DataLoader([x, labels] as const, { batchsize: 2 })) got.push([rows(bx as tf.Tensor), by]);
    expect(got).toEqual([
      [[[1, 2], [3, 4]], ["a", "b"]],
      [[[5, 6], [7, 8]], ["c", "d"]],
      [[[9, 10]], ["e"]],
    ]);
    const named: unknown[] = [];
    for (const b of new DataLoader({ x, y: labels }, { batchsize: 3 })) named.push(Object.keys(b as object));
    expect(named).toEqual([["x", "y"], ["x", "y"]]);
    x.dispose();
  });

  test("Maps are containers, as in functors; a shared tensor is batched once and freed", () => {
    const x = X();
    const got: unknown[] = [];
    const d = new DataLoader(new Map<string, tf.Tensor | string[]>([["x", x], ["y", ["a", "b", "c", "d", "e"]]]), { batchsize: 2 });
    for (const b of d) got.push([...(b as Map<string, unknown>)].map(([k, v]) => [k, v instanceof tf.Tensor ? rows(v) : v]));
    expect(got[2]).toEqual([["x", [[9, 10]]], ["y", ["e"]]]);
    expect(String(d)).toBe("DataLoader((; x = 5×2 Tensor{float32}, y = 5-element Array), batchsize=2)");
    const before = liveTensors();
    for (const [a, b] of new DataLoader([x, x], { batchsize: 2, shuffle: true })) expect(a).toBe(b);
    expect(liveTensors()).toBe(before);
    expect(() => new DataLoader({ x, n: 3 } as never)).toThrow("DataLoader: cannot batch number");
    x.dispose();
  });

  test("shuffle: a seeded permutation, reshuffled on every pass, each observation once", () => {
    const x = tf.tensor2d(Array.from({ length: 20 }, (_, i) => [i]), [20, 1]);
    const d = new DataLoader(x, { batchsize: 6, shuffle: true, rng: new Rng(4) });
    const pass = () => {
      const out: number[] = [];
      for (const b of d) out.push(...(b as tf.Tensor).dataSync());
      return out;
    };
    const p1 = pass();
    const p2 = pass();
    expect([...p1].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(p1).not.toEqual(p2);
    const again = new DataLoader(x, { batchsize: 6, shuffle: true, rng: new Rng(4) });
    const q: number[] = [];
    for (const b of again) q.push(...(b as tf.Tensor).dataSync());
    expect(q).toEqual(p1);
    x.dispose();
  });

  test("leaves no tensors behind, even when a loop breaks early", () => {
    const x = X();
    const before = liveTensors();
    for (const b of new DataLoader(x, { batchsize: 2, shuffle: true })) {
      expect(b).toBeDefined();
      break;
    }
    for (const _ of new DataLoader(x, { batchsize: 1 })) void _;
    expect(liveTensors()).toBe(before);
    x.dispose();
  });

  test("errors and warnings", () => {
    const x = X();
    expect(() => new DataLoader([x, [1, 2]])).toThrow("all data containers must have the same number of observations, got 5, 2");
    expect(() => new DataLoader(x, { batchsize: 0 })).toThrow("batchsize must be a positive integer");
    const warn = jest.spyOn(console, "warn").mockImplementation(() => {});
    expect(new DataLoader(x, { batchsize: 10 }).batchsize).toBe(5);
    expect(warn.mock.calls[0]![0]).toContain("number of observations (5) is less than batchsize (10)");
    warn.mockRestore();
    expect(new DataLoader(x, { batchsize: -1 }).length).toBe(5);
    expect(String(new DataLoader([x, [1, 2, 3, 4, 5]], { batchsize: 3, shuffle: true }))).toBe("DataLoader((5×2 Tensor{float32}, 5-element Array), batchsize=3, shuffle=true)");
    x.dispose();
  });
});
