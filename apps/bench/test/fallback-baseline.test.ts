// Rows whose tfjs-layers baseline failed on wasm take the cpu row's baseline, labelled, with the ratio
// recomputed; every other row is left as it was.
import { expect, test } from "@jest/globals";
import { withFallbackBaselines } from "../src/fallback-baseline.js";
import { makeRow, type Row } from "../src/row.js";

const row = (name: string, backend: string, fluxion_ms: number, baseline_ms: number | null, baseline = "tfjs-layers trainOnBatch"): Row =>
  makeRow({ name, backend, fluxion_ms, baseline_ms, baseline, tensors_before: 0, tensors_after: 0, check: "" });

test("a failed wasm baseline is the cpu row's, with ratio = cpu baseline / wasm fluxion", () => {
  const rows = [row("CNN", "wasm", 25, null), row("MLP", "wasm", 4, 28), row("CNN", "cpu", 200, 1000), row("MLP", "cpu", 10, 190)];
  const out = withFallbackBaselines(rows);
  expect(out[0]).toMatchObject({ baseline_ms: 1000, ratio: 40, baseline: "tfjs-layers trainOnBatch on cpu (it cannot train this model on wasm)" });
  expect(out.slice(1)).toEqual(rows.slice(1));
});

test("no cpu row with a baseline, or a row without tfjs-layers (the MNIST demo): left without a baseline", () => {
  const rows = [row("CNN", "wasm", 25, null), row("CNN", "cpu", 200, null), row("MNIST demo", "wasm", 1500, null, "none")];
  expect(withFallbackBaselines(rows)).toEqual(rows);
});
