// fluxion's BatchMatMul kernel, one for tfjs-backend-cpu and one for tfjs-backend-wasm, both the
// product by gemm.ts's blocked loops on the backend's own float32 storage (buffers.ts), swapped
// into tfjs's kernel registry only inside fluxion's own calls (gradient-scope.ts). Float32 only;
// any other input goes to the kernel it displaced. The loops pack their operands, so transposeA /
// transposeB cost nothing extra. Batch axes broadcast as numpy's do: tfjs-backend-cpu 4.22 pairs
// batch t of the output with batches t mod |A| and t mod |B|, right only when one side has one
// batch or both the same ([2,1,3,4]·[5,4,6] gives it a [2,5,3,6] tensor holding 90 of its 180
// numbers); tfjs-backend-wasm 4.22 reads past a broadcast side's batches and leaves an empty
// shared dimension's product unwritten.
import { tf } from "./tf.js";
import type { KernelStorage } from "./buffers.js";
import { GEMM_SCRATCH_BYTES, gemmFloat32, simdGemmRuns, type GemmScratch, type StridedMatrix } from "./gemm.js";

/** BatchMatMul's attributes. */
export interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

interface KernelArgs {
  inputs: { a: tf.TensorInfo; b: tf.TensorInfo };
  attrs: MatMulAttrs;
  backend: unknown;
}


/** For each output batch index, the matrix index in a batch of shape `dims` broadcast to `out` (dims right-aligned). */
function batchIndices(dims: readonly number[], out: number[]): Int32Array {
  const padded = [...Array<number>(out.length - dims.length).fill(1), ...dims];
  const indices = new Int32Array(tf.util.sizeFromShape(out));
  for (let t = 0; t < indices.length; t++) {
    let rest = t;
    let index = 0;
    let stride = 1;
    for (let axis = out.length - 1; axis >= 0; axis--) {
      const at = rest % out[axis]!;
      rest = Math.floor(rest / out[axis]!);
      if (padded[axis] !== 1) index += at * stride;
      stride *= padded[axis]!;
    }
    indices[t] = index;
  }
  return indices;
}

/** op(x) of one matrix of a batch: rows×cols of it, read in place through strides. */
function operand(values: Float32Array, index: number, stored: readonly number[], transposed: boolean): StridedMatrix {
  const [r, c] = [stored.at(-2)!, stored.at(-1)!];
  return transposed ? { values, offset: index * r * c, rowStride: 1, colStride: c } : { values, offset: index * r * c, rowStride: c, colStride: 1 };
}

/** The product's sizes: op(a) is m×k, op(b) k×n, over batch axes `batch`. */
export interface Plan {
  m: number;
  k: number;
  n: number;
  batch: number[];
}

/** The sizes of op(a)·op(b) over the last two axes, or null when the shapes do not fit (the displaced kernel then reports it). */
function plan(a: tf.TensorInfo, b: tf.TensorInfo, { transposeA: ta, transposeB: tb }: MatMulAttrs): Plan | null {
  if (a.shape.length < 2 || b.shape.length < 2) return null;
  const [m, k] = ta ? [a.shape.at(-1)!, a.shape.at(-2)!] : [a.shape.at(-2)!, a.shape.at(-1)!];
  const [kb, n] = tb ? [b.shape.at(-1)!, b.shape.at(-2)!] : [b.shape.at(-2)!, b.shape.at(-1)!];
  const rank = Math.max(a.shape.length, b.shape.length) - 2;
  const pad = (dims: number[]) => [...Array<number>(rank - dims.length).fill(1), ...dims];
  const [pa, pb] = [pad(a.shape.slice(0, -2)), pad(b.shape.slice(0, -2))];
  if (k !== kb || pa.some((d, i) => d !== pb[i] && d !== 1 && pb[i] !== 1)) return null;
  return { m, k, n, batch: pa.map((d, i) => (d === 1 ? pb[i]! : d)) };
}

/** Writes op(a)·op(b) to `out` (row-major, the plan's batch × m × n). */
function multiply({ m, k, n, batch }: Plan, a: tf.TensorInfo, av: Float32Array, b: tf.TensorInfo, bv: Float32Array, { transposeA: ta, transposeB: tb }: MatMulAttrs, out: Float32Array, scratch?: GemmScratch): void {
  const [batchA, batchB] = [a.shape.slice(0, -2), b.shape.slice(0, -2)];
  if (tf.util.sizeFromShape(batchB) === 1 && !ta) {
    // B is one matrix and A's rows are stored one after another: the whole batch is one product.
    gemmFloat32(tf.util.sizeFromShape(batchA) * m, n, k, operand(av, 0, [tf.util.sizeFromShape(batchA) * m, k], false), operand(bv, 0, b.shape, tb), out, 0, scratch);
    return;
  }
  const [ia, ib] = [batchIndices(batchA, batch), batchIndices(batchB, batch)];
  for (let t = 0; t < ia.length; t++) gemmFloat32(m, n, k, operand(av, ia[t]!, a.shape, ta), operand(bv, ib[t]!, b.shape, tb), out, t * m * n, scratch);
}

/**
 * The BatchMatMul kernel fluxion registers on `backendName` in place of `displaced` (the backend's
 * stock kernel, or whatever was registered) for the length of its own calls; it runs on the
 * float32 arrays `storage` reaches, and inputs it does not take (not float32, on another backend,
 * shapes that do not fit, or products `takes` declines) go to `displaced`.
 */
export function batchMatMulKernel(backendName: string, storage: KernelStorage, displaced: tf.KernelConfig, takes: (p: Plan, attrs: MatMulAttrs) => boolean = () => true): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs) => {
    const { inputs, attrs, backend } = args;
    const { a, b } = inputs;
    const p = storage.input(backend, a) && storage.input(backend, b) ? plan(a, b, attrs) : null;
    if (p === null || !takes(p, attrs)) return displaced.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
    // The output and the scratch first: on wasm, allocating may grow the heap, which moves the views.
    const out = storage.output(backend, [...p.batch, p.m, p.n]);
    const scratch = simdGemmRuns() ? storage.scratch(backend, GEMM_SCRATCH_BYTES) : null;
    try {
      multiply(p, a, storage.input(backend, a)!, b, storage.input(backend, b)!, attrs, storage.input(backend, out)!, scratch ?? undefined);
    } finally {
      scratch?.free();
    }
    return out;
  };
  return { kernelName: "BatchMatMul", backendName, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
