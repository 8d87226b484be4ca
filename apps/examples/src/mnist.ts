// The main demo: train a classifier on real MNIST digits, report test accuracy, save / load it.
import {
  Adam,
  Chain,
  DataLoader,
  Rng,
  dispose,
  loadModelFile,
  logitCrossentropy,
  onecold,
  onehotbatch,
  saveModel,
  setup,
  testMode,
  tf,
  train,
} from "fluxion";
import { loadMnist, PIXELS, type Digits } from "./mnist-data.js";
import { buildModel, type ModelKind } from "./mnist-models.js";
import { checkReadable, checkWritable } from "./output-paths.js";
import { progressLines } from "./progress-lines.js";

export type { ModelKind };

export interface MnistOptions {
  model: ModelKind;
  /** Passes over the training digits; 0 only evaluates (the loaded model, with `load`). */
  epochs: number;
  batchsize: number;
  lr: number;
  seed: number;
  save?: string;
  /** A model file to start from (trained further if `epochs` > 0). */
  load?: string;
  /** Seconds between plain progress lines when stdout is not a terminal (which gets train's bar). */
  progressEvery?: number;
}

const CLASSES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

/** Fraction of `digits` the model labels correctly, evaluated in batches. */
export function accuracy(model: Chain, digits: Digits, batch = 500): number {
  let correct = 0;
  for (let start = 0; start < digits.labels.length; start += batch) {
    const n = Math.min(batch, digits.labels.length - start);
    const predicted = tf.tidy(() => {
      const x = tf.tensor2d(digits.images.subarray(start * PIXELS, (start + n) * PIXELS), [n, PIXELS]);
      return model.apply(x) as tf.Tensor;
    });
    const labels = onecold(predicted as tf.Tensor2D, CLASSES);
    predicted.dispose();
    labels.forEach((l, i) => (correct += l === digits.labels[start + i] ? 1 : 0));
  }
  return correct / digits.labels.length;
}

const loss = (m: Chain, x: tf.Tensor, labels: number[]) =>
  tf.tidy(() => logitCrossentropy(m.apply(x) as tf.Tensor, onehotbatch(labels, CLASSES)));

export async function mnist(options: MnistOptions): Promise<number> {
  if (options.save) checkWritable("--save", options.save);
  if (options.load) checkReadable("--load", options.load);
  const rng = new Rng(options.seed);
  const { train: trainSet, test } = loadMnist(2000, options.seed);
  const model = buildModel(options.model, rng);
  console.log(`${options.model.toUpperCase()} on ${trainSet.labels.length} MNIST digits (${test.labels.length} held out), backend ${tf.getBackend()}`);
  console.log(model.toString());
  if (options.load) {
    await loadModelFile(options.load, model);
    console.log(`loaded ${options.load}`);
  }
  if (options.epochs > 0) await fit(model, trainSet, test, rng, options);
  if (options.save) {
    await saveModel(options.save, model);
    console.log(`saved the model to ${options.save}`);
  }
  testMode(model);
  const acc = accuracy(model, test);
  console.log(`test accuracy: ${acc.toFixed(4)}`);
  dispose(model);
  return acc;
}

async function fit(model: Chain, trainSet: Digits, test: Digits, rng: Rng, options: MnistOptions): Promise<void> {
  const x = tf.tensor2d(trainSet.images, [trainSet.labels.length, PIXELS]);
  const loader = new DataLoader([x, trainSet.labels], { batchsize: options.batchsize, shuffle: true, rng });
  const opt = setup(new Adam(options.lr), model);
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const label = `epoch ${epoch}/${options.epochs}`;
    const onProgress = process.stdout.isTTY ? undefined : progressLines(label, options.progressEvery ?? 5);
    const { loss: last } = await train(loss, model, loader, opt, onProgress ? { onProgress } : {});
    testMode(model);
    console.log(`${label}: last batch loss ${last.toFixed(4)}, test accuracy ${accuracy(model, test).toFixed(4)}`);
    testMode(model, "auto");
  }
  x.dispose();
  tf.dispose(opt as tf.TensorContainer);
}
