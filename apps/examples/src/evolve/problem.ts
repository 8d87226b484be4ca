// The evolve demo's problem module: `problem({ data, seed })` rebuilds the dataset and its fitness
// function in whatever thread or process evaluates candidates (E2's ProblemRef names this file).
// Only JSON crosses: the options. The test split is never handed to the fitness.
import { classificationProblem, regressionProblem, type Problem } from "fluxion";
import type { Split } from "./dataset.js";
import { loadDataset, type DataOptions } from "./datasets.js";
import { TRAINING_BUDGETS, type TrainingBudget } from "./training-budget.js";

/** The options of `problem`: the data, and optionally another training budget (the baselines use the default). */
export interface ProblemOptions extends DataOptions {
  readonly budget?: Partial<TrainingBudget>;
}

/** This module's URL, for a ProblemRef: `{ module: PROBLEM_MODULE, options: { data, seed } }`. */
export const PROBLEM_MODULE = import.meta.url;

/**
 * What decides between candidates of equal rounded validation accuracy (classificationProblem's
 * `tieBreak`; default size): on Iris's 30 validation flowers most candidates tie, and the lower
 * validation loss picked better models than the smaller size on the tuning seeds (README).
 */
const TIE_BREAKS: Partial<Record<DataOptions["data"], "size" | "loss">> = { iris: "loss" };

const rows = (s: Split, shape: readonly number[]) => ({ data: s.x, shape: [s.y.length, ...shape] });

/** The fitness of the evolve demo on `options.data`: train-then-validate on the train and validation splits. */
export function problem(options: ProblemOptions): Problem {
  const data = loadDataset(options);
  const { batchSize, steps, budgetSeconds } = { ...TRAINING_BUDGETS[data.name as DataOptions["data"]], ...(options.budget ?? {}) };
  const training = { batchSize, steps, budgetSeconds };
  const x = rows(data.train, data.inputShape);
  if (data.task === "classification") {
    return classificationProblem({ x, labels: data.train.y, classes: data.outputs, validation: { x: rows(data.validation, data.inputShape), labels: data.validation.y }, tieBreak: TIE_BREAKS[options.data], ...training });
  }
  return regressionProblem({ x, y: data.train.y, validation: { x: rows(data.validation, data.inputShape), y: data.validation.y }, ...training });
}
