// The MNIST demo's training time: apps/examples' CLI run for one epoch in a child process, timed
// from outside (so the figure includes loading the digits and the test evaluations the demo prints).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { makeRow, type Row } from "./row.js";

const CLI = fileURLToPath(new URL("../../examples/dist/cli.js", import.meta.url));

export function mnistRow(model: string, backend: string): Row {
  const t0 = performance.now();
  const run = spawnSync(process.execPath, [CLI, "mnist", "--model", model, "--epochs", "1", "--backend", backend], { encoding: "utf8" });
  const ms = performance.now() - t0;
  if (run.status !== 0) throw new Error(`mnist demo (${model}, ${backend}) failed:\n${run.stderr}`);
  const accuracy = /test accuracy: ([\d.]+)\s*$/.exec(run.stdout)?.[1] ?? "?";
  return makeRow({
    name: `MNIST demo, ${model}, 1 epoch (whole process)`,
    backend,
    fluxion_ms: ms,
    baseline_ms: null,
    baseline: "none (fluxion's own demo)",
    tensors_before: 0,
    tensors_after: 0,
    check: `test accuracy ${accuracy}; tensors checked by the demo's own tests`,
  });
}
