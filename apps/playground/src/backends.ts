// Starting a tfjs backend from the bundled page. The wasm binaries are not beside the script in a
// Vite build, so their URLs (hashed assets) are handed to useBackend explicitly.
import { tf, useBackend, type BackendName } from "fluxion";
import plainWasm from "@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.wasm?url";
import simdWasm from "@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm?url";
import threadedWasm from "@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.wasm?url";

export const PAGE_BACKENDS: readonly BackendName[] = ["webgl", "wasm", "cpu"];

const WASM_PATHS = {
  "tfjs-backend-wasm.wasm": plainWasm,
  "tfjs-backend-wasm-simd.wasm": simdWasm,
  "tfjs-backend-wasm-threaded-simd.wasm": threadedWasm,
};

const HINTS: Record<BackendName, string> = {
  webgl: "WebGL is disabled or unavailable in this browser; pick wasm or cpu",
  wasm: "The browser could not fetch or compile the backend's .wasm files; pick webgl or cpu",
  cpu: "The plain JavaScript backend should always start: please report this",
};

/** Switches to `name`; throws an Error that says the backend could not start, and why. */
export async function startBackend(name: BackendName): Promise<void> {
  try {
    await useBackend(name, name === "wasm" ? { wasmPaths: WASM_PATHS } : {});
  } catch (err) {
    throw new Error(`${(err as Error).message}. ${HINTS[name]}`);
  }
  if (tf.getBackend() !== name) throw new Error(`asked for the ${name} backend but tfjs is running ${tf.getBackend()}`);
}

// Live tensors, counted without touching a backend: tf.memory() would, and with none working yet
// (before the first start, or after the first one failed) tfjs would try to start one and throw.
export { liveTensors } from "@fluxion/backend/testing";
