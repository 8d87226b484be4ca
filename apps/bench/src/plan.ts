// What a run measures: the full run, or --quick (about a minute for both backends together).
import type { TimingPlan } from "./timing.js";
import type { OptimiserCase } from "./optimiser-rows.js";
import { RULE_NAMES } from "./optimiser-rows.js";

export interface BenchPlan {
  optimiser: OptimiserCase[];
  optimiserTiming: TimingPlan;
  /** Keys of TRAINING_CASES. */
  training: string[];
  trainingTiming: TimingPlan;
  /** MNIST demo models to time for one epoch. */
  mnist: string[];
}

const cases = (params: number[], tensors: number[]): OptimiserCase[] =>
  RULE_NAMES.flatMap((rule) => params.flatMap((p) => tensors.map((t) => ({ rule, params: p, tensors: t }))));

export function benchPlan(quick: boolean): BenchPlan {
  if (quick) {
    return {
      optimiser: [...cases([1e4], [10]), { rule: "Adam", params: 1e6, tensors: 10 }],
      optimiserTiming: { warmup: 2, reps: 30, minReps: 3, budgetMs: 600 },
      training: ["mlpSmall", "mlpLarge", "cnn", "lstm"],
      trainingTiming: { warmup: 1, reps: 10, minReps: 3, budgetMs: 2500 },
      mnist: ["mlp"],
    };
  }
  return {
    optimiser: cases([1e4, 1e6], [10, 100]),
    optimiserTiming: { warmup: 3, reps: 100, minReps: 7, budgetMs: 5000 },
    training: ["mlpSmall", "mlpLarge", "cnn", "lstm"],
    trainingTiming: { warmup: 2, reps: 30, minReps: 5, budgetMs: 20000 },
    mnist: ["mlp", "cnn"],
  };
}

/**
 * webgl in headless Chromium, whose WebGL2 is software (SwiftShader) on machines without a GPU:
 * a short plan (Adam on 1e4 and 1e6 parameters, the small MLP; the full run adds the CNN).
 */
export function webglPlan(quick: boolean): BenchPlan {
  return {
    optimiser: [
      { rule: "Adam", params: 1e4, tensors: 10 },
      { rule: "Adam", params: 1e6, tensors: 10 },
    ],
    optimiserTiming: { warmup: 2, reps: quick ? 10 : 30, minReps: 3, budgetMs: quick ? 1500 : 5000 },
    training: quick ? ["mlpSmall"] : ["mlpSmall", "cnn"],
    trainingTiming: { warmup: 1, reps: quick ? 5 : 15, minReps: 3, budgetMs: quick ? 3000 : 15000 },
    mnist: [],
  };
}
