import { expect } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { forEachLeaf } from "../src/state-tensors.js";

/** Elementwise |a - e| <= atol + rtol * |e|, with a message naming the first bad index. */
export function expectClose(actual: tf.Tensor | ArrayLike<number> | number, expected: ArrayLike<number> | number, rtol = 1e-5, atol = 1e-7): void {
  const a = actual instanceof tf.Tensor ? Array.from(actual.dataSync()) : typeof actual === "number" ? [actual] : Array.from(actual);
  const e = typeof expected === "number" ? [expected] : Array.from(expected);
  expect(a.length).toBe(e.length);
  a.forEach((v, i) => {
    const ok = Math.abs(v - e[i]!) <= atol + rtol * Math.abs(e[i]!);
    if (!ok) throw new Error(`index ${i}: got ${v}, expected ${e[i]} (rtol ${rtol}, atol ${atol})\n  actual:   [${a}]\n  expected: [${e}]`);
  });
}

/** Disposes every state tensor of a tree (tests own what setup/update made). */
export function disposeTree(tree: unknown): void {
  forEachLeaf(tree, (leaf) => tf.dispose(leaf.state as tf.TensorContainer));
}

export const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());

/** A tf.Variable holding `v`, without leaving the initial tensor alive. */
export function variable(v: number[]): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor1d(v)));
}
