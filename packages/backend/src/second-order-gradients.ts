// tfjs saves a kernel's outputs for its gradient by cloning them onto the tape *before* the
// kernel's own node, so a backward pass visits the kernel first and the clone's gradient never
// reaches the input: second derivatives through tanh, sigmoid, exp, elu, softmax and pow silently
// drop terms. These gradients recompute the output from the saved inputs instead,
// which costs one elementwise op in the backward pass and makes higher orders exact.
// tf.logSoftmax and tf.logSigmoid are customGrad ops with the same flaw and no kernel gradient to
// replace: where second order matters, write x - logSumExp(x) instead.
import * as tf from "@tensorflow/tfjs-core";
import { unbroadcast } from "./unbroadcast.js";

type Saved = tf.Tensor[];

const unary = (kernelName: string, derivative: (x: tf.Tensor) => tf.Tensor): tf.GradConfig => ({
  kernelName,
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => ({ x: () => tf.mul(dy as tf.Tensor, derivative((saved as Saved)[0]!)) }),
});

const configs: tf.GradConfig[] = [
  unary("Tanh", (x) => tf.sub(1, tf.square(tf.tanh(x)))),
  unary("Sigmoid", (x) => {
    const s = tf.sigmoid(x);
    return tf.mul(s, tf.sub(1, s));
  }),
  unary("Exp", (x) => tf.exp(x)),
  unary("Elu", (x) => tf.where(tf.greaterEqual(x, 0), tf.onesLike(x), tf.exp(x))),
  {
    kernelName: "Softmax",
    inputsToSave: ["logits"],
    gradFunc: (dy, saved, attrs) => {
      const { dim } = attrs as { dim: number };
      return {
        logits: () => {
          const y = tf.softmax((saved as Saved)[0]!, dim);
          const dyTimesY = tf.mul(dy as tf.Tensor, y);
          return tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [dim], true), y));
        },
      };
    },
  },
  {
    kernelName: "Pow",
    inputsToSave: ["a", "b"],
    gradFunc: (dy, saved) => {
      const [a, b] = saved as Saved;
      return {
        a: () => unbroadcast(tf.mul(dy as tf.Tensor, tf.mul(tf.cast(b!, a!.dtype), tf.pow(a!, tf.sub(b!, tf.scalar(1, b!.dtype))))), a!.shape),
        b: () => {
          const logA = tf.where(tf.greater(a!, 0), tf.log(a!), tf.zerosLike(a!));
          return unbroadcast(tf.mul(dy as tf.Tensor, tf.mul(tf.pow(a!, b!), logA)), b!.shape);
        },
      };
    },
  },
];

// Comparisons are piecewise constant, so their gradient is zero. tfjs registers none, which stops
// second derivatives through ops whose gradients build masks with them (max, logSumExp, pooling).
const comparisons = ["Equal", "NotEqual", "Greater", "GreaterEqual", "Less", "LessEqual"].map(
  (kernelName): tf.GradConfig => ({
    kernelName,
    inputsToSave: ["a", "b"],
    gradFunc: (_dy, saved) => {
      const [a, b] = saved as Saved;
      return { a: () => tf.zerosLike(a!), b: () => tf.zerosLike(b!) };
    },
  }),
);

/** The gradients that keep second order exact (registered globally, and again in fluxion's gradient calls). */
export const SECOND_ORDER_GRADIENTS: readonly tf.GradConfig[] = [...configs, ...comparisons];

for (const config of SECOND_ORDER_GRADIENTS) tf.registerGradient(config);
