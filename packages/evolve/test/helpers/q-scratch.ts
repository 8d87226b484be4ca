import { spawn } from "node:child_process";
import { createQueueEvaluator } from "@fluxion/evolve/queue";
import { startRedis } from "./redis-server.js";
import { useBackend } from "@fluxion/backend";
await useBackend("cpu");

const redis = await startRedis();
const kids = [0, 1].map(() => spawn(process.execPath, ["--conditions=@fluxion/source", "--import", "./test/helpers/redis-ts-loader.mjs", "test/helpers/redis-worker.ts", redis.url, "1", "2000", "1000"], { stdio: ["ignore", "pipe", "inherit"] }));
kids.forEach((k, i) => k.stdout!.on("data", (d) => process.stdout.write(`[w${i}] ${d}`)));
const codec = {
  encode: (c: any) => new Uint8Array([c.id, 1, 2]),
  decode: (r: any, input: any) => ({ ...input, fitness: r.fitness, metrics: r.metrics, bytes: [...r.candidate] }),
  failed: (input: any, error: string) => ({ ...input, fitness: -Infinity, error }),
  dispose: () => {},
};
const ev = await createQueueEvaluator({ connection: redis.url, problem: { module: "file:///tmp/q-fakeproblem.mjs", options: { ms: 300 } }, codec, log: console.log });
const cands = Array.from({ length: 6 }, (_, id) => ({ id })) as any[];
let t0 = Date.now();
const out = await ev.evaluate(cands, { run: "r1", seed: 7, generation: 0 });
console.log("gen0", Date.now() - t0, "ms", out.map((c: any) => [c.id, c.fitness, c.bytes, c.error]));
t0 = Date.now();
const out2 = await ev.evaluate(cands, { run: "r1", seed: 7, generation: 1 });
console.log("gen1", Date.now() - t0, "ms", out2.map((c: any) => c.fitness));
await ev.close();
kids.forEach((k) => k.kill("SIGTERM"));
await Promise.all(kids.map((k) => new Promise((r) => k.on("exit", r))));
await redis.dispose();
