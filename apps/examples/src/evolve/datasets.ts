// The evolve demo's datasets by name, rebuilt from JSON-able options in any thread or process.
import type { Dataset } from "./dataset.js";
import { irisData } from "./iris-data.js";
import { mnistData } from "./mnist-evolve-data.js";
import { mpgData } from "./mpg-data.js";
import { xorData } from "./xor-data.js";

export const DATASETS = ["xor", "iris", "mpg", "mnist"] as const;
export type DatasetName = (typeof DATASETS)[number];

/** What `loadDataset` and the problem module take: plain JSON. */
export interface DataOptions {
  readonly data: DatasetName;
  /** Seeds the split (iris, mpg) and the noise (xor); MNIST always uses the main demo's split. */
  readonly seed: number;
}

/** The dataset `options` name, checked. */
export function loadDataset(options: DataOptions): Dataset {
  const { data, seed } = options ?? ({} as DataOptions);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`evolve data: seed must be a whole number ≥ 0, got ${String(seed)}`);
  switch (data) {
    case "xor":
      return xorData(seed);
    case "iris":
      return irisData(seed);
    case "mpg":
      return mpgData(seed);
    case "mnist":
      return mnistData();
    default:
      throw new Error(`evolve data: expected one of ${DATASETS.join(", ")}, got ${JSON.stringify(data)}`);
  }
}
