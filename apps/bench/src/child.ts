// One backend's measurements, in a process of its own (tfjs backends share one engine):
// `node dist/child.js <cpu|wasm> [--quick]` prints progress on stderr and the rows as JSON on stdout.
//
// Import order: fluxion first (it sets up tfjs and its backends), tfjs-layers after, as a user of
// tfjs-layers imports it. tfjs-layers registers its own copies of some gradients (MatMul's among
// them) when imported, so its registrations are the last written and the baseline runs the
// gradients that a user of tfjs-layers alone gets.
import { tf, useBackend, type BackendName } from "fluxion";
import { benchPlan } from "./plan.js";
import { optimiserRow } from "./optimiser-rows.js";
import { trainingRows } from "./training-rows.js";
import { TRAINING_CASES } from "./training-models.js";
import type { Row } from "./row.js";

async function main(backend: BackendName, quick: boolean): Promise<Row[]> {
  await useBackend(backend);
  const tfl = await import("@tensorflow/tfjs-layers");
  const plan = benchPlan(quick);
  const rows: Row[] = [];
  const done = (r: Row) => {
    rows.push(r);
    console.error(`  [${backend}] ${r.name}: ${r.fluxion_ms.toFixed(2)} ms vs ${r.baseline_ms?.toFixed(2)} ms (${r.ratio?.toFixed(2)}×)`);
  };
  for (const c of plan.optimiser) done(await optimiserRow(c, backend, plan.optimiserTiming));
  for (const key of plan.training) (await trainingRows(TRAINING_CASES[key]!, tfl, backend, plan.trainingTiming)).forEach(done);
  console.error(`  [${backend}] tensors left at the end: ${tf.memory().numTensors}`);
  return rows;
}

const [backend, flag] = process.argv.slice(2);
main(backend as BackendName, flag === "--quick").then(
  (rows) => console.log(JSON.stringify(rows)),
  (err) => {
    console.error(err);
    process.exitCode = 1;
  },
);
