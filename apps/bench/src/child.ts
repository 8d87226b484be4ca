// One backend's measurements, in a process of its own (tfjs backends share one engine):
// `node dist/child.js <cpu|wasm> [--quick]` prints progress on stderr and the rows as JSON on stdout.
//
// Import order: fluxion first (it sets up tfjs and its backends), tfjs-layers after, as a user of
// tfjs-layers imports it. tfjs-layers registers its own copies of some gradients (MatMul's among
// them) when imported, so its registrations are the last written and the baseline runs the
// gradients that a user of tfjs-layers alone gets.
import { useBackend, type BackendName } from "fluxion";
import { benchPlan } from "./plan.js";
import { measure } from "./measure.js";
import type { Row } from "./row.js";

async function main(backend: BackendName, quick: boolean): Promise<Row[]> {
  await useBackend(backend);
  const tfl = await import("@tensorflow/tfjs-layers");
  return measure(backend, benchPlan(quick), tfl, (line) => console.error(line));
}

const [backend, flag] = process.argv.slice(2);
main(backend as BackendName, flag === "--quick").then(
  (rows) => console.log(JSON.stringify(rows)),
  (err) => {
    console.error(err);
    process.exitCode = 1;
  },
);
