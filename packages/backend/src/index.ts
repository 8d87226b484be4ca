export { tf } from "./tf.js";
export { useBackend, BACKENDS, WASM_FILES } from "./use-backend.js";
export type { BackendName, BackendOptions, WasmFile } from "./use-backend.js";
