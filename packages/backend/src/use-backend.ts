import { tf } from "./tf.js";

/** The backends `useBackend` can switch to (webgl in the browser only). */
export const BACKENDS = ["cpu", "wasm", "webgl"] as const;
/** A backend name: `"cpu"`, `"wasm"` or `"webgl"`. */
export type BackendName = (typeof BACKENDS)[number];

// Backends are optional peers: load the one asked for, on demand.
const loaders: Record<BackendName, () => Promise<unknown>> = {
  cpu: () => import("@tensorflow/tfjs-backend-cpu"),
  wasm: () => import("@tensorflow/tfjs-backend-wasm"),
  webgl: () => import("@tensorflow/tfjs-backend-webgl"),
};

/** The three .wasm builds tfjs-backend-wasm picks from (threads need cross-origin isolation). */
export const WASM_FILES = ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm-threaded-simd.wasm"] as const;
/** One of the wasm backend's binaries, by file name. */
export type WasmFile = (typeof WASM_FILES)[number];

/** Options of `useBackend`. */
export interface BackendOptions {
  /**
   * Where the browser fetches the wasm backend's binaries: a URL prefix ending in "/", or a URL
   * per file (e.g. Vite's `import simd from "@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm?url"`).
   * Needed in bundled pages, where the binaries are not beside the script. Node finds them itself.
   */
  wasmPaths?: string | Partial<Record<WasmFile, string>>;
}

let wasmStarted = false;
let wasmPathsGiven: string | undefined;

interface Registration {
  factory: () => unknown;
  priority: number;
}
/** Backends that failed to start, unregistered (so tfjs never auto-picks them) until asked for again. */
const failed = new Map<string, Registration>();

/**
 * Switches tfjs to `name` and waits until it is ready. Unlike `tf.setBackend`, which resolves
 * `false` and leaves a broken backend selected, this throws a clear error and restores the
 * backend that was active before.
 */
export async function useBackend(name: BackendName, options: BackendOptions = {}): Promise<void> {
  if (!BACKENDS.includes(name)) {
    throw new Error(`useBackend: unknown backend '${String(name)}'; expected one of ${BACKENDS.join(", ")}`);
  }
  const unknown = Object.keys(options).filter((k) => k !== "wasmPaths");
  if (unknown.length > 0) throw new Error(`useBackend: unknown option(s) ${unknown.join(", ")}; expected wasmPaths`);
  let loaded: unknown;
  try {
    loaded = await loaders[name]();
  } catch (err) {
    throw new Error(
      `useBackend('${name}'): could not load @tensorflow/tfjs-backend-${name} (${(err as Error).message}); ` +
        `install it next to @tensorflow/tfjs-core`,
    );
  }
  if (name === "wasm" && options.wasmPaths !== undefined) setWasmPaths(loaded, options.wasmPaths);
  const again = failed.get(name);
  if (again && !tf.findBackendFactory(name)) tf.registerBackend(name, again.factory as never, again.priority);
  failed.delete(name);
  const previous = tf.engine().backendName;
  let ok = false;
  let cause = "setBackend returned false";
  try {
    ok = await tf.setBackend(name);
  } catch (err) {
    cause = (err as Error).message;
  }
  if (!ok) {
    // tfjs leaves the broken backend selected with no instance behind it, and would retry it on
    // any later op: unregister it, then go back to the previous backend (if there was one).
    const entry = (tf.engine() as unknown as { registryFactory: Record<string, Registration> }).registryFactory[name];
    if (entry) {
      failed.set(name, entry);
      tf.removeBackend(name);
    }
    if (previous && previous !== name) await tf.setBackend(previous).catch(() => false);
    const hint =
      name === "wasm" && typeof window !== "undefined" && options.wasmPaths === undefined
        ? "; in a bundled page, pass { wasmPaths } so the browser can fetch the .wasm files"
        : "";
    throw new Error(`useBackend('${name}'): the ${name} backend could not start (${cause})${hint}`);
  }
  if (name === "wasm") wasmStarted = true;
  await tf.ready();
  // The cpu backend in Node prints a "use tfjs-node" banner on first use; fluxion chose cpu on purpose.
  const backend = tf.backend() as { firstUse?: boolean };
  if ("firstUse" in backend) backend.firstUse = false;
}

function setWasmPaths(wasmModule: unknown, paths: string | Partial<Record<WasmFile, string>>): void {
  if (typeof paths === "object") {
    const unknown = Object.keys(paths).filter((k) => !(WASM_FILES as readonly string[]).includes(k));
    if (unknown.length > 0) {
      throw new Error(`useBackend('wasm'): unknown wasmPaths file(s) ${unknown.join(", ")}; expected ${WASM_FILES.join(", ")}`);
    }
  } else if (typeof paths !== "string") {
    throw new Error(`useBackend('wasm'): wasmPaths must be a URL prefix string or an object of URLs per file, got ${typeof paths}`);
  }
  // tfjs fixes the paths at the backend's first start; later different paths are refused, not ignored.
  const key = JSON.stringify(paths);
  if (wasmStarted && key === wasmPathsGiven) return;
  if (wasmStarted) throw new Error("useBackend('wasm'): wasmPaths must be given before the wasm backend first starts");
  wasmPathsGiven = key;
  (wasmModule as { setWasmPaths(p: string | Record<string, string>): void }).setWasmPaths(paths as string | Record<string, string>);
}
