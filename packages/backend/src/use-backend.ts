import { tf } from "./tf.js";

export const BACKENDS = ["cpu", "wasm", "webgl"] as const;
export type BackendName = (typeof BACKENDS)[number];

// Backends are optional peers: load the one asked for, on demand.
const loaders: Record<BackendName, () => Promise<unknown>> = {
  cpu: () => import("@tensorflow/tfjs-backend-cpu"),
  wasm: () => import("@tensorflow/tfjs-backend-wasm"),
  webgl: () => import("@tensorflow/tfjs-backend-webgl"),
};

/**
 * Switches tfjs to `name` and waits until it is ready. Unlike `tf.setBackend`, which resolves
 * `false` and leaves a broken backend selected, this throws a clear error and restores the
 * backend that was active before.
 */
export async function useBackend(name: BackendName): Promise<void> {
  if (!BACKENDS.includes(name)) {
    throw new Error(`useBackend: unknown backend '${String(name)}'; expected one of ${BACKENDS.join(", ")}`);
  }
  try {
    await loaders[name]();
  } catch (err) {
    throw new Error(
      `useBackend('${name}'): could not load @tensorflow/tfjs-backend-${name} (${(err as Error).message}); ` +
        `install it next to @tensorflow/tfjs-core`,
    );
  }
  const previous = tf.engine().backendName;
  let ok = false;
  let cause = "setBackend returned false";
  try {
    ok = await tf.setBackend(name);
  } catch (err) {
    cause = (err as Error).message;
  }
  if (!ok) {
    if (previous && previous !== name) await tf.setBackend(previous).catch(() => false);
    throw new Error(`useBackend('${name}'): the ${name} backend could not start (${cause})`);
  }
  await tf.ready();
  // The cpu backend in Node prints a "use tfjs-node" banner on first use; fluxion chose cpu on purpose.
  const backend = tf.backend() as { firstUse?: boolean };
  if ("firstUse" in backend) backend.firstUse = false;
}
