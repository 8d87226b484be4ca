import { describe, expect, test } from "@jest/globals";
import * as fluxion from "fluxion";
import * as backend from "@fluxion/backend";
import * as functors from "@fluxion/functors";
import * as optimisers from "@fluxion/optimisers";
import * as nn from "@fluxion/nn";
import * as train from "@fluxion/train";
import * as evolve from "@fluxion/evolve";

// Names two packages both export: the meta-package takes the higher package's (Flux.setup).
const overridden: Record<string, unknown> = { setup: train.setup };

describe("fluxion re-exports every package", () => {
  test.each([
    ["@fluxion/backend", backend],
    ["@fluxion/functors", functors],
    ["@fluxion/optimisers", optimisers],
    ["@fluxion/nn", nn],
    ["@fluxion/train", train],
    ["@fluxion/evolve", evolve],
  ])("%s", (_name, pkg) => {
    for (const [name, value] of Object.entries(pkg)) {
      expect((fluxion as Record<string, unknown>)[name]).toBe(name in overridden ? overridden[name] : value);
    }
  });

  test("the re-exported fmap works", () => {
    expect(fluxion.fmap((x: number) => x * 10, { a: 1, b: [2, 3] })).toEqual({ a: 10, b: [20, 30] });
  });
});
