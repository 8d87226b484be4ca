// Running the model without training it: test accuracy and the digit grid's labels, and the class
// probabilities of a drawn digit. Every intermediate tensor lives inside tf.tidy.
import { onecold, tf, type Chain } from "fluxion";
import { PIXELS } from "./digits-format.js";

export const CLASSES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

export interface Evaluation {
  /** Fraction of the test digits labelled correctly. */
  accuracy: number;
  /** The predicted label of every test digit, in order. */
  predicted: number[];
}

/** Labels every row of `images` ([n, 784]) in chunks, so a CNN on webgl never holds all activations at once. */
export function evaluate(model: Chain, images: tf.Tensor2D, labels: readonly number[], chunk = 250): Evaluation {
  const n = images.shape[0];
  if (n !== labels.length) throw new Error(`evaluate: ${n} images but ${labels.length} labels`);
  const predicted: number[] = [];
  for (let start = 0; start < n; start += chunk) {
    const size = Math.min(chunk, n - start);
    const logits = tf.tidy(() => model.apply(tf.slice(images, [start, 0], [size, PIXELS])) as tf.Tensor2D);
    try {
      predicted.push(...onecold(logits, CLASSES));
    } finally {
      logits.dispose();
    }
  }
  const correct = predicted.reduce((c, p, i) => c + (p === labels[i] ? 1 : 0), 0);
  return { accuracy: correct / n, predicted };
}

/** Class probabilities (softmax of the logits) for one 28×28 image of values in [0, 1]. */
export function classify(model: Chain, image: Float32Array): number[] {
  if (image.length !== PIXELS) throw new Error(`classify: expected ${PIXELS} pixels, got ${image.length}`);
  const probs = tf.tidy(() => tf.softmax(model.apply(tf.tensor2d(image, [1, PIXELS])) as tf.Tensor2D));
  try {
    return Array.from(probs.dataSync());
  } finally {
    probs.dispose();
  }
}
