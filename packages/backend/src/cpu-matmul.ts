// fluxion's BatchMatMul kernel for tfjs-backend-cpu: the product by gemm.ts's blocked loops (20-31x
// tfjs 4.22's kernel on the MLPs' products in WebAssembly SIMD, 4-5.5x in JavaScript), swapped into
// tfjs's kernel registry only inside fluxion's own calls (gradient-scope.ts). Float32 only; any other input goes to the kernel it
// displaced. Batch axes broadcast as numpy's do: tfjs-backend-cpu 4.22 pairs batch t of the output
// with batches t mod |A| and t mod |B|, right only when one side has one batch or both the same
// ([2,1,3,4]·[5,4,6] gives it a [2,5,3,6] tensor holding 90 of its 180 numbers).
import { tf } from "./tf.js";
import { cpuKernelInput, cpuKernelOutput } from "./buffers.js";
import { gemmFloat32, type StridedMatrix } from "./gemm.js";

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

interface KernelArgs {
  inputs: { a: tf.TensorInfo; b: tf.TensorInfo };
  attrs: MatMulAttrs;
  backend: unknown;
}

const size = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/** For each output batch index, the matrix index in a batch of shape `dims` broadcast to `out` (dims right-aligned). */
function batchIndices(dims: readonly number[], out: readonly number[]): Int32Array {
  const padded = [...Array<number>(out.length - dims.length).fill(1), ...dims];
  const indices = new Int32Array(size(out));
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

/** op(a)·op(b) over the last two axes, or null when the shapes do not fit (the displaced kernel then reports it). */
function batchMatMul(a: tf.TensorInfo, av: Float32Array, b: tf.TensorInfo, bv: Float32Array, { transposeA: ta, transposeB: tb }: MatMulAttrs): { shape: number[]; values: Float32Array } | null {
  if (a.shape.length < 2 || b.shape.length < 2) return null;
  const [m, k] = ta ? [a.shape.at(-1)!, a.shape.at(-2)!] : [a.shape.at(-2)!, a.shape.at(-1)!];
  const [kb, n] = tb ? [b.shape.at(-1)!, b.shape.at(-2)!] : [b.shape.at(-2)!, b.shape.at(-1)!];
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const rank = Math.max(batchA.length, batchB.length);
  const pad = (dims: number[]) => [...Array<number>(rank - dims.length).fill(1), ...dims];
  const [pa, pb] = [pad(batchA), pad(batchB)];
  if (k !== kb || pa.some((d, i) => d !== pb[i] && d !== 1 && pb[i] !== 1)) return null;
  const batch = pa.map((d, i) => (d === 1 ? pb[i]! : d));
  const values = new Float32Array(size(batch) * m * n);
  if (size(batchB) === 1 && !ta) {
    // B is one matrix and A's rows are stored one after another: the whole batch is one product.
    gemmFloat32(size(batchA) * m, n, k, operand(av, 0, [size(batchA) * m, k], false), operand(bv, 0, b.shape, tb), values, 0);
  } else {
    const [ia, ib] = [batchIndices(batchA, batch), batchIndices(batchB, batch)];
    for (let t = 0; t < ia.length; t++) gemmFloat32(m, n, k, operand(av, ia[t]!, a.shape, ta), operand(bv, ib[t]!, b.shape, tb), values, t * m * n);
  }
  return { shape: [...batch, m, n], values };
}

/**
 * The cpu BatchMatMul kernel fluxion registers in place of `displaced` (tfjs-backend-cpu's, or
 * whatever was registered) for the length of its own calls; inputs it does not take (not float32,
 * not on the cpu backend, shapes that do not fit) go to `displaced`.
 */
export function cpuBatchMatMulKernel(displaced: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs) => {
    const { inputs, attrs, backend } = args;
    const av = cpuKernelInput(backend, inputs.a);
    const bv = av && cpuKernelInput(backend, inputs.b);
    const product = bv ? batchMatMul(inputs.a, av!, inputs.b, bv, attrs) : null;
    if (product === null) return displaced.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
    return cpuKernelOutput(backend, product.shape, product.values);
  };
  return { kernelName: "BatchMatMul", backendName: "cpu", kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
