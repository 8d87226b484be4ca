// Gradients that fluxion's own gradient calls use in place of tfjs's stock ones, because the stock
// one runs a slow variant of a kernel on some backend. tfjs's BatchMatMul gradient multiplies with
// transposeA / transposeB, which tfjs-backend-wasm 4.22 runs 6-20x slower than a plain matMul, so
// on wasm the transposes are made explicitly first (same products, so the same numbers to float32
// rounding). The gradient is also correct where the batch dimensions broadcast (stock tfjs returns
// the broadcast shape and the tape rejects it). The functions are plain tfjs ops, so gradients of
// these gradients (second order) are exact.
import * as tf from "@tensorflow/tfjs-core";
import { unbroadcast } from "./unbroadcast.js";

/** How a backend multiplies by a transposed operand fastest: the kernel's flag, or a copy first. */
type TransposeBy = "flag" | "copy";

// Medians on this 2-core machine (tfjs 4.22, Node 20), product [128,784]·[784,256] and its two
// gradient products, flag vs explicit transpose + plain matMul:
//   wasm: plain 1.8-2.6 ms; transposeA 24.7 ms, transposeB ~10x plain; copy then plain 2.5-2.8 ms.
//   cpu:  every variant 100-115 ms under load (the kernel is blocked, strides barely matter);
//         a copy only adds work (2x on [1024,144]ᵀ·[1024,16]), so cpu keeps the flags.
// webgl reads transposed operands in its shader for free; it keeps the flags too.
const TRANSPOSE_BY: Readonly<Record<string, TransposeBy>> = { wasm: "copy" };

/** x with its last two axes swapped. */
function swapLastTwo(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  perm.splice(-2, 2, x.rank - 1, x.rank - 2);
  return tf.transpose(x, perm);
}

/**
 * op(x)·op(y) over the last two axes (batch axes broadcast), where op transposes when its flag is
 * set: tf.matMul(x, y, tx, ty), in the form the current backend runs fastest.
 */
export function fastMatMul(x: tf.Tensor, y: tf.Tensor, tx: boolean, ty: boolean): tf.Tensor {
  if ((tx || ty) && TRANSPOSE_BY[tf.getBackend()] === "copy") {
    return tf.matMul(tx ? swapLastTwo(x) : x, ty ? swapLastTwo(y) : y);
  }
  return tf.matMul(x, y, tx, ty);
}

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

// C = op(a)·op(b) gives dop(a) = dC·op(b)ᵀ and dop(b) = op(a)ᵀ·dC; each case below is tfjs's own
// (gradients/BatchMatMul_grad.ts) with the transpose undone, then summed over broadcast batch axes.
const batchMatMulGrad: tf.GradConfig = {
  kernelName: "BatchMatMul",
  inputsToSave: ["a", "b"],
  gradFunc: (dy, saved, attrs) => {
    const [a, b] = saved as tf.Tensor[];
    const { transposeA: ta, transposeB: tb } = attrs as unknown as MatMulAttrs;
    const d = dy as tf.Tensor;
    return {
      a: () => unbroadcast(ta ? fastMatMul(b!, d, tb, true) : fastMatMul(d, b!, false, !tb), a!.shape),
      b: () => unbroadcast(tb ? fastMatMul(d, a!, true, ta) : fastMatMul(a!, d, !ta, false), b!.shape),
    };
  },
};

/** The gradients fluxion swaps in for its own gradient calls (see `withFluxionGradients`). */
export const FAST_GRADIENTS: readonly tf.GradConfig[] = [batchMatMulGrad];
