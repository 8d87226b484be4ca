// The webgl rows, in Chromium: the same measurements as a Node child process makes on cpu and wasm
// (src/measure.ts), with webgl's short plan. `window.bench.run(quick)` resolves to the rows.
import { useBackend } from "fluxion";
import { measure } from "../src/measure.js";
import { webglPlan } from "../src/plan.js";
import type { Row } from "../src/row.js";

const log = (line: string): void => {
  document.getElementById("log")!.textContent += `${line}\n`;
  console.log(line);
};

async function run(quick: boolean): Promise<Row[]> {
  await useBackend("webgl");
  const tfl = await import("@tensorflow/tfjs-layers");
  return measure("webgl", webglPlan(quick), tfl, log);
}

Object.assign(window, { bench: { run } });
document.getElementById("status")!.textContent = "ready";
