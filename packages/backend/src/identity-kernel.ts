// Identity (tf.clone) on wasm as a second reference to the same memory, as tfjs-backend-cpu's is.
// tfjs-backend-wasm 4.22 copies the memory, and tfjs clones every tensor a gradient saves for the
// backward pass: the 784-1024-1024-10 MLP's step copied its 7.4 MB of weights (~1 ms), the LSTM's
// 298 tensors. The backend counts references (its Reshape shares memory the same way), and
// fluxion's in-place optimiser steps refuse to rewrite memory that is shared (buffers.ts).
import type { tf } from "./tf.js";

interface WasmLike {
  incRef?(dataId: object): void;
  dataIdMap?: { has(dataId: object): boolean };
}

/** fluxion's Identity for `backendName`, sharing memory; strings and data it does not hold go to `displaced`. */
export function sharingIdentity(backendName: string, displaced: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: { inputs: { x: tf.TensorInfo }; backend: unknown }) => {
    const { x } = args.inputs;
    const backend = args.backend as WasmLike;
    if (x.dtype === "string" || typeof backend.incRef !== "function" || !backend.dataIdMap?.has(x.dataId)) {
      return displaced.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
    }
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  return { kernelName: "Identity", backendName, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
