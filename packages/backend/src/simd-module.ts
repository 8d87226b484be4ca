// The backend's SIMD WebAssembly module (simd.wat), compiled once and instantiated once per memory
// it works in (the wasm backend's heap, or a memory of gemm.ts's own); null where WebAssembly SIMD
// does not compile (or WebAssembly is forbidden), for the callers' JavaScript loops to run instead.
import { SIMD_BASE64 } from "./simd-bytes.js";

/** simd.wat's exports: pointers are byte offsets in the memory the instance works in. */
export interface SimdExports {
  pack(src: number, along: number, term: number, count: number, width: number, kc: number, dst: number): void;
  gemm(pa: number, pb: number, c: number, panelsA: number, panelsB: number, kc: number, ldc: number, add: number): void;
  finite(src: number, n: number): number;
}

let compiled: WebAssembly.Module | null | undefined;
const instances = new WeakMap<WebAssembly.Memory, SimdExports>();

/** The compiled module, or null where WebAssembly SIMD does not compile. */
export function simdModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(Uint8Array.from(atob(SIMD_BASE64), (c) => c.charCodeAt(0)));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** The module's exports working in `memory`, or null where it does not compile. */
export function simdIn(memory: WebAssembly.Memory): SimdExports | null {
  const module = simdModule();
  if (module === null) return null;
  let exports = instances.get(memory);
  if (exports === undefined) {
    exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SimdExports;
    instances.set(memory, exports);
  }
  return exports;
}
