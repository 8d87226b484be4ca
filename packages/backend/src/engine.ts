// The one place fluxion reaches into tfjs-core's engine. tfjs's public API has no way to ask
// whether a gradient is being recorded, to cut a tensor off the tape, or to take gradients that
// may be absent; the engine does, but its internals change between releases, so every use sits
// here, pinned to tfjs 4.22 and tested on each backend.
import { tf } from "./tf.js";
import { kernelsProvided } from "./conv-gradients.js";
import { withFluxionGradients, withinFluxionGradients } from "./gradient-scope.js";

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
 * record). The value and the gradients are new tensors, the caller's to dispose. The forward and
 * backward passes run with fluxion's own gradients (fast and second-order exact; gradient-scope.ts).
 */
export function valueAndGradients(f: () => tf.Tensor, xs: readonly tf.Tensor[]): ValueAndGradients {
  if (xs.length === 0) return { value: tf.tidy(f), grads: [] };
  const { value, grads } = withFluxionGradients(() => tf.engine().gradients(f, [...xs], undefined, true));
  return { value, grads: grads as (tf.Tensor | undefined)[] };
}

/** What `recordSeparately` returns: the value of `f`, and the one backward pass through its own tape. */
export interface SeparateTape {
  value: tf.Tensor;
  /**
   * Back-propagates `dy` from the value to the xs through f's own tape, once, and frees that
   * tape's saved tensors; undefined where the value does not depend on an x. Call it inside the
   * outer backward pass (a customGrad's gradFunc), where tf.grads would end the outer tape.
   */
  backward(dy: tf.Tensor): (tf.Tensor | undefined)[];
}

interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  saved?: tf.Tensor[];
}

interface TapeState {
  activeTape: TapeNode[] | null;
  gradientDepth: number;
  kernelDepth: number;
  nextTapeNodeId: number;
}

/**
 * Runs `f` while a gradient is being taken, recording its ops on a tape of its own instead of the
 * outer one, so a layer can back-propagate through itself during the outer backward pass (a
 * customGrad op around it, whose gradFunc calls `backward`) without recomputing its forward pass
 * (which would redraw Dropout masks and update running statistics twice). tfjs 4.22 has no API for
 * this: its tape is `engine.state.activeTape`, filled while `gradientDepth > 0` and
 * `kernelDepth === 0`, and tf.grads inside a gradFunc replaces and then nulls it. If `backward` is
 * never called, the saved tensors are freed with the outer tape, as tfjs frees its own.
 */
export function recordSeparately(f: () => tf.Tensor, xs: readonly tf.Tensor[]): SeparateTape {
  const state = (tf.engine() as unknown as { state: TapeState }).state;
  const outer = state.activeTape;
  if (outer === null || state.gradientDepth === 0 || state.kernelDepth !== 0) {
    throw new Error("recordSeparately: no gradient is being recorded here (call it inside tf.grad, valueAndGradients or withGradient)");
  }
  const own: TapeNode[] = [];
  state.activeTape = own;
  let value: tf.Tensor;
  try {
    value = tf.tidy(f);
  } finally {
    state.activeTape = outer;
  }
  const saved = own.flatMap((node) => node.saved ?? []);
  // A node no path reaches: the outer gradient's clean-up disposes its saved tensors.
  outer.push({ id: state.nextTapeNodeId++, kernelName: "recordSeparately", inputs: {}, outputs: [], saved });
  let used = false;
  const backward = (dy: tf.Tensor): (tf.Tensor | undefined)[] => {
    if (used) throw new Error("recordSeparately: backward was called twice; the tape is gone after the first call");
    used = true;
    const before = { tape: state.activeTape, depth: state.gradientDepth, kernel: state.kernelDepth };
    // Depth > 0 keeps gradients() from replacing the tape; kernelDepth > 0 stops it recording the
    // backward pass's own ops (no higher-order tape), so nothing is left to clean up but `saved`.
    state.activeTape = own;
    state.gradientDepth += 1;
    state.kernelDepth += 1;
    try {
      return tf.engine().gradients(() => value, [...xs], dy, true).grads as (tf.Tensor | undefined)[];
    } finally {
      state.activeTape = before.tape;
      state.gradientDepth = before.depth;
      state.kernelDepth = before.kernel;
      tf.dispose(saved);
    }
  };
  return { value: value!, backward };
}

// Kernels registered but giving wrong values, treated as missing: in tfjs-backend-wasm 4.22 the
// 3-d conv input-gradient and the max-pool gradients (overlapping windows, several channels)
// disagree with cpu and with float64 loops (nn's test/conv.test.ts, test/pooling.test.ts), and
// MaxPool3D starts its maximum at FLT_MIN, so a window of negatives gives 1.18e-38.
const UNTRUSTED: Readonly<Record<string, readonly string[]>> = {
  wasm: ["Conv3DBackpropInputV2", "MaxPoolGrad", "MaxPool3D", "MaxPool3DGrad"],
};

/**
 * True when the current backend registers every one of these kernels and none is known to be
 * wrong. Inside fluxion's gradient calls, a gradient kernel that fluxion's own gradients replace
 * (Conv2DBackpropFilter on cpu and wasm, conv-gradients.ts) counts as registered.
 */
export function hasTrustedKernels(...names: string[]): boolean {
  const backend = tf.getBackend();
  const provided = withinFluxionGradients() ? kernelsProvided(backend) : [];
  return names.every((name) => (tf.getKernel(name, backend) !== undefined || provided.includes(name)) && !UNTRUSTED[backend]?.includes(name));
}
