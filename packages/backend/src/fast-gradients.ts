// Gradients that fluxion's own gradient calls use in place of tfjs's stock ones, because the stock
// one runs a slow kernel (or a slow variant of one) on some backend; each is the same maths, built
// from public tfjs ops, so gradients of these gradients (second order) are exact too.
// - BatchMatMul: tfjs's gradient multiplies with transposeA / transposeB, which tfjs-backend-wasm
//   4.22 runs 6-20x slower than a plain matMul; on wasm the transposes are made explicitly, unless
//   fluxion's own matmul kernel (batch-matmul.ts, transposes for free) is the registered one. It is
//   also right where batch dimensions broadcast (stock tfjs returns the broadcast shape, which the
//   tape rejects).
// - Conv2D and Conv2DBackpropInput (conv-gradients.ts): the filter gradient as a convolution, 10-16x
//   faster than tfjs-backend-cpu's kernel, and on wasm, which has no kernel for it.
// - Max (fluxion's pooling with stride = window is a max over axes): tfjs's gradient compares x with
//   the maximum broadcast back, and tfjs-backend-wasm's broadcasting binary ops are slow at rank 6;
//   on wasm the broadcasts are made by a product with a row of ones (exact: y·1 = y).
// - MaxPoolGrad and its adjoint (max-pool-grad.ts): tfjs has no gradient for MaxPoolGrad; fluxion's
//   makes second order through tf.maxPool exact where fluxion's kernels run (cpu, wasm).
import * as tf from "@tensorflow/tfjs-core";
import { conv2dBackpropInputGrad, conv2dGrad } from "./conv-gradients.js";
import { fluxionKernelFor } from "./fast-kernels.js";
import { MAX_POOL_GRADIENTS } from "./max-pool-grad.js";
import { unbroadcast } from "./unbroadcast.js";

/** How a backend multiplies by a transposed operand fastest: the kernel's flag, or a copy first. */
type TransposeBy = "flag" | "copy";

// Medians on this 2-core machine (tfjs 4.22, Node 20), product [128,784]·[784,256] and its two
// gradient products, flag vs explicit transpose + plain matMul:
//   wasm: plain 1.8-2.6 ms; transposeA 24.7 ms, transposeB ~10x plain; copy then plain 2.5-2.8 ms.
//   cpu:  every variant 100-115 ms under load (the kernel is blocked, strides barely matter);
//         a copy only adds work (2x on [1024,144]ᵀ·[1024,16]), so cpu keeps the flags. In
//         fluxion's calls cpu and wasm run fluxion's kernel (batch-matmul.ts), which packs its
//         operands whichever the flags: 3.0-3.7 ms for each of the three products on cpu.
// webgl reads transposed operands in its shader for free; it keeps the flags too.
const TRANSPOSE_BY: Readonly<Record<string, TransposeBy>> = { wasm: "copy" };

// Max's gradient over axes 2 and 4 of [64,13,2,13,2,16] (the CNN's 2x2 max-pool), medians:
//   wasm: stock (broadcast equal and multiply) 136 ms; reduced axes moved last and broadcast by a
//   product with ones 28 ms. cpu: 356 vs 297 ms, within its noise, so cpu keeps tfjs's.
const MAX_BY_PRODUCT: ReadonlySet<string> = new Set(["wasm"]);

/** x with its last two axes swapped. */
function swapLastTwo(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  perm.splice(-2, 2, x.rank - 1, x.rank - 2);
  return tf.transpose(x, perm);
}

/** Whether op(x)·op(y) is faster with its transposes made first: on a backend whose stock kernel is slow with the flags, unless fluxion's float32 kernel is the registered one. */
function copyTransposes(x: tf.Tensor, y: tf.Tensor): boolean {
  const backend = tf.getBackend();
  if (TRANSPOSE_BY[backend] !== "copy") return false;
  return !(x.dtype === "float32" && y.dtype === "float32" && fluxionKernelFor("BatchMatMul", backend));
}

/**
 * op(x)·op(y) over the last two axes (batch axes broadcast), where op transposes when its flag is
 * set: tf.matMul(x, y, tx, ty), in the form the current backend runs fastest.
 */
export function fastMatMul(x: tf.Tensor, y: tf.Tensor, tx: boolean, ty: boolean): tf.Tensor {
  if (!(tx || ty) || !copyTransposes(x, y)) return tf.matMul(x, y, tx, ty);
  // Transpose the flagged operands, or compute the product transposed from the others,
  // op(x)·op(y) = (op(y)ᵀ·op(x)ᵀ)ᵀ, and transpose it back: whichever copies fewer numbers
  // (dy·Wᵀ for a [1024, 1024] W and a batch of 128: 262k numbers instead of 1M).
  const batch = tf.backend_util.assertAndGetBroadcastShape(x.shape.slice(0, -2), y.shape.slice(0, -2));
  const rows = x.shape.at(tx ? -1 : -2)!;
  const cols = y.shape.at(ty ? -2 : -1)!;
  const direct = (tx ? x.size : 0) + (ty ? y.size : 0);
  const flipped = (tx ? 0 : x.size) + (ty ? 0 : y.size) + tf.util.sizeFromShape(batch) * rows * cols;
  if (direct <= flipped) return tf.matMul(tx ? swapLastTwo(x) : x, ty ? swapLastTwo(y) : y);
  return swapLastTwo(tf.matMul(ty ? y : swapLastTwo(y), tx ? x : swapLastTwo(x)));
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

/** Finds the gradient that fluxion's displaced (tfjs's stock one), for the cases fluxion leaves to it. */
export type StockGradient = (kernelName: string) => tf.GradConfig;

interface MaxAttrs {
  reductionIndices: number | number[];
}

/** dx = dy ⊙ (x = max), the reduced axes moved last so that dy and the max spread over them by a product with ones. */
function maxGradByProduct(x: tf.Tensor, y: tf.Tensor, dy: tf.Tensor, axes: number[]): tf.Tensor {
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const perm = [...kept, ...axes];
  const moved = perm.every((p, i) => p === i) ? x : tf.transpose(x, perm);
  const k = tf.util.sizeFromShape(axes.map((i) => x.shape[i]!));
  const spread = (t: tf.Tensor) => tf.matMul(tf.reshape(t, [-1, 1]), tf.ones([1, k]));
  const flat = tf.reshape(moved, [-1, k]);
  const dx = tf.mul(spread(dy), tf.cast(tf.equal(flat, spread(y)), dy.dtype));
  const back = tf.reshape(dx, moved.shape);
  return moved === x ? back : tf.transpose(back, perm.map((_, i) => perm.indexOf(i)));
}

function maxGrad(stock: StockGradient): tf.GradConfig {
  return {
    kernelName: "Max",
    inputsToSave: ["x"],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      if (!MAX_BY_PRODUCT.has(tf.getBackend())) return stock("Max").gradFunc(dy, saved, attrs);
      const [x, y] = saved as tf.Tensor[];
      const axes = tf.util.parseAxisParam((attrs as unknown as MaxAttrs).reductionIndices, x!.shape);
      return { x: () => maxGradByProduct(x!, y!, dy as tf.Tensor, axes) };
    },
  };
}

/**
 * The gradients fluxion swaps in for its own gradient calls (see `withFluxionGradients`); `stock`
 * finds the one each displaced, for the cases left to it.
 */
export function fastGradients(stock: StockGradient): tf.GradConfig[] {
  return [batchMatMulGrad, conv2dGrad(stock), conv2dBackpropInputGrad(stock), maxGrad(stock), ...MAX_POOL_GRADIENTS];
}
