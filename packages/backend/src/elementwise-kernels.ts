// Add, Sub, Multiply, Relu and Step on cpu as plain loops, inside fluxion's calls. tfjs-backend-cpu
// 4.22 computes each element through index arithmetic meant for any broadcast: on the bench CNN's
// [64,26,26,16] activations a product took 20 ms, a bias add 14 ms, relu 9 ms and its gradient's
// step 8 ms (56 % of the training step); a loop takes about 1 ms each. Same arithmetic (JavaScript
// doubles stored as float32, as tfjs's), so the same bits. Float32 only, and for binary ops the
// shapes a loop covers: equal, one side a single value, or one side the other's last axes (a
// bias); anything else goes to the kernel displaced. wasm's own kernels are fast: not replaced there.
import { tf } from "./tf.js";
import type { KernelStorage } from "./buffers.js";


// Ops by number, chosen inside the loops: a predictable branch keeps the values unboxed, where a
// function per op called from one shared loop did not (8-9 ns an element, no faster than tfjs's).
const BINARY: Readonly<Record<string, number>> = { Add: 0, Sub: 1, Multiply: 2 };
const UNARY: Readonly<Record<string, number>> = { Relu: 0, Step: 1 };

/** The names of the kernels this file provides. */
export const ELEMENTWISE_KERNELS = [...Object.keys(BINARY), ...Object.keys(UNARY)];

/** How b is laid against a: "same" shape, "one" value, a's "last" axes repeating (b's leading 1s aside); null for any other broadcast. */
function layout(a: readonly number[], b: number[]): "same" | "one" | "last" | null {
  if (a.length === b.length && a.every((d, i) => d === b[i])) return "same";
  if (tf.util.sizeFromShape(b) === 1 && b.length <= a.length) return "one";
  const tail = b.slice(b.findIndex((d) => d !== 1));
  if (b.length > a.length || tail.length === 0 || b.slice(0, b.length - tail.length).some((d) => d !== 1)) return null;
  return a.slice(a.length - tail.length).every((d, i) => d === tail[i]) ? "last" : null;
}

/**
 * out[i] = a[i] op b[i mod |b|] (op: 0 add, 1 subtract, 2 multiply), b repeating along a (a single
 * value, a's last axes, or all of a); with `swapped`, b[…] op a[i] (only subtraction cares).
 */
function binaryLoop(op: number, a: Float32Array, b: Float32Array, out: Float32Array, swapped: boolean): void {
  const [n, period] = [out.length, b.length];
  if (period === 1) {
    const y = b[0]!;
    for (let i = 0; i < n; i++) {
      const x = a[i]!;
      out[i] = op === 0 ? x + y : op === 1 ? (swapped ? y - x : x - y) : x * y;
    }
    return;
  }
  for (let i0 = 0; i0 < n; i0 += period) {
    for (let j = 0; j < period; j++) {
      const x = a[i0 + j]!;
      const y = b[j]!;
      out[i0 + j] = op === 0 ? x + y : op === 1 ? (swapped ? y - x : x - y) : x * y;
    }
  }
}

/**
 * y[i] = relu(x[i]) (op 0) or step(x[i]) (op 1: 1 above 0, else `alpha`, NaN kept), as
 * tfjs-backend-cpu's, without a branch on the sign (mispredicted half the time on activations,
 * that branch made the loop 4x slower): relu as (v + |v|)/2, exact in doubles (−∞, rare, apart);
 * step by the comparison's 0 or 1.
 */
function unaryLoop(op: number, x: Float32Array, y: Float32Array, alpha: number): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    const above = +(v > 0);
    y[i] = op === 0 ? (v === -Infinity ? 0 : (v + Math.abs(v)) * 0.5) : v !== v ? NaN : above + (1 - above) * alpha;
  }
}

interface Args {
  inputs: Record<string, tf.TensorInfo>;
  attrs: Record<string, unknown>;
  backend: unknown;
}

/** fluxion's `name` kernel (one of ELEMENTWISE_KERNELS) on `backendName`, over `storage`, handing what it does not take to `displaced`. */
export function elementwiseKernel(name: string, backendName: string, storage: KernelStorage, displaced: tf.KernelConfig): tf.KernelConfig {
  const stock = (args: Args) => displaced.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
  const unary = UNARY[name];
  const kernelFunc =
    unary !== undefined
      ? (args: Args) => {
          const x = args.inputs.x!;
          if (storage.input(args.backend, x) === null) return stock(args);
          const out = storage.output(args.backend, [...x.shape]);
          unaryLoop(unary, storage.input(args.backend, x)!, storage.input(args.backend, out)!, (args.attrs?.alpha as number | undefined) ?? 0);
          return out;
        }
      : (args: Args) => {
          const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
          if (storage.input(args.backend, a) === null || storage.input(args.backend, b) === null) return stock(args);
          // The larger side leads; the other repeats along it.
          const swapped = tf.util.sizeFromShape(b.shape) > tf.util.sizeFromShape(a.shape) || (tf.util.sizeFromShape(b.shape) === tf.util.sizeFromShape(a.shape) && b.shape.length > a.shape.length);
          const [big, small] = swapped ? [b, a] : [a, b];
          if (layout(big.shape, small.shape) === null) return stock(args);
          const out = storage.output(args.backend, [...big.shape]);
          binaryLoop(BINARY[name]!, storage.input(args.backend, big)!, storage.input(args.backend, small)!, storage.input(args.backend, out)!, swapped);
          return out;
        };
  return { kernelName: name, backendName, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
