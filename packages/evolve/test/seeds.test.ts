import { describe, expect, test } from "@jest/globals";
import { mixSeed, seedsFor } from "@fluxion/evolve";

const draws = (rng: { uint32(): number }, n = 8): number[] => Array.from({ length: n }, () => rng.uint32());

describe("seedsFor", () => {
  test("the same (seed, generation, id, purpose) gives the same stream, in any order of asking", () => {
    const a = seedsFor(42);
    const first = draws(a(3, 5, "mutation"));
    draws(a(3, 6, "mutation"), 100); // another candidate's draws change nothing
    expect(draws(a(3, 5, "mutation"))).toEqual(first);
    expect(draws(seedsFor(42)(3, 5, "mutation"))).toEqual(first);
  });

  test("changing any one part gives a different stream", () => {
    const ref = draws(seedsFor(42)(3, 5, "mutation"));
    for (const other of [seedsFor(43)(3, 5, "mutation"), seedsFor(42)(4, 5, "mutation"), seedsFor(42)(3, 6, "mutation"), seedsFor(42)(3, 5, "crossover"), seedsFor(42)(3, "5", "mutation")]) {
      expect(draws(other)).not.toEqual(ref);
    }
    // Parts are delimited: ("ab", "c") is not ("a", "bc").
    expect(mixSeed("ab", "c")).not.toBe(mixSeed("a", "bc"));
  });

  test("streams of neighbouring ids are independent: uniform and uncorrelated", () => {
    // 2,000 generators of consecutive ids, first float of each: mean ≈ 1/2 (sd of the mean 0.0065),
    // and the correlation of id k's and id k+1's values ≈ 0 (sd ≈ 0.022).
    const seeds = seedsFor(1);
    const u = Array.from({ length: 2000 }, (_, id) => seeds(0, id, "initial").float());
    const mean = u.reduce((a, b) => a + b, 0) / u.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.03);
    let cov = 0;
    let v = 0;
    for (let i = 0; i + 1 < u.length; i++) cov += (u[i]! - mean) * (u[i + 1]! - mean);
    for (const x of u) v += (x - mean) ** 2;
    expect(Math.abs(cov / v)).toBeLessThan(0.1);
    // No two of the 2,000 hashes collide (a 32-bit hash collides among 2,000 with probability ≈ 5e-4).
    expect(new Set(Array.from({ length: 2000 }, (_, id) => mixSeed(1, 0, id, "initial"))).size).toBe(2000);
  });

  test("bad parts are refused with the part named", () => {
    expect(() => seedsFor(-1)).toThrow("seedsFor: the run seed must be a whole number >= 0, got -1");
    expect(() => seedsFor(1)(1.5, 0, "x")).toThrow("seeds: the generation must be a whole number >= 0, got 1.5");
    expect(() => seedsFor(1)(0, 0, 3 as unknown as string)).toThrow("seeds: the purpose must be a string");
  });
});
