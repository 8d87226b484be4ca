import * as tf from "@tensorflow/tfjs-core";

/** Reduces a broadcast gradient back to `shape` (as tfjs's own binary-op gradients do). */
export function unbroadcast(g: tf.Tensor, shape: readonly number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes([...shape], g.shape);
  if (axes.length === 0 && g.rank === shape.length) return g;
  return tf.reshape(axes.length > 0 ? tf.sum(g, axes) : g, [...shape]);
}
