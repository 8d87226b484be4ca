// fluxion's own gradients (@fluxion/backend's fast-gradients.ts, in place during its gradient calls)
// next to tfjs's stock ones (tf.grads, outside those calls): each case returns both as
// `fluxion.<input>` and `stock.<input>`. Every output is compared with cpu's like any case, and
// `stockMismatches` checks that the two agree on the backend that computed them.
import { tf } from "@fluxion/backend";
import { valueAndGradients } from "@fluxion/backend/internal";
import type { Outputs, ParityCase } from "../case.js";
import { randn } from "./tensors.js";

/** Σ W ⊙ f(inputs) differentiated both ways, W fixed. */
function gradientCase(name: string, seed: number, shapes: number[][], f: (...xs: tf.Tensor[]) => tf.Tensor): ParityCase {
  return {
    group: "gradients",
    name,
    run: (): Outputs => {
      const xs = shapes.map((s, i) => randn(s, seed + i));
      const w = tf.tidy(() => randn(f(...xs).shape, seed + 99));
      const loss = (...vs: tf.Tensor[]) => tf.sum(tf.mul(w, f(...vs)));
      const ours = valueAndGradients(() => loss(...xs), xs);
      const stock = tf.grads(loss)(xs);
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

export const gradientCases: ParityCase[] = [
  ...matMulCases,
  gradientCase("matMul, batched [2, 3, 5, 8]·[2, 3, 8, 4] (attention's shape)", 9150, [[2, 3, 5, 8], [2, 3, 8, 4]], (a, b) => tf.matMul(a!, b!)),
  gradientCase("matMul, batched with transposeB [2, 3, 5, 8]·[2, 3, 6, 8]ᵀ (attention's logits)", 9160, [[2, 3, 5, 8], [2, 3, 6, 8]], (a, b) =>
    tf.matMul(a!, b!, false, true),
  ),
  // Broadcast batch axes: tfjs's stock gradient gives the broadcast shape, so the stock side
  // broadcasts explicitly (BroadcastTo's gradient sums back).
  gradientCase("matMul, [2, 3, 5, 8] broadcast against [8, 4]", 9170, [[2, 3, 5, 8], [8, 4]], (a, b) => tf.matMul(a!, tf.broadcastTo(b!, [2, 3, 8, 4]))),
  gradientCase("matMul, a 784-64 Dense layer's shape, batch 16", 9180, [[16, 784], [784, 64]], (a, b) => tf.matMul(a!, b!)),
];
