export { tf } from "./tf.js";
export { useBackend, BACKENDS } from "./use-backend.js";
export type { BackendName } from "./use-backend.js";
