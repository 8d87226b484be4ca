// The parity page: imports every fluxion package as a browser bundle would, checks tfjs's
// gradients and chained ops are registered, and runs the parity cases on a chosen backend.
import * as backendPkg from "@fluxion/backend";
import * as functors from "@fluxion/functors";
import * as optimisers from "@fluxion/optimisers";
import * as nn from "@fluxion/nn";
import * as train from "@fluxion/train";
import * as evolve from "@fluxion/evolve";
import * as fluxion from "fluxion";
import plain from "@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.wasm?url";
import simd from "@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm?url";
import threaded from "@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.wasm?url";
import { ALL_CASES, runCases, type CaseResult } from "../src/index.js";

const { tf, useBackend } = backendPkg;
const wasmPaths = { "tfjs-backend-wasm.wasm": plain, "tfjs-backend-wasm-simd.wasm": simd, "tfjs-backend-wasm-threaded-simd.wasm": threaded };

/** What each package exports, and whether tfjs works as fluxion needs it to. */
async function imports(): Promise<Record<string, unknown>> {
  await useBackend("cpu"); // a bundle registers no backend until one is asked for
  const x = tf.tensor1d([1, 2, 3]);
  const g = tf.grad((v: fluxion.tf.Tensor) => tf.sum(tf.square(v)))(x);
  const chained = (x as unknown as { mul(n: number): fluxion.tf.Tensor }).mul(2);
  const result = {
    exports: {
      "@fluxion/backend": Object.keys(backendPkg).length,
      "@fluxion/functors": Object.keys(functors).length,
      "@fluxion/optimisers": Object.keys(optimisers).length,
      "@fluxion/nn": Object.keys(nn).length,
      "@fluxion/train": Object.keys(train).length,
      "@fluxion/evolve": Object.keys(evolve).length,
      fluxion: Object.keys(fluxion).length,
    },
    sameTf: fluxion.tf === tf,
    gradient: Array.from(g.dataSync()),
    chained: Array.from(chained.dataSync()),
  };
  tf.dispose([x, g, chained]);
  return result;
}

async function run(backend: "cpu" | "wasm" | "webgl", only?: string[]): Promise<{ backend: string; floatPrecision: number; results: CaseResult[] }> {
  await useBackend(backend, backend === "wasm" ? { wasmPaths } : {});
  const cases = only ? ALL_CASES.filter((c) => only.includes(`${c.group}/${c.name}`)) : ALL_CASES;
  const results = runCases(cases);
  return { backend: tf.getBackend(), floatPrecision: tf.backend().floatPrecision(), results };
}

Object.assign(window, { parity: { imports, run, caseNames: ALL_CASES.map((c) => `${c.group}/${c.name}`) } });
document.getElementById("status")!.textContent = "ready";
