#!/usr/bin/env node
// fluxion's benchmark: `node dist/main.js [--quick]` (from the root: `pnpm bench [--quick]`).
// Each backend runs in its own child process (child.ts), webgl in headless Chromium (webgl-rows.ts);
// this process collects the rows, times the MNIST demo, prints the table and writes results/latest.json. Ratio > 1: fluxion is faster.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { benchPlan } from "./plan.js";
import { mnistRow } from "./mnist-row.js";
import { formatTable } from "./table.js";
import { withFallbackBaselines } from "./fallback-baseline.js";
import { webglRows } from "./webgl-rows.js";
import type { Row } from "./row.js";

const BACKENDS = ["wasm", "cpu"];
const CHILD = fileURLToPath(new URL("./child.js", import.meta.url));
const RESULTS = fileURLToPath(new URL("../results/", import.meta.url));

function backendRows(backend: string, quick: boolean): Row[] {
  console.error(`${backend}:`);
  const run = spawnSync(process.execPath, [CHILD, backend, ...(quick ? ["--quick"] : [])], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (run.status !== 0) throw new Error(`the ${backend} run failed (status ${run.status})`);
  return JSON.parse(run.stdout.trim().split("\n").at(-1)!) as Row[];
}

async function main(args: string[]): Promise<void> {
  const unknown = args.filter((a) => a !== "--quick");
  if (unknown.length) throw new Error(`unknown argument(s) ${unknown.join(" ")}; usage: bench [--quick]`);
  const quick = args.includes("--quick");
  const t0 = performance.now();
  const nodeRows = BACKENDS.flatMap((b) => [...backendRows(b, quick), ...benchPlan(quick).mnist.map((m) => mnistRow(m, b))]);
  const rows = withFallbackBaselines([...nodeRows, ...(await webglRows(quick))]);
  console.log(formatTable(rows));
  console.log(`\n${quick ? "quick" : "full"} run, ${((performance.now() - t0) / 1000).toFixed(0)} s; ratio = baseline / fluxion (> 1: fluxion faster)`);
  mkdirSync(RESULTS, { recursive: true });
  const file = `${RESULTS}latest.json`;
  writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), quick, rows }, null, 2)}\n`);
  console.log(`wrote ${file}`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
