// cpu is the reference; wasm must agree within its tolerance, and no case may leak on either.
import { describe, expect, test } from "@jest/globals";
import { tf, useBackend } from "@fluxion/backend";
import { ALL_CASES, compareResults, runCases, stockMismatches, TOLERANCE, type CaseResult } from "../src/index.js";

let cpu: CaseResult[];
let wasm: CaseResult[];

describe("parity in Node: wasm against cpu", () => {
  test("every case runs on cpu without error or leak", async () => {
    await useBackend("cpu");
    cpu = runCases(ALL_CASES);
    const problems = cpu.filter((r) => r.error || r.leaked !== 0).map((r) => `${r.group}/${r.name}: ${r.error ?? `leaked ${r.leaked}`}`);
    expect(problems).toEqual([]);
  });

  test("every case on wasm agrees with cpu", async () => {
    await useBackend("wasm");
    wasm = runCases(ALL_CASES);
    await useBackend("cpu");
    expect(compareResults(wasm, cpu, TOLERANCE.wasm!)).toEqual([]);
  });

  test("fluxion's gradients equal tfjs's stock ones on cpu and on wasm", () => {
    expect(stockMismatches(cpu, TOLERANCE.cpu!)).toEqual([]);
    expect(stockMismatches(wasm, TOLERANCE.wasm!)).toEqual([]);
    expect(wasm.filter((r) => r.group === "gradients")).toHaveLength(10);
  });

  test("the suite covers every group", () => {
    const groups = new Set(cpu.map((r) => r.group));
    expect([...groups].sort()).toEqual(["destructure", "gradients", "layers", "losses", "optimisers"]);
    expect(tf.getBackend()).toBe("cpu");
  });
});
