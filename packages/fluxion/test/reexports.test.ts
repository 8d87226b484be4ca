import { describe, expect, test } from "@jest/globals";
import * as fluxion from "fluxion";
import * as backend from "@fluxion/backend";
import * as functors from "@fluxion/functors";
import * as optimisers from "@fluxion/optimisers";

describe("fluxion re-exports every package", () => {
  test.each([
    ["@fluxion/backend", backend],
    ["@fluxion/functors", functors],
    ["@fluxion/optimisers", optimisers],
  ])("%s", (_name, pkg) => {
    for (const [name, value] of Object.entries(pkg)) {
      expect((fluxion as Record<string, unknown>)[name]).toBe(value);
    }
  });

  test("the re-exported fmap works", () => {
    expect(fluxion.fmap((x: number) => x * 10, { a: 1, b: [2, 3] })).toEqual({ a: 10, b: [20, 30] });
  });
});
