// The training-step architectures, built twice: as fluxion models and as tfjs-layers models with
// fluxion's initial weights copied in, plus a batch of fixed random data for each.
import { Chain, Conv, Dense, LSTM, MaxPool, Rng, flatten, glorotUniform, logitCrossentropy, mse, relu, tf } from "fluxion";
import type * as tflTypes from "@tensorflow/tfjs-layers";

type Tfl = typeof tflTypes;

export interface TrainingCase {
  name: string;
  /** PyTorch's figure for the same step (perf-anchors.md, 1 thread, OpenBLAS), if measured. */
  anchor?: string;
  build: (rng: Rng) => Chain;
  /** The tfjs-layers model of the same architecture, weights copied from `model`. */
  layers: (tfl: Tfl, model: Chain) => tflTypes.LayersModel;
  /** Loss used by both sides: "logits" (softmax cross-entropy on one-hot labels) or "mse". */
  loss: "logits" | "mse";
  batch: () => [tf.Tensor, tf.Tensor];
}

/** The weights in tfjs-layers' order; `temps` collects tensors made for the copy. */
function weightsOf(layer: unknown, temps: tf.Tensor[]): tf.Tensor[] {
  if (layer instanceof Dense) return [layer.weight, layer.bias as tf.Tensor];
  if (layer instanceof Conv) {
    // Conv flips its kernel (a true convolution); tfjs-layers' conv2d is a cross-correlation.
    const flipped = tf.reverse(layer.weight, [0, 1]);
    temps.push(flipped);
    return [flipped, layer.bias as tf.Tensor];
  }
  if (layer instanceof LSTM) return [layer.cell.Wi, layer.cell.Wh, layer.cell.bias as tf.Tensor];
  return [];
}

function copied(model: Chain, layers: tflTypes.LayersModel): tflTypes.LayersModel {
  const temps: tf.Tensor[] = [];
  layers.setWeights((model.layers as unknown[]).flatMap((l) => weightsOf(l, temps)));
  tf.dispose(temps);
  return layers;
}

function labels(batch: number, seed: number): tf.Tensor {
  return tf.tidy(() => tf.oneHot(tf.randomUniformInt([batch], 0, 10, seed), 10));
}

function mlp(widths: number[], anchor: string): TrainingCase {
  return {
    name: `MLP ${widths.join("-")}, batch 128`,
    anchor,
    build: (rng) => {
      const init = glorotUniform({ rng });
      return new Chain(...widths.slice(1).map((w, i) => new Dense([widths[i]!, w], i < widths.length - 2 ? relu : undefined, { init })));
    },
    layers: (tfl, model) => {
      const seq = tfl.sequential();
      widths.slice(1).forEach((w, i) =>
        seq.add(tfl.layers.dense({ units: w, activation: i < widths.length - 2 ? "relu" : "linear", ...(i === 0 ? { inputShape: [widths[0]!] } : {}) })),
      );
      return copied(model, seq);
    },
    loss: "logits",
    batch: () => [tf.randomUniform([128, widths[0]!], 0, 1, "float32", 1), labels(128, 2)],
  };
}

const toImage = (x: tf.Tensor): tf.Tensor => tf.reshape(x, [-1, 28, 28, 1]);

export const TRAINING_CASES: Record<string, TrainingCase> = {
  mlpSmall: mlp([784, 256, 10], "PyTorch 1T: 1.66 ms (603 steps/s)"),
  mlpLarge: mlp([784, 1024, 1024, 10], "PyTorch 1T: 18.7 ms (53.6 steps/s)"),
  cnn: {
    name: "CNN conv3x3x16-relu-maxpool2-dense10, batch 64",
    anchor: "PyTorch 1T: 6.4 ms (155 steps/s)",
    build: (rng) => {
      const init = glorotUniform({ rng });
      return new Chain(toImage, new Conv([3, 3], [1, 16], relu, { init }), new MaxPool([2, 2]), flatten, new Dense([13 * 13 * 16, 10], undefined, { init }));
    },
    layers: (tfl, model) => {
      const seq = tfl.sequential();
      seq.add(tfl.layers.reshape({ targetShape: [28, 28, 1], inputShape: [784] }));
      seq.add(tfl.layers.conv2d({ filters: 16, kernelSize: 3, activation: "relu" }));
      seq.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
      seq.add(tfl.layers.flatten());
      seq.add(tfl.layers.dense({ units: 10 }));
      return copied(model, seq);
    },
    loss: "logits",
    batch: () => [tf.randomUniform([64, 784], 0, 1, "float32", 3), labels(64, 4)],
  },
  lstm: {
    name: "LSTM 32→64 over 20 steps, batch 32",
    build: (rng) => new Chain(new LSTM([32, 64], { initKernel: glorotUniform({ rng }), initRecurrentKernel: glorotUniform({ rng }) })),
    layers: (tfl, model) => {
      const seq = tfl.sequential();
      seq.add(tfl.layers.lstm({ units: 64, returnSequences: true, recurrentActivation: "sigmoid", unitForgetBias: false, inputShape: [20, 32] }));
      return copied(model, seq);
    },
    loss: "mse",
    batch: () => [tf.randomNormal([32, 20, 32], 0, 1, "float32", 5), tf.randomNormal([32, 20, 64], 0, 0.5, "float32", 6)],
  },
};

/** The loss on fluxion's side (a function of the model and the batch's parts). */
export function fluxionLoss(kind: TrainingCase["loss"]) {
  return (m: Chain, x: tf.Tensor, y: tf.Tensor): tf.Tensor =>
    tf.tidy(() => (kind === "logits" ? logitCrossentropy(m.apply(x) as tf.Tensor, y) : mse(m.apply(x) as tf.Tensor, y)));
}

/** The same loss for tfjs-layers' compile: softmax cross-entropy on logits (batch mean), or MSE. */
export function layersLoss(kind: TrainingCase["loss"]): string | ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor) {
  return kind === "logits" ? (yTrue, yPred) => tf.losses.softmaxCrossEntropy(yTrue, yPred) : "meanSquaredError";
}
