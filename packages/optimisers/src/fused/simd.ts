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
  nesterov(x: number, g: number, v: number, n: number, ...rest: number[]): void;
  adabelief(x: number, g: number, m: number, s: number, n: number, ...rest: number[]): void;
  weightdecay(g: number, out: number, x: number, n: number, l: number): void;
  signdecay(g: number, out: number, x: number, n: number, l: number, floor: number): void;
  clipgrad(g: number, out: number, n: number, d: number, nan: number): void;
}

/** A last stage's SIMD call: the parameter, incoming update and state arrays as byte offsets, `n` elements (a multiple of 4). */
export type SimdCall = (k: SimdKernels, x: number, g: number, s: readonly number[], n: number) => void;
/** A stateless stage's SIMD call before another: reads the update at `g` (and `x`), writes its own to `out`. */
export type SimdPre = (k: SimdKernels, g: number, out: number, x: number, n: number) => void;

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
 * Runs a step's SIMD calls over the first multiple of 4 elements: the `pre` calls in order (the
 * first reads the gradient `g`, each writes `scratch`, the next reads it), then `last`, which
 * rewrites the parameter `ins[0]`/`outs[0]` and its state `ins[1…]`/`outs[1…]` (as
 * `rewriteFloat32` gives them). The caller runs its JavaScript loops on the remaining elements.
 * False (nothing done) when SIMD cannot run here.
 */
export function runSimd(pre: readonly SimdPre[], last: SimdCall, ins: Float32Array[], outs: Float32Array[], g: Float32Array, scratch: Float32Array): boolean {
  if (!simdOn || simdModule() === null) return false;
  const n = g.length;
  const n4 = n & ~3;
  const run = (k: SimdKernels, x: number, gp: number, sp: number, states: number[]): void => {
    let src = gp;
    for (const p of pre) {
      p(k, src, sp, x, n4);
      src = sp;
    }
    last(k, x, src, states, n4);
  };
  const heap = float32Heap();
  if (heap !== null && ins[0]!.buffer === heap.buffer) {
    const k = kernelsIn(heap);
    if (k === null || (pre.length > 0 && scratch.buffer !== heap.buffer)) return false;
    run(k, ins[0]!.byteOffset, g.byteOffset, scratch.byteOffset, ins.slice(1).map((a) => a.byteOffset));
    return true;
  }
  // cpu: x, g, scratch and the state laid out one after another in our memory, then copied out.
  const memory = ownMemory((ins.length + 2) * n * 4);
  const k = kernelsIn(memory);
  if (k === null) return false;
  const f32 = new Float32Array(memory.buffer);
  const at = [0, ...ins.slice(1).map((_, j) => j + 3)].map((slot) => slot * n); // x, then each state (g at n, scratch at 2n)
  ins.forEach((a, j) => f32.set(a, at[j]!));
  f32.set(g, n);
  run(k, 0, n * 4, 2 * n * 4, at.slice(1).map((e) => e * 4));
  outs.forEach((o, j) => o.set(f32.subarray(at[j]!, at[j]! + n4)));
  return true;
}
