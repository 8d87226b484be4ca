// Realistic, seeded loss inputs and the case builder shared by the loss cases.
import { tf } from "@fluxion/backend";
import { onehotbatch, Rng } from "@fluxion/nn";
import type { Outputs, ParityCase } from "../case.js";
import { randn, uniform } from "./tensors.js";

export type LossFn = (yhat: tf.Tensor, y: tf.Tensor) => tf.Tensor;

export interface LossInputs {
  yhat: tf.Tensor;
  y: tf.Tensor;
}

// Inputs are computed here in float64 and handed over as float32, so every backend gets the same
// numbers (a softmax run on each backend would differ in the last bits before the loss even starts).

/** Softmax probabilities along the last axis, from normal logits of scale `scale`. */
export function probs(shape: number[], seed: number, scale = 1.5): tf.Tensor {
  const logits = new Rng(seed).normals(size(shape)).map((v) => v * scale);
  const k = shape[shape.length - 1]!;
  const out = new Float32Array(logits.length);
  for (let r = 0; r < logits.length; r += k) {
    const row = Array.from(logits.subarray(r, r + k));
    const max = Math.max(...row);
    const total = row.reduce((s, v) => s + Math.exp(v - max), 0);
    row.forEach((v, j) => (out[r + j] = Math.exp(v - max) / total));
  }
  return tf.tensor(out, shape);
}

/** Sigmoid probabilities of normal logits, mostly away from 0 and 1 as a trained classifier's. */
export function binaryProbs(shape: number[], seed: number, scale = 1.5): tf.Tensor {
  return tf.tensor(new Rng(seed).normals(size(shape)).map((v) => 1 / (1 + Math.exp(-v * scale))), shape);
}

/** One-hot rows [n, k] for seeded labels. */
export function onehots(n: number, k: number, seed: number): tf.Tensor {
  const rng = new Rng(seed);
  const labels = Array.from({ length: n }, () => rng.int(k));
  return onehotbatch(labels, Array.from({ length: k }, (_, i) => i));
}

/** 0/1 labels. */
export function bits(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(new Rng(seed).floats(size(shape)).map((v) => (v < 0.5 ? 0 : 1)), shape);
}

/** ±1 labels (hinge losses). */
export function signs(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(new Rng(seed).floats(size(shape)).map((v) => (v < 0.5 ? -1 : 1)), shape);
}

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * A scalar that depends on every element of `t` with its own weight: a plain sum would give a
 * constant upstream gradient and hide a wrong per-element gradient.
 */
export function mix(t: tf.Tensor, seed = 900): tf.Tensor {
  return t.rank === 0 ? t : tf.sum(tf.mul(t, randn(t.shape, seed)));
}

/**
 * A loss case: the loss value (as `agg` leaves it) and the gradient with respect to ŷ of the
 * value mixed by fixed random weights (for a scalar value, of the value itself).
 */
export function lossCase(name: string, inputs: () => LossInputs, loss: LossFn): ParityCase {
  return {
    group: "losses",
    name,
    run: (): Outputs => {
      const { yhat, y } = inputs();
      try {
        const value = loss(yhat, y);
        const dyhat = tf.tidy(() => tf.grad((a: tf.Tensor) => mix(loss(a, y)))(yhat));
        return { value, dyhat };
      } finally {
        tf.dispose([yhat, y]);
      }
    },
  };
}

/** A fixed per-element weighting (Flux's `agg = x -> mean(w .* x)`), made inside the loss's tidy. */
export function weightedMean(seed: number): (t: tf.Tensor) => tf.Tensor {
  return (t) => tf.mean(tf.mul(t, uniform(t.shape, seed, 0.5, 2)));
}
