// Raw float32 storage of tensors, for loops that update several tensors in one pass over memory
// (the optimisers' fused kernels). tfjs has no public way to reach a backend's data, so this
// reads the cpu backend's `data` map and the wasm backend's `dataIdMap` and heap, as tfjs 4.22
// lays them out; anything else (webgl, another dtype, shared data, a gradient being taped) is
// refused with the reason, and the caller takes the op-by-op path.
import { tf } from "./tf.js";
import { isTaping } from "./engine.js";

let fusedOn = true;

/**
 * Switches the fused kernels (`rewriteFloat32`'s callers) on or off for the whole program; on by
 * default. Off forces the op-by-op path, which tests compare the fused results with.
 */
export function setFusedKernels(on: boolean): void {
  fusedOn = on;
}

/** Whether fused kernels may run (see `setFusedKernels`). */
export function fusedKernelsOn(): boolean {
  return fusedOn;
}

interface CpuData {
  values?: unknown;
  refCount: number;
}
interface CpuBackend {
  data: { get(id: object): CpuData | undefined; has(id: object): boolean };
  makeTensorInfo(shape: number[], dtype: "float32", values: Float32Array): tf.TensorInfo;
}
interface WasmData {
  id: number;
  memoryOffset: number | null;
  refCount: number;
}
interface WasmBackend {
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
  dataIdMap: { get(id: object): WasmData | undefined; has(id: object): boolean };
  wasm: {
    HEAPU8: Uint8Array;
    asm?: { memory?: unknown };
    _malloc(bytes: number): number;
    _free(pointer: number): void;
    tfjs: { disposeData(id: number): void; registerTensor(id: number, size: number, memoryOffset: number): void };
  };
}

type Storage = { kind: "cpu"; backend: CpuBackend } | { kind: "wasm"; backend: WasmBackend };

/** The active backend's storage when it is one a JS loop can reach (cpu, wasm), else null. */
function storage(): Storage | null {
  const engine = tf.engine();
  const name = engine.backendName;
  const backend = engine.backend as unknown;
  if (name === "cpu" && typeof (backend as CpuBackend).data?.get === "function") return { kind: "cpu", backend: backend as CpuBackend };
  if (name === "wasm" && (backend as WasmBackend).wasm?.HEAPU8 && typeof (backend as WasmBackend).dataIdMap?.get === "function") {
    return { kind: "wasm", backend: backend as WasmBackend };
  }
  return null;
}

function entry(s: Storage, t: tf.Tensor): CpuData | WasmData | undefined {
  // `has` first: the cpu backend's `get` would move data over from another backend.
  if (s.kind === "cpu") return s.backend.data.has(t.dataId) ? s.backend.data.get(t.dataId) : undefined;
  return s.backend.dataIdMap.has(t.dataId) ? s.backend.dataIdMap.get(t.dataId) : undefined;
}

/**
 * Null if `rewriteFloat32(writes, reads, …)` can run now, else why not: fused kernels are off, a
 * gradient is being recorded, the backend is not cpu or wasm, a tensor is disposed, not float32
 * or held by another backend, a written tensor shares its data with another tensor (tfjs counts
 * references: clones, reshapes, a Variable made from a tensor still alive), or a tensor is given twice.
 */
export function rewriteProblem(writes: readonly tf.Tensor[], reads: readonly tf.Tensor[]): string | null {
  if (!fusedOn) return "fused kernels are switched off";
  if (isTaping()) return "a gradient is being recorded";
  const s = storage();
  if (s === null) return `the ${tf.engine().backendName} backend keeps no float32 arrays a loop can reach`;
  const seen = new Set<object>();
  const all = [...writes, ...reads];
  for (let i = 0; i < all.length; i++) {
    const t = all[i]!;
    const what = i < writes.length ? `written tensor ${i + 1}` : `read tensor ${i - writes.length + 1}`;
    if (t.isDisposed) return `${what} is disposed`;
    if (t.dtype !== "float32") return `${what} is ${t.dtype}, not float32`;
    const data = entry(s, t);
    if (data === undefined) return `${what} is held by another backend`;
    if (s.kind === "cpu" ? !((data as CpuData).values instanceof Float32Array) : (data as WasmData).memoryOffset === null && t.size > 0) {
      return `${what} has no float32 array`;
    }
    if (i < writes.length && data.refCount !== 1) return `${what} shares its data with another tensor`;
    if (seen.has(t.dataId)) return `${what} shares its data with another tensor given`;
    seen.add(t.dataId);
  }
  return null;
}

/**
 * Runs one pass `fn(ins, outs, reads, scratch)` over the float32 values of `writes` (rewritten) and
 * `reads` (read only), with `scratch` a temporary array of `scratchLength` elements in the same
 * memory (on wasm, the backend's heap, freed afterwards), in order: `ins[k]` holds the current values of `writes[k]`, and `fn` writes the new
 * ones to `outs[k]` (index i may be read from `ins` after `outs` was written at i only when they
 * are the same array: read element i before writing it). On wasm, `outs` are `ins`, views of the
 * heap written in place; on cpu, `outs` are new arrays that replace the old ones when `fn`
 * returns, since the cpu backend hands its arrays out (`dataSync`, views made by `slice`) and a
 * holder must keep seeing the old values; on wasm, the backend's caches of packed weights for the
 * rewritten tensors are dropped. The tensors keep their identity and `dataId`; no tensor is made. Call `rewriteProblem` first: this assumes it returned null, and `fn` must not run tfjs ops.
 */
