import { tf } from "@fluxion/backend";
import { defineRule } from "../rule.js";
import { anyNumber } from "../domains.js";

/** AccumGrad's state: the running mean of the gradients so far and the 1-based count of this step. */
export type AccumGradState = [acc: tf.Tensor, counter: number];

/**
 * Accumulates `n` gradients and passes on their mean every n-th step; in between it returns
 * `null`, so the parameter and the rest of a chain are left alone. Put it first in a chain:
 * `new OptimiserChain(new AccumGrad(4), new Adam())`.
 */
export class AccumGrad extends defineRule("AccumGrad", { n: 1 }, {
  integers: ["n"],
  // Not a domain: Julia's own message is kept ("AccumGrad must accumulate at least one gradient").
  domains: { n: anyNumber },
  check: ({ n }) => {
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1) {
      throw new Error(`AccumGrad must accumulate at least one gradient: n must be a whole number >= 1, got ${String(n)}`);
    }
  },
}) {
  init(x: tf.Tensor): AccumGradState {
    return [tf.zerosLike(x), 1];
  }
  apply([acc, counter]: AccumGradState, _x: tf.Tensor, dx: tf.Tensor): [AccumGradState, tf.Tensor | null] {
    const { n } = this.values();
    const acc2 = tf.tidy(() => (counter === 1 ? tf.div(dx, n) : tf.add(acc, tf.div(dx, n))));
    if (counter === n) return [[acc2, 1], acc2];
    return [[acc2, counter + 1], null];
  }
}
