// fluxion's own gradients (@fluxion/backend's fast-gradients.ts, in place during its gradient calls)
// next to tfjs's stock ones (tf.grads, outside those calls): each case returns both as
// `fluxion.<input>` and `stock.<input>`. Every output is compared with cpu's like any case, and
// `stockMismatches` checks that the two agree on the backend that computed them.
import { tf } from "@fluxion/backend";
import { valueAndGradients } from "@fluxion/backend/internal";
import type { Outputs, ParityCase } from "../case.js";
import { randn } from "./tensors.js";

/**
 * Σ W ⊙ f(inputs) differentiated both ways, W fixed; the stock side differentiates `stockF` (the
 * same function written with other ops, where tfjs's own gradient of `f` cannot run everywhere).
 */
function gradientCase(name: string, seed: number, shapes: number[][], f: (...xs: tf.Tensor[]) => tf.Tensor, stockF = f): ParityCase {
  return {
    group: "gradients",
    name,
    run: (): Outputs => {
      const xs = shapes.map((s, i) => randn(s, seed + i));
      const w = tf.tidy(() => randn(f(...xs).shape, seed + 99));
      const loss = (g: typeof f) => (...vs: tf.Tensor[]) => tf.sum(tf.mul(w, g(...vs)));
      const ours = valueAndGradients(() => loss(f)(...xs), xs);
      const stock = tf.grads(loss(stockF))(xs);
      const out: Outputs = {};
      xs.forEach((_, i) => {
        out[`fluxion.${i}`] = ours.grads[i]!;
        out[`stock.${i}`] = stock[i]!;
      });
      tf.dispose([...xs, w, ours.value]);
      return out;
    },
  };
}

const matMulCases = ([[false, false], [false, true], [true, false], [true, true]] as const).map(([ta, tb], i) =>
  gradientCase(`matMul [9×20]·[20×7], transposeA=${ta}, transposeB=${tb}`, 9100 + 10 * i, [ta ? [20, 9] : [9, 20], tb ? [7, 20] : [20, 7]], (a, b) =>
    tf.matMul(a!, b!, ta, tb),
  ),
);

/** A stride-1 'valid' conv2d as patches times the flattened filter: the same sums, only slices and matMul. */
function conv2dByPatches(x: tf.Tensor, w: tf.Tensor): tf.Tensor {
  const [b, h, wd, ci] = x.shape as [number, number, number, number];
  const [kh, kw, , co] = w.shape as [number, number, number, number];
  const [oh, ow] = [h - kh + 1, wd - kw + 1];
  const taps: tf.Tensor[] = [];
  for (let p = 0; p < kh; p++) for (let q = 0; q < kw; q++) taps.push(tf.slice(x, [0, p, q, 0], [b, oh, ow, ci]));
  const cols = tf.reshape(tf.stack(taps, 3), [b * oh * ow, kh * kw * ci]);
  return tf.reshape(tf.matMul(cols, tf.reshape(w, [kh * kw * ci, co])), [b, oh, ow, co]);
}

export const gradientCases: ParityCase[] = [
  ...matMulCases,
  gradientCase("matMul, batched [2, 3, 5, 8]·[2, 3, 8, 4] (attention's shape)", 9150, [[2, 3, 5, 8], [2, 3, 8, 4]], (a, b) => tf.matMul(a!, b!)),
  gradientCase("matMul, batched with transposeB [2, 3, 5, 8]·[2, 3, 6, 8]ᵀ (attention's logits)", 9160, [[2, 3, 5, 8], [2, 3, 6, 8]], (a, b) =>
    tf.matMul(a!, b!, false, true),
  ),
  // Broadcast batch axes: tfjs's stock gradient gives the broadcast shape, so the stock side
  // broadcasts explicitly (BroadcastTo's gradient sums back).
  gradientCase("matMul, [2, 3, 5, 8] broadcast against [8, 4]", 9170, [[2, 3, 5, 8], [8, 4]], (a, b) => tf.matMul(a!, tf.broadcastTo(b!, [2, 3, 8, 4]))),
  // tfjs-backend-wasm has no Conv2DBackpropFilter: the stock side differentiates the same conv as patches.
  gradientCase("conv2d [2, 9, 8, 3] by [3, 3, 3, 5], stride 1", 9190, [[2, 9, 8, 3], [3, 3, 3, 5]], (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "valid"), conv2dByPatches),
  gradientCase("max over the windows of a 2x2 max-pool, [2, 6, 6, 4]", 9200, [[2, 6, 6, 4]], (x) => tf.max(tf.reshape(x!, [2, 3, 2, 3, 2, 4]), [2, 4])),
  gradientCase("matMul, a 784-64 Dense layer's shape, batch 16", 9180, [[16, 784], [784, 64]], (a, b) => tf.matMul(a!, b!)),
];
