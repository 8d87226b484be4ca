// Layers declared with `layer()` run with fluxion's kernels (its matrix product on cpu and wasm) also
// outside gradient calls; tfjs's own ops outside a layer keep the kernel registered before.
import { expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { Chain, Dense, dispose, identity, layer, Layer } from "../src/index.js";

/** Runs `f` with a BatchMatMul kernel registered over the backend's that counts its calls, then puts the old one back. */
function countingMatMul<T>(f: () => T): { result: T; calls: number } {
  const backend = tf.getBackend();
  const stock = tf.getKernel("BatchMatMul", backend)!;
  let calls = 0;
  tf.unregisterKernel("BatchMatMul", backend);
  tf.registerKernel({ ...stock, kernelFunc: (args) => (calls++, stock.kernelFunc(args)) });
  try {
    return { result: f(), calls };
  } finally {
    tf.unregisterKernel("BatchMatMul", backend);
    tf.registerKernel(stock);
  }
}

// 100 inputs: on wasm fluxion's kernel takes plain products over 64 terms or more.
const IN = 100;
const x = (rows: number) => tf.tensor2d(Array.from({ length: rows * IN }, (_, i) => ((i * 37) % 11) / 10 - 0.5), [rows, IN]);
const weights = () => tf.tensor2d(Array.from({ length: IN * 3 }, (_, i) => ((i * 13) % 7) / 7 - 0.4), [IN, 3]);

/** x·w in float64, by hand. */
function reference(xs: tf.Tensor, ws: tf.Tensor): number[] {
  const [a, b] = [xs.dataSync(), ws.dataSync()];
  const [rows, cols] = [xs.shape[0]!, ws.shape[1]!];
  return Array.from({ length: rows * cols }, (_, t) => {
    let s = 0;
    for (let p = 0; p < IN; p++) s += a[Math.floor(t / cols) * IN + p]! * b[p * cols + (t % cols)]!;
    return s;
  });
}

test("a Chain of Dense layers applied outside a gradient call multiplies in fluxion's kernel, right to float32 rounding", () => {
  const w = weights();
  const d = new Dense(tf.clone(w), false, identity);
  const m = new Chain(d);
  const xs = x(5);
  const { result, calls } = countingMatMul(() => assertNoLeaks(() => m.apply(xs)));
  expect(calls).toBe(0);
  const got = Array.from((result as tf.Tensor).dataSync());
  reference(xs, w).forEach((r, i) => expect(Math.abs(got[i]! - r)).toBeLessThan(1e-5 * (1 + Math.abs(r))));
  // tfjs's own op, outside any layer: the kernel registered before runs.
  const plain = countingMatMul(() => tf.matMul(xs, w));
  expect(plain.calls).toBe(1);
  tf.dispose([xs, w, result, plain.result]);
  dispose(m);
});

test("a user's layer declared with layer() gets the same, and keeps its own `this`", () => {
  class Scaled extends Layer {
    constructor(public weight: tf.Tensor, public scale: number) {
      super();
    }
    apply(v: tf.Tensor): tf.Tensor {
      return tf.mul(tf.matMul(v, this.weight), this.scale);
    }
    repr(): string {
      return "Scaled()";
    }
  }
  layer(Scaled);
  layer(Scaled); // declared twice: wrapped once
  const w = weights();
  const s = new Scaled(tf.clone(w), 2);
  const xs = x(2);
  const { result, calls } = countingMatMul(() => s.apply(xs));
  expect(calls).toBe(0);
  const got = Array.from(result.dataSync());
  reference(xs, w).forEach((r, i) => expect(Math.abs(got[i]! - 2 * r)).toBeLessThan(2e-5 * (1 + Math.abs(r))));
  tf.dispose([xs, w, result, s.weight]);
});
