// Runs a fused kernel's SIMD version (kernels.wat) when it has one: on the wasm backend in place
// in tfjs's own WebAssembly memory, on cpu in a memory of ours that the arrays are copied through
// (still far faster than a JavaScript loop that rounds each op to float32). Without WebAssembly
// SIMD (or with a shared tfjs memory, which threads use) the caller runs the JavaScript loop.
import { float32Heap } from "@fluxion/backend/internal";
import { SIMD_KERNELS_BASE64 } from "./simd-bytes.js";

/** The exports of kernels.wat: pointers are byte offsets, `n` a multiple of 4. */
export interface SimdKernels {
  descent(x: number, g: number, n: number, e: number): void;
  momentum(x: number, g: number, v: number, n: number, r: number, e: number): void;
  adam(x: number, g: number, m: number, v: number, n: number, ...rest: number[]): void;
  rmsprop(x: number, g: number, q: number, l: number, n: number, ...rest: number[]): void;
  lion(x: number, g: number, m: number, n: number, ...rest: number[]): void;
}

/** A stage's SIMD call: the parameter, gradient and state arrays as byte offsets, `n` elements (a multiple of 4). */
export type SimdCall = (k: SimdKernels, x: number, g: number, s: readonly number[], n: number) => void;

let simdOn = true;
/** Whether SIMD kernels run where they exist (tests switch them off to check the JavaScript loops against them). */
export function setSimdKernels(on: boolean): void {
  simdOn = on;
}

let compiled: WebAssembly.Module | null | undefined;
function simdModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(Uint8Array.from(atob(SIMD_KERNELS_BASE64), (c) => c.charCodeAt(0)));
    } catch {
      compiled = null; // no WebAssembly SIMD here
    }
  }
  return compiled;
}

const instances = new WeakMap<WebAssembly.Memory, SimdKernels | null>();
function kernelsIn(memory: WebAssembly.Memory): SimdKernels | null {
  let k = instances.get(memory);
  if (k === undefined) {
    const module = simdModule();
    try {
      k = module && (new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SimdKernels);
    } catch {
      k = null; // e.g. a shared memory, which the module does not declare
    }
    instances.set(memory, k);
  }
  return k;
}

/** Our memory for cpu tensors, grown to the largest step seen (kept: the next step needs it again). */
let own: WebAssembly.Memory | null = null;
function ownMemory(bytes: number): WebAssembly.Memory {
  const pages = Math.ceil(bytes / 65536);
  if (own === null) own = new WebAssembly.Memory({ initial: Math.max(pages, 1) });
  else if (own.buffer.byteLength < bytes) own.grow(pages - own.buffer.byteLength / 65536);
  return own;
}

/**
 * Runs `call` over the first multiple of 4 elements: `ins[0]`/`outs[0]` the parameter, the rest
 * its state, `g` the gradient (as `rewriteFloat32` gives them). The caller runs its JavaScript loop
 * on the remaining elements. False (nothing done) when SIMD cannot run here.
 */
export function runSimd(call: SimdCall, ins: Float32Array[], outs: Float32Array[], g: Float32Array): boolean {
  if (!simdOn || simdModule() === null) return false;
  const n4 = g.length & ~3;
  const heap = float32Heap();
  if (heap !== null && ins[0]!.buffer === heap.buffer) {
    const k = kernelsIn(heap);
    if (k === null) return false;
    call(k, ins[0]!.byteOffset, g.byteOffset, ins.slice(1).map((a) => a.byteOffset), n4);
    return true;
  }
  // cpu: [x, g, ...state] laid out one after another in our memory, then copied out.
  const n = g.length;
  const memory = ownMemory((ins.length + 1) * n * 4);
  const k = kernelsIn(memory);
  if (k === null) return false;
  const f32 = new Float32Array(memory.buffer);
  const at = (j: number): number => j * n; // element offset of array j (0 x, 1 g, 2… state)
  f32.set(ins[0]!, at(0));
  f32.set(g, at(1));
  ins.slice(1).forEach((a, j) => f32.set(a, at(j + 2)));
  call(k, 0, at(1) * 4, ins.slice(1).map((_, j) => at(j + 2) * 4), n4);
  outs.forEach((o, j) => o.set(f32.subarray(at(j === 0 ? 0 : j + 1), at(j === 0 ? 0 : j + 1) + n4)));
  return true;
}