export function rewriteFloat32(
  writes: readonly tf.Tensor[],
  reads: readonly tf.Tensor[],
  fn: (ins: Float32Array[], outs: Float32Array[], reads: Float32Array[], scratch: Float32Array) => void,
  scratchLength = 0,
): void {
  const s = storage()!;
  if (s.kind === "cpu") {
    const cells = writes.map((t) => s.backend.data.get(t.dataId)!);
    const ins = cells.map((c) => c.values as Float32Array);
    const outs = writes.map((t) => new Float32Array(t.size));
    fn(ins, outs, reads.map((t) => s.backend.data.get(t.dataId)!.values as Float32Array), new Float32Array(scratchLength));
    cells.forEach((c, k) => (c.values = outs[k]));
    return;
  }
  // The scratch first (malloc may grow the memory), then views: growing replaces the heap's buffer.
  const wasm = s.backend.wasm;
  const scratchAt = scratchLength > 0 ? wasm._malloc(scratchLength * 4) >>> 0 : 0;
  try {
    const heap = wasm.HEAPU8.buffer;
    const view = (t: tf.Tensor): Float32Array => new Float32Array(heap, s.backend.dataIdMap.get(t.dataId)!.memoryOffset ?? 0, t.size);
    const ins = writes.map(view);
    fn(ins, ins, reads.map(view), new Float32Array(heap, scratchAt, scratchLength));
  } finally {
    if (scratchLength > 0) wasm._free(scratchAt);
  }
  // tfjs-backend-wasm 4.22 caches XNNPACK operators holding a packed copy of a matmul's or conv's
  // weights, keyed by tensor id and dropped when the tensor is disposed: so each rewritten tensor
  // is disposed on the C++ side and registered again over the same memory (JS frees nothing).
  for (const t of writes) {
    const { id, memoryOffset } = s.backend.dataIdMap.get(t.dataId)!;
    s.backend.wasm.tfjs.disposeData(id);
    s.backend.wasm.tfjs.registerTensor(id, t.size, memoryOffset ?? 0);
  }
}

/**
 * A backend's float32 storage as a kernel written in JavaScript sees it (batch-matmul.ts): the
 * arrays it holds for a kernel's inputs, new outputs, and scratch for WebAssembly loops.
 */
export interface KernelStorage {
  /**
   * The float32 values `backend` holds for `input`, read only (the tensor's own, not a copy); null
   * when `backend` is not this storage's backend or the input is not float32 there, for the kernel
   * to hand the call to the one it displaced. On wasm a view of the heap, valid until the next allocation.
   */
  input(backend: unknown, input: tf.TensorInfo): Float32Array | null;
  /** A new float32 output of `shape` on `backend` (after `input` accepted it); `input` gives its values to write (what they hold before is unspecified). */
  output(backend: unknown, shape: number[]): tf.TensorInfo;
  /** `bytes` of scratch in the memory holding the backend's tensors, to free after use; null where that is no WebAssembly memory (cpu). */
  scratch(backend: unknown, bytes: number): { memory: WebAssembly.Memory; at: number; free(): void } | null;
}

/**
 * tfjs-backend-cpu's storage: its `data` map's arrays. Data held by another backend is moved
 * over first, as tfjs's own cpu kernels have it; outputs hold a new array.
 */
export const cpuKernelStorage: KernelStorage = {
  input(backend, input) {
    const cpu = backend as Partial<CpuBackend> | null;
    if (input.dtype !== "float32" || typeof cpu?.data?.get !== "function" || typeof cpu.makeTensorInfo !== "function") return null;
    const values = cpu.data.get(input.dataId)?.values;
    return values instanceof Float32Array ? values : null;
  },
  output: (backend, shape) => (backend as CpuBackend).makeTensorInfo(shape, "float32", new Float32Array(tf.util.sizeFromShape(shape))),
  scratch: () => null,
};

/** The wasm backend's heap as a WebAssembly memory, when its module exposes it (as tfjs-backend-wasm 4.22's does). */
function heapMemory(w: WasmBackend): WebAssembly.Memory | null {
  const memory = w.wasm.asm?.memory;
  return memory instanceof WebAssembly.Memory && memory.buffer === w.wasm.HEAPU8.buffer ? memory : null;
}

/**
 * tfjs-backend-wasm's storage: its heap, at the offsets its `dataIdMap` records; outputs are
 * allocated by the backend (`makeOutput`), so XNNPACK's kernels and `dispose` treat them as their
 * own; scratch comes from the backend's allocator.
 */
export const wasmKernelStorage: KernelStorage = {
  input(backend, input) {
    const w = backend as Partial<WasmBackend> | null;
    if (input.dtype !== "float32" || !w?.wasm?.HEAPU8 || typeof w.dataIdMap?.get !== "function" || typeof w.makeOutput !== "function") return null;
    const offset = w.dataIdMap.get(input.dataId)?.memoryOffset;
    return typeof offset === "number" ? new Float32Array(w.wasm.HEAPU8.buffer, offset, tf.util.sizeFromShape(input.shape)) : null;
  },
  output: (backend, shape) => (backend as WasmBackend).makeOutput(shape, "float32"),
  scratch(backend, bytes) {
    const w = backend as WasmBackend;
    const memory = heapMemory(w);
    if (memory === null) return null;
    const at = w.wasm._malloc(bytes) >>> 0;
    return { memory, at, free: () => w.wasm._free(at) };
  },
};

/**
 * The WebAssembly memory holding the wasm backend's tensors (the buffer `rewriteFloat32`'s arrays
 * view there), for a WebAssembly kernel to import and work on in place; null on other backends.
 */
export function float32Heap(): WebAssembly.Memory | null {
  const s = storage();
  return s?.kind === "wasm" ? heapMemory(s.backend) : null;
}
