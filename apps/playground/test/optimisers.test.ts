import { describe, expect, it } from "@jest/globals";
import { Adam, AdamW, Lion, Momentum, RMSProp } from "fluxion";
import { buildRule, hyperInputs, OPTIMISER_NAMES } from "../src/optimisers.js";

describe("optimiser inputs", () => {
  it("offers the rules the page promises, with their own fields and defaults", () => {
    expect(OPTIMISER_NAMES).toEqual(["Descent", "Momentum", "Nesterov", "RMSProp", "Adam", "AdamW", "Lion"]);
    expect(hyperInputs("Adam").map((h) => [h.key, h.value])).toEqual([["eta", 0.001], ["beta1", 0.9], ["beta2", 0.999], ["epsilon", 1e-8]]);
    expect(hyperInputs("Momentum").map((h) => h.key)).toEqual(["eta", "rho"]);
    expect(hyperInputs("AdamW").map((h) => h.key)).toEqual(["eta", "beta1", "beta2", "lambda", "epsilon", "couple"]);
    expect(hyperInputs("RMSProp").find((h) => h.key === "centred")).toMatchObject({ kind: "boolean", value: false });
  });

  it("builds each rule from typed-in text", () => {
    const adam = buildRule("Adam", { eta: "3e-3", beta1: "0.8", beta2: " 0.99 ", epsilon: "1e-7" });
    expect(adam).toBeInstanceOf(Adam);
    expect(adam.toString()).toBe(new Adam({ eta: 3e-3, beta: [0.8, 0.99], epsilon: 1e-7 }).toString());
    expect(buildRule("Momentum", { eta: "0.05", rho: "0.5" }).toString()).toBe(new Momentum(0.05, 0.5).toString());
    expect(buildRule("AdamW", { eta: "0.001", beta1: "0.9", beta2: "0.999", lambda: "0.01", epsilon: "1e-8", couple: false })).toBeInstanceOf(AdamW);
    expect(buildRule("RMSProp", { eta: "0.001", rho: "0.9", epsilon: "1e-8", centred: true }).toString()).toBe(new RMSProp({ centred: true }).toString());
    expect(buildRule("Lion", { eta: "1e-4", beta1: "0.9", beta2: "0.99" }).toString()).toBe(new Lion(1e-4, [0.9, 0.99]).toString());
    for (const name of OPTIMISER_NAMES) {
      const defaults = Object.fromEntries(hyperInputs(name).map((h) => [h.key, typeof h.value === "boolean" ? h.value : String(h.value)]));
      expect(() => buildRule(name, defaults)).not.toThrow();
    }
  });

  it("says which value is wrong and what it should be", () => {
    expect(() => buildRule("Adam", { eta: "abc", beta1: "0.9", beta2: "0.999", epsilon: "1e-8" })).toThrow("Adam: eta must be a positive number, e.g. 0.001, got 'abc'");
    expect(() => buildRule("Adam", { eta: "-1", beta1: "0.9", beta2: "0.999", epsilon: "1e-8" })).toThrow(/eta must be a positive number/);
    expect(() => buildRule("Adam", { eta: "0.001", beta1: "0.9", beta2: "1", epsilon: "1e-8" })).toThrow("Adam: beta2 must be a number in [0, 1), e.g. 0.9 or 0.999, got '1'");
    expect(() => buildRule("Momentum", { eta: "0.01", rho: "" })).toThrow("Momentum: rho must be a number in [0, 1), e.g. 0.9, got nothing");
    expect(() => buildRule("AdamW", { eta: "0.001", beta1: "0.9", beta2: "0.999", lambda: "-0.1", epsilon: "1e-8", couple: true })).toThrow(/lambda must be zero or a positive number/);
    expect(() => buildRule("Descent", { eta: "Infinity" })).toThrow(/eta must be a positive number/);
  });
});
