// One backend's rows, in the order of the plan: optimiser steps, then training steps. Run by
// child.ts (cpu, wasm: a Node process each) and by the webgl page (web/main.ts, in Chromium).
import { tf } from "fluxion";
import type * as tflTypes from "@tensorflow/tfjs-layers";
import type { BenchPlan } from "./plan.js";
import { optimiserRow } from "./optimiser-rows.js";
import { trainingRows } from "./training-rows.js";
import { TRAINING_CASES } from "./training-models.js";
import type { Row } from "./row.js";

/** The plan's rows on the active backend `backend` (already set up), `log` told each as it is done. */
export async function measure(backend: string, plan: BenchPlan, tfl: typeof tflTypes, log: (line: string) => void): Promise<Row[]> {
  const rows: Row[] = [];
  const done = (r: Row) => {
    rows.push(r);
    log(`  [${backend}] ${r.name}: ${r.fluxion_ms.toFixed(2)} ms vs ${r.baseline_ms?.toFixed(2)} ms (${r.ratio?.toFixed(2)}×)`);
  };
  for (const c of plan.optimiser) done(await optimiserRow(c, backend, plan.optimiserTiming));
  for (const key of plan.training) (await trainingRows(TRAINING_CASES[key]!, tfl, backend, plan.trainingTiming)).forEach(done);
  log(`  [${backend}] tensors left at the end: ${tf.memory().numTensors}`);
  return rows;
}
