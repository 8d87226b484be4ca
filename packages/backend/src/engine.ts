// The one place fluxion reaches into tfjs-core's engine. tfjs's public API has no way to ask
// whether a gradient is being recorded, to cut a tensor off the tape, or to take gradients that
// may be absent; the engine does, but its internals change between releases, so every use sits
// here, pinned to tfjs 4.22 and tested on each backend.
import { tf } from "./tf.js";

/** Tensors alive now, across every backend; reading the count does not start a backend (tf.memory() would). */
export function liveTensorCount(): number {
  return tf.engine().state.numTensors;
}

/** Whether ops run now are recorded for a gradient (inside tf.grad and friends, outside kernels). */
export function isTaping(): boolean {
  return tf.engine().isTapeOn();
}

/**
 * The tape of the outermost gradient being taken now, or null. Nested gradients share it, so its
 * identity tells one gradient call from the next (a carried state computed in an earlier call).
 */
export function activeTape(): object | null {
  return tf.engine().state.activeTape ?? null;
}

/**
 * A new tensor on the same data that the tape does not connect to `t`: what tf.clone does (a
 * reference-counted view, no copy) minus the tape record, so no gradient flows back through it.
 * Dispose it like any tensor; the data lives until both are disposed.
 */
export function detach<T extends tf.Tensor>(t: T): T {
  const engine = tf.engine();
  // The backend that holds the data, which need not be the current one.
  const backend = engine.state.tensorInfo.get(t.dataId)?.backend ?? engine.backend;
  backend.incRef(t.dataId);
  return engine.makeTensorFromDataId(t.dataId, t.shape, t.dtype, backend) as T;
}

/** What `valueAndGradients` returns: the value of `f`, and one gradient per x. */
export interface ValueAndGradients {
  value: tf.Tensor;
  /** undefined where `f` does not depend on that x. */
  grads: (tf.Tensor | undefined)[];
}

/**
 * Runs `f` (in a tidy, on a fresh tape) and back-propagates from its scalar result to `xs`.
 * Unlike tf.grads, an x that `f` does not reach gets `undefined` instead of an error, and `f` takes
 * no arguments, so the xs may sit anywhere in a tree. With no xs, `f` runs untaped (nothing to
 * record). The value and the gradients are new tensors, the caller's to dispose.
 */
export function valueAndGradients(f: () => tf.Tensor, xs: readonly tf.Tensor[]): ValueAndGradients {
  if (xs.length === 0) return { value: tf.tidy(f), grads: [] };
  const { value, grads } = tf.engine().gradients(f, [...xs], undefined, true);
  return { value, grads: grads as (tf.Tensor | undefined)[] };
}

// Kernels registered but giving wrong values, treated as missing: in tfjs-backend-wasm 4.22 the
// 3-d conv input-gradient and the max-pool gradients (overlapping windows, several channels)
// disagree with cpu and with float64 loops (nn's test/conv.test.ts, test/pooling.test.ts), and
// MaxPool3D starts its maximum at FLT_MIN, so a window of negatives gives 1.18e-38.
const UNTRUSTED: Readonly<Record<string, readonly string[]>> = {
  wasm: ["Conv3DBackpropInputV2", "MaxPoolGrad", "MaxPool3D", "MaxPool3DGrad"],
};

/** True when the current backend registers every one of these kernels and none is known to be wrong. */
export function hasTrustedKernels(...names: string[]): boolean {
  const backend = tf.getBackend();
  return names.every((name) => tf.getKernel(name, backend) !== undefined && !UNTRUSTED[backend]?.includes(name));
}
