// Running the built examples CLI in a child process, for the CLI's tests: the run, the usage-error
// check and the build that brings dist/ up to date.
import { expect } from "@jest/globals";
import { execFileSync, spawnSync } from "node:child_process";
import path from "node:path";

export const root = path.resolve(__dirname, "..");
export const cli = path.join(root, "dist", "cli.js");

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `node dist/cli.js ...args`, stdout a pipe (not a terminal). */
export function runCli(args: string[], timeout = 60_000): Run {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A usage error: status 2, the message and the usage on stderr, nothing run. */
export function expectUsageError(r: Run, message: string, usage: string): void {
  expect(r.stderr).toContain(`error: ${message}`);
  expect(r.stderr).toContain(usage);
  expect(r.stdout).toBe("");
  expect(r.status).toBe(2);
}

/** Brings dist up to date (incremental: quick when it already is). */
export function buildCli(): void {
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-b", root], { stdio: "inherit" });
}
