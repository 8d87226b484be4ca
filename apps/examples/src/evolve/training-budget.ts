// How much each candidate trains per generation, per dataset: the same for every candidate of a
// run (and for the fixed baselines the README compares with). The time budgets are safety nets
// that a normal run never reaches: a budget that stopped training would make results depend on
// the machine's speed, and runs with 1 and N workers would no longer agree.
import type { DatasetName } from "./datasets.js";

/** One generation's training of one candidate. */
export interface TrainingBudget {
  readonly batchSize: number;
  /** Training batches per generation. */
  readonly steps: number;
  /** Seconds after which a candidate's training stops (a candidate far too slow for the demo). */
  readonly budgetSeconds: number;
}

export const TRAINING_BUDGETS: Readonly<Record<DatasetName, TrainingBudget>> = {
  // 64 noisy points: 10 passes per generation.
  xor: { batchSize: 16, steps: 40, budgetSeconds: 30 },
  // 90 flowers: about 5 passes per generation.
  iris: { batchSize: 16, steps: 30, budgetSeconds: 30 },
  // 235 cars: about 5 passes per generation.
  mpg: { batchSize: 16, steps: 75, budgetSeconds: 30 },
  // 7,000 digits: about 0.7 passes per generation.
  mnist: { batchSize: 32, steps: 150, budgetSeconds: 300 },
};
