// How a trained model does on the held-out test set: accuracy (classification) or mean absolute
// error in the target's own units (regression: Auto MPG's in miles per gallon).
import { tf } from "fluxion";
import type { Dataset, Split } from "./dataset.js";
import type { ScaledDataset } from "./mpg-data.js";

/** What the CLI prints: `test accuracy` or `test mae`, and its value. */
export interface TestScore {
  readonly name: "test accuracy" | "test mae";
  readonly value: number;
}

/** The outputs of `apply` on `split`'s rows, in batches, as numbers ([n · outputs]). */
export function predict(apply: (x: tf.Tensor) => tf.Tensor, split: Split, shape: readonly number[], batch = 500): Float32Array {
  const features = shape.reduce((a, b) => a * b, 1);
  const n = split.y.length;
  const parts: Float32Array[] = [];
  for (let start = 0; start < n; start += batch) {
    const rows = Math.min(batch, n - start);
    const out = tf.tidy(() => apply(tf.tensor(split.x.subarray(start * features, (start + rows) * features), [rows, ...shape])));
    parts.push(out.dataSync() as Float32Array);
    out.dispose();
  }
  const all = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
  return all;
}

/** The model's accuracy or MAE on `data.test`. */
export function testScore(apply: (x: tf.Tensor) => tf.Tensor, data: Dataset): TestScore {
  const out = predict(apply, data.test, data.inputShape);
  const { y } = data.test;
  if (data.task === "classification") {
    let right = 0;
    y.forEach((label, i) => {
      const row = out.subarray(i * data.outputs, (i + 1) * data.outputs);
      right += row.indexOf(Math.max(...row)) === label ? 1 : 0;
    });
    return { name: "test accuracy", value: right / y.length };
  }
  const sd = (data as ScaledDataset).target?.sd ?? 1;
  return { name: "test mae", value: (y.reduce((s, t, i) => s + Math.abs(out[i]! - t), 0) / y.length) * sd };
}
