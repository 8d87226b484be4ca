// A training row whose tfjs-layers baseline cannot run on its backend (the CNN on wasm: tfjs-backend-wasm
// has no Conv2DBackpropFilter, so trainOnBatch throws) is compared with what a tfjs-layers user can
// run instead: the same model's trainOnBatch on cpu, timed in the same bench run (cpu's child process).
import { makeRow, type Row } from "./row.js";

const LAYERS = "tfjs-layers trainOnBatch";

/** `rows` with each failed tfjs-layers baseline taken from the cpu row of the same name, labelled as such. */
export function withFallbackBaselines(rows: readonly Row[]): Row[] {
  return rows.map((r) => {
    if (r.baseline_ms !== null || r.baseline !== LAYERS || r.backend === "cpu") return r;
    const cpu = rows.find((c) => c.backend === "cpu" && c.name === r.name && c.baseline === LAYERS && c.baseline_ms !== null);
    if (cpu === undefined) return r;
    return makeRow({ ...r, baseline_ms: cpu.baseline_ms, baseline: `${LAYERS} on cpu (it cannot train this model on ${r.backend})` });
  });
}
