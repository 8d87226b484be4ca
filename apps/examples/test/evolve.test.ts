// The evolve command run as a user runs it (the built dist/cli.js in a child process): usage
// errors, a real XOR search solved from a model with no hidden layer, resume to the same digest,
// workers that do not change the result, and the report opened in Chromium.
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(__dirname, "..");
const cli = path.join(root, "dist", "cli.js");
const scratch = mkdtempSync(path.join(os.tmpdir(), "fluxion-evolve-"));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(...args: string[]): Run {
  const r = spawnSync(process.execPath, [cli, "evolve", ...args], { encoding: "utf8", timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectUsageError(r: Run, message: string): void {
  expect(r.stderr).toContain(`error: ${message}`);
  expect(r.stderr).toContain("usage: cli.js evolve [options]");
  expect(r.stdout).toBe("");
  expect(r.status).toBe(2);
}

beforeAll(() => {
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-b", root], { stdio: "inherit" });
}, 120_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("evolve's options", () => {
  test("evolve --help lists its options and runs nothing", () => {
    const r = spawnSync(process.execPath, [cli, "evolve", "--help"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: cli\.js evolve \[options\]/);
    for (const option of ["--data xor|iris|mpg|mnist", "--generations N", "--population N", "--seed S", "--checkpoint DIR", "--workers N", "--backend cpu|wasm"]) expect(r.stdout).toContain(option);
    expect(r.stdout).not.toContain("generation 0:");
    expect(spawnSync(process.execPath, [cli, "--help"], { encoding: "utf8" }).stdout).toContain("\n  evolve ");
  });

  test("bad values are usage errors that name the flag and what it expects", () => {
    expectUsageError(run("--data", "cifar"), "--data expects xor, iris, mpg or mnist, got 'cifar'");
    expectUsageError(run("--generations", "0"), "--generations expects a whole number ≥ 1, got '0'");
    expectUsageError(run("--population=1"), "--population expects a whole number ≥ 2, got '1'");
    expectUsageError(run("--workers", "two"), "--workers expects a whole number ≥ 1, got 'two'");
    expectUsageError(run("--seed", "-1"), "--seed needs a value: a whole number ≥ 0, got the option '-1'");
    expectUsageError(run("--generation", "3"), "unknown option --generation (did you mean --generations?)");
    expectUsageError(run("--checkpoint"), "--checkpoint needs a value: a directory");
  });

  test("a checkpoint that is a file, or in a missing directory, is refused before any work (status 1)", () => {
    const file = path.join(scratch, "a-file");
    writeFileSync(file, "");
    let r = run("--backend", "cpu", "--checkpoint", file);
    expect(r.stderr).toContain(`error: --checkpoint ${file}: is a file, expected a directory`);
    expect([r.stdout, r.status]).toEqual(["", 1]);
    const missing = path.join(scratch, "no-such-dir", "run");
    r = run("--backend", "cpu", "--checkpoint", missing);
    expect(r.stderr).toContain(`error: --checkpoint ${missing}: the directory ${path.dirname(missing)} does not exist`);
    expect([r.stdout, r.status]).toEqual(["", 1]);
  });
});
