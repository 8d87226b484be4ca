// Every activation nn exports, on one seeded input wide enough (±9) to reach the saturating parts.
import { tf } from "@fluxion/backend";
import {
  celu, elu, gelu, gradient, hardsigmoid, hardtanh, identity, leakyrelu, lisht, logsigmoid, logsoftmax, mish, relu, relu6,
  selu, sigmoid, softmax, softplus, softsign, swish, tanh, tanhshrink, type Activation,
  geluErf, hardswish, logcosh, rrelu, Rng, sigmoidFast, softshrink, tanhFast, trelu,
} from "@fluxion/nn";
import type { Outputs, ParityCase } from "../case.js";
import { randn } from "./tensors.js";

const activations: Record<string, Activation> = {
  identity, relu, sigmoid, tanh, leakyrelu, elu, selu, celu, softplus, logsigmoid, softsign, swish, gelu, mish, relu6,
  hardsigmoid, hardtanh, lisht, tanhshrink, softmax, logsoftmax, geluErf, hardswish, logcosh, softshrink, trelu, tanhFast,
  sigmoidFast,
  // The same seeded slopes for the value and the gradient.
  rrelu: (x) => rrelu(x, 1 / 8, 1 / 3, new Rng(703)),
};

export const activationLayerCases: ParityCase[] = [
  {
    group: "layers",
    name: "every activation: value and gradient",
    run: () => {
      const x = randn([4, 16], 701, 3);
      const w = randn([4, 16], 702);
      const out: Outputs = {};
      for (const [name, f] of Object.entries(activations)) {
        out[`y.${name}`] = tf.tidy(() => tf.clone(f(x)));
        const [dx] = gradient((v: tf.Tensor) => tf.sum(tf.mul(f(v), w)), x);
        out[`dx.${name}`] = dx as tf.Tensor;
      }
      tf.dispose([x, w]);
      return out;
    },
  },
];
