// `evolve --queue` and `evolve-worker` run as a user runs them (the built dist/cli.js in child
// processes) against a real redis-server on 127.0.0.1: the queue run ends with the sequential
// run's digest, an unreachable Redis stops the run before its checkpoint directory is made, and a
// worker stops on SIGTERM. Skipped, with a message, where redis-server is not installed.
import { afterAll, beforeAll, describe, expect, jest, test } from "@jest/globals";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { buildCli, cli, expectUsageError, runCli } from "./cli-runner.js";

// Generous: under a busy CI machine the runs below take minutes, not the usual seconds.
jest.setTimeout(600_000);
const scratch = mkdtempSync(path.join(os.tmpdir(), "fluxion-evolve-queue-"));
const installed = spawnSync("redis-server", ["--version"]).status === 0;
// CI installs it: there a missing server is a failure, never a quiet skip.
if (!installed && process.env.CI) throw new Error("redis-server is not installed, but CI must run the queue tests (.ci/run installs it)");
if (!installed) console.warn("evolve --queue tests skipped: redis-server is not installed (apt-get install -y redis-server; .ci/run installs it)");
const describeRedis = installed ? describe : describe.skip;

/** A port nobody listens on (the OS picks it). */
const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const evolve = (...args: string[]) => runCli(["evolve", ...args], 280_000);
const digest = (stdout: string) => /^population digest: ([0-9a-f]{64})$/m.exec(stdout)?.[1];
const SMALL = ["--data", "xor", "--backend", "cpu", "--seed", "3", "--generations", "3", "--population", "6"];

let redis: ChildProcess | undefined;
let url = "";

beforeAll(async () => {
  buildCli();
  if (!installed) return;
  const port = await freePort();
  redis = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", scratch, "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  url = `redis://127.0.0.1:${port}`;
  // Ready once it answers PING.
  for (let i = 0; i < 100 && !(await answers(port)); i++) await new Promise((r) => setTimeout(r, 50));
}, 600_000);

afterAll(() => {
  if (redis?.pid) process.kill(redis.pid, "SIGTERM");
  rmSync(scratch, { recursive: true, force: true });
});

/** Whether Redis answers PING on 127.0.0.1:port. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => socket.write("PING\r\n"));
    socket.once("data", (d: Buffer) => (socket.destroy(), resolve(String(d).startsWith("+PONG"))));
    socket.once("error", () => resolve(false));
  });
}

describeRedis("evolve --queue", () => {
  test("with 2 local workers, the run ends with the digest of the sequential run (same seed)", () => {
    const sequential = evolve(...SMALL, "--workers", "1", "--checkpoint", path.join(scratch, "sequential"));
    expect({ status: sequential.status, stderr: sequential.stderr }).toEqual({ status: 0, stderr: "" });
    const queued = evolve(...SMALL, "--queue", url, "--workers", "2", "--checkpoint", path.join(scratch, "queued"));
    expect({ status: queued.status, stderr: queued.stderr }).toEqual({ status: 0, stderr: "" });
    expect(queued.stdout.split("\n")[0]).toMatch(new RegExp(`queue ${url} \\(2 local worker process\\(es\\)\\), backend cpu$`));
    expect(queued.stdout).toMatch(/^generation 2: best fitness /m);
    expect(digest(sequential.stdout)).toBeDefined();
    expect(digest(queued.stdout)).toBe(digest(sequential.stdout));
    // The local workers were stopped with the run.
    expect(spawnSync("pgrep", ["-f", `evolve-worker --queue ${url}`]).stdout.length).toBe(0);
  });

  test("evolve-worker serves a run started elsewhere, and SIGTERM stops it", async () => {
    const worker = spawn(process.execPath, [cli, "evolve-worker", "--queue", url, "--backend", "cpu"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    worker.stdout!.on("data", (d) => (out += d));
    worker.stderr!.on("data", (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => worker.once("exit", resolve));
    const run = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
      // Another seed: the first test's jobs are still in Redis, and a run of the same seed would reuse them.
      const child = spawn(process.execPath, [cli, "evolve", ...SMALL, "--seed", "4", "--queue", url, "--checkpoint", path.join(scratch, "remote")]);
      let stdout = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.once("exit", (status) => resolve({ status, stdout }));
    });
    expect(run.status).toBe(0);
    expect(run.stdout.split("\n")[0]).toMatch(/\(0 local worker process\(es\)\)/);
    worker.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(out).toMatch(/^serving the evolve queue 'fluxion-evolve' at redis:\/\/127\.0\.0\.1:\d+ with 1 thread\(s\)/);
    expect(out).toMatch(/^candidate \d+ of run run-4-[0-9a-f]+, generation 2: fitness /m);
    expect(out.trimEnd().split("\n").slice(-2)).toEqual(["queue worker: stopping after the running job(s)", "stopped"]);
  });
});

describe("evolve --queue without Redis", () => {
  test("an unreachable Redis: one clear error, exit 1, and no checkpoint directory made", async () => {
    const port = await freePort();
    const dir = path.join(scratch, "never");
    const r = evolve("--data", "xor", "--backend", "cpu", "--queue", `redis://127.0.0.1:${port}`, "--checkpoint", dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim()).toBe(
      `error: queue evaluator: cannot reach Redis at redis://127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port}); is redis-server running there, and is the address right?`,
    );
    expect(existsSync(dir)).toBe(false);
  });

  test("evolve-worker without --queue is a usage error", () => {
    expectUsageError(runCli(["evolve-worker"]), "evolve-worker needs --queue redis://HOST:PORT", "usage: cli.js evolve-worker [options]");
  });
});
