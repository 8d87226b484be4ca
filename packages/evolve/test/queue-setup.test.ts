// The queue entry's set-up errors: bullmq/ioredis missing, Redis unreachable, a bad address; and
// that the main entry never loads the optional packages.
import { afterEach, describe, expect, jest, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { freePort } from "./helpers/redis-server.js";

const problem = { module: "file:///nowhere/problem.js" };

/**
 * Requires `spec` in a fresh module registry where requiring `missing` fails as an uninstalled
 * package does. (Not jest.isolateModules: the queue entry imports lazily, after its callback.)
 */
function withMissing<T>(missing: string, spec: string): T {
  jest.resetModules();
  // A fresh registry loads tfjs again, which warns that its platform is set twice: expected here.
  jest.spyOn(console, "warn").mockImplementation(() => {});
  for (const name of ["bullmq", "ioredis"]) {
    jest.doMock(name, () => {
      if (name !== missing) return jest.requireActual(name);
      throw Object.assign(new Error(`Cannot find module '${name}' from 'modules.ts'`), { code: "MODULE_NOT_FOUND" });
    });
  }
  const module = require(spec) as T;
  return module;
}

/** The source files `entry` imports, directly or not, through relative imports. */
function sourcesReached(entry: string, seen = new Set<string>()): string[] {
  if (seen.has(entry)) return [...seen];
  seen.add(entry);
  const text = readFileSync(entry, "utf8");
  for (const [, spec] of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^"';]*?from\s*"(\.{1,2}\/[^"]+)\.js"/g)) {
    sourcesReached(resolve(dirname(entry), `${spec}.ts`), seen);
  }
  return [...seen];
}

afterEach(() => {
  jest.dontMock("bullmq").dontMock("ioredis");
  jest.resetModules();
  jest.restoreAllMocks();
});

describe("@fluxion/evolve/queue set-up", () => {
  test.each(["bullmq", "ioredis"])("without %s installed: one error naming both packages and how to install them", async (missing) => {
    const module = withMissing<typeof import("@fluxion/evolve/queue")>(missing, "@fluxion/evolve/queue");
    const want = `@fluxion/evolve/queue: the optional package "${missing}" is not installed; evaluating on a job queue needs bullmq and ioredis: npm install bullmq ioredis`;
    await expect(module.createQueueEvaluator({ connection: "redis://127.0.0.1:1", problem })).rejects.toThrow(want);
    await expect(module.startQueueWorker({ connection: "redis://127.0.0.1:1" })).rejects.toThrow(want);
  });

  test("the main entry's import graph reaches no file of the queue entry (so it never loads bullmq or ioredis)", () => {
    const reached = sourcesReached(join(__dirname, "../src/index.ts"));
    expect(reached.length).toBeGreaterThan(20);
    expect(reached.filter((f) => f.includes("/queue/"))).toEqual([]);
    // The walk does find the queue's files from the queue entry, and bullmq only lazily there.
    expect(sourcesReached(join(__dirname, "../src/queue/index.ts"))).toContain(join(__dirname, "../src/queue/modules.ts"));
  });

  test("Redis unreachable at start: one error naming the address, for the evaluator and the worker", async () => {
    const port = await freePort(); // nothing listens there
    const { createQueueEvaluator, startQueueWorker } = await import("@fluxion/evolve/queue");
    const want = new RegExp(`^queue (evaluator|worker): cannot reach Redis at redis://127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED.*\\); is redis-server running there, and is the address right\\?$`);
    await expect(createQueueEvaluator({ connection: `redis://127.0.0.1:${port}`, problem })).rejects.toThrow(want);
    await expect(startQueueWorker({ connection: `redis://127.0.0.1:${port}` })).rejects.toThrow(want);
  });

  test("a bad address or option names what was expected", async () => {
    const { createQueueEvaluator, startQueueWorker } = await import("@fluxion/evolve/queue");
    await expect(createQueueEvaluator({ connection: "http://127.0.0.1:6379", problem })).rejects.toThrow(
      'queue evaluator: the queue address "http://127.0.0.1:6379" is not a Redis URL; expected redis://HOST:PORT (or rediss:// for TLS)',
    );
    await expect(createQueueEvaluator({ connection: "127.0.0.1:6379", problem })).rejects.toThrow(/not a Redis URL|not a URL/);
    await expect(createQueueEvaluator({ connection: "redis://127.0.0.1:6379", problem, attempts: 0 })).rejects.toThrow(
      "queue evaluator: attempts must be a positive number, got 0",
    );
    await expect(createQueueEvaluator({ connection: "redis://127.0.0.1:6379", problem: {} as never })).rejects.toThrow(
      "queue evaluator: problem must be { module: a module specifier, absolute path or file URL, name?, options? }",
    );
    await expect(startQueueWorker({ connection: { port: 70000 } })).rejects.toThrow("queue worker: the Redis port must be an integer in 1..65535, got 70000");
    await expect(startQueueWorker({ connection: "redis://127.0.0.1:6379", concurrency: 0 })).rejects.toThrow("queue worker: concurrency must be an integer ≥ 1, got 0");
  });
});
