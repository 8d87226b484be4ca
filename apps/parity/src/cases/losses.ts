// Every loss nn exports (value and gradient with respect to ŷ), one-hot encoding, and xlogx /
// xlogy with their zero cases.
import { tf } from "@fluxion/backend";
import { onecold, onehot, onehotbatch, xlogx, xlogy } from "@fluxion/nn";
import type { ParityCase } from "../case.js";
import { classificationLossCases } from "./losses-classification.js";
import { mix, probs } from "./loss-inputs.js";
import { regressionLossCases } from "./losses-regression.js";

const utilityCases: ParityCase[] = [
  {
    group: "losses",
    name: "onehot, onehotbatch (with a fallback and from an int tensor) and onecold",
    run: () => {
      const labels = ["a", "b", "c", "d"];
      const single = onehot("c", labels);
      const batch = onehotbatch(["b", "a", "z", "d"], labels, "a");
      const idx = tf.tensor2d([[2, 0], [1, 2]], [2, 2], "int32");
      const fromTensor = onehotbatch(idx, [0, 1, 2]);
      // onecold of backend-computed scores: the argmax of a softmax must not move between backends.
      const scores = tf.tidy(() => tf.softmax(tf.mul(probs([6, 4], 3000), 5)));
      const cold = onecold(scores) as number[];
      const coldLabels = (onecold(batch, labels) as string[]).map((l) => labels.indexOf(l));
      tf.dispose([idx, scores]);
      return { single, batch, fromTensor, cold, coldLabels };
    },
  },
  {
    group: "losses",
    name: "xlogx with x = 0, and its gradient",
    run: () => {
      const x = tf.tensor1d([0, 0, 1e-30, 1e-6, 0.1, 0.5, 1, 2, 7.5]);
      const value = xlogx(x);
      const dx = tf.tidy(() => tf.grad((t: tf.Tensor) => mix(xlogx(t)))(x));
      x.dispose();
      return { value, dx };
    },
  },
  {
    group: "losses",
    name: "xlogy with x = 0 (also at y = 0), broadcasting, and its gradients",
    run: () => {
      // x = 0 against y = 0, 1 and 2.5; x > 0 against small and large y.
      const x = tf.tensor2d([[0, 0, 0, 0.3], [1, 2, 0.5, 0]]);
      const y = tf.tensor2d([[0, 1, 2.5, 1e-3], [0.2, 3, 1, 0]]);
      const value = xlogy(x, y);
      const [dx, dy] = tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => mix(xlogy(a, b)))([x, y]));
      // y a row vector broadcast over x's rows (x's zeros included).
      const yRow = tf.tensor1d([0.5, 1, 4, 0.1]);
      const broadcast = xlogy(x, yRow);
      const dyRow = tf.tidy(() => tf.grad((b: tf.Tensor) => mix(xlogy(x, b), 901))(yRow));
      tf.dispose([x, y, yRow]);
      return { value, dx: dx!, dy: dy!, broadcast, dyRow };
    },
  },
  {
    group: "losses",
    name: "xlogy with x ≠ 0 and y = 0 (∓Inf), and its gradients",
    run: () => {
      const x = tf.tensor1d([0.5, 0, -2, 1]);
      const y = tf.tensor1d([0, 0, 0, 0.5]);
      const value = xlogy(x, y);
      const [dx, dy] = tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(xlogy(a, b), [1, 2, 3, 4])))([x, y]));
      tf.dispose([x, y]);
      return { value, dx: dx!, dy: dy! };
    },
  },
];

export const lossCases: ParityCase[] = [...regressionLossCases, ...classificationLossCases, ...utilityCases];
