// cpu is the reference; wasm must agree within its tolerance, and no case may leak on either.
import { describe, expect, test } from "@jest/globals";
import { tf, useBackend } from "@fluxion/backend";
import { ALL_CASES, compareResults, runCases, TOLERANCE, type CaseResult } from "../src/index.js";

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

  test("the suite covers every group", () => {
    const groups = new Set(cpu.map((r) => r.group));
    expect([...groups].sort()).toEqual(["destructure", "layers", "losses", "optimisers"]);
    expect(tf.getBackend()).toBe("cpu");
  });
});
