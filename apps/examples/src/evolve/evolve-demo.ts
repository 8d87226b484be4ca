// The `evolve` command: an architecture search on one of the demo's datasets, saved after every
// generation (resumable), with report.html beside the checkpoint and a final test on held-out data.
import { PoolEvaluator, SequentialEvaluator, dispose, graphSummary, populationDigest, runSearch, tf, writeRunReport, type Candidate, type Evaluator } from "fluxion";
import { freshRunDirectory, prepareDirectory } from "../output-paths.js";
import { loadDataset, type DatasetName } from "./datasets.js";
import { PROBLEM_MODULE } from "./problem.js";
import { openQueueEvaluator } from "./queue-evaluator.js";
import { evolution, initialModel, SEARCH_SETUPS } from "./search-setup.js";
import { testScore } from "./test-score.js";
import { TRAINING_BUDGETS } from "./training-budget.js";

export interface EvolveOptions {
  data: DatasetName;
  seed: number;
  /** Worker threads; 1: the sequential evaluator in this thread. */
  workers: number;
  /** Default: the data's (see SEARCH_SETUPS). */
  generations?: number;
  population?: number;
  /** Default: a new directory under the system's temporary directory. */
  checkpoint?: string;
  /** Evaluate on the BullMQ queue at this Redis URL, with `localWorkers` worker processes started here. */
  queue?: string;
  localWorkers?: number;
}

const fixed = (x: number): string => (Number.isFinite(x) ? x.toFixed(4) : String(x));

/** Runs the search; resolves to the best model's test score. */
export async function evolveDemo(options: EvolveOptions): Promise<number> {
  const setup = SEARCH_SETUPS[options.data];
  const generations = options.generations ?? setup.generations;
  const population = options.population ?? setup.population;
  const dataOptions = { data: options.data, seed: options.seed };
  const problem = { module: PROBLEM_MODULE, options: dataOptions };
  // The queue connects first: with Redis unreachable the run stops before its directory is made.
  const queued = options.queue === undefined ? undefined : await openQueueEvaluator({ url: options.queue, problem, localWorkers: options.localWorkers ?? 0, backend: tf.getBackend() });
  let dir: string;
  let data: ReturnType<typeof loadDataset>;
  try {
    dir = options.checkpoint === undefined ? freshRunDirectory(`fluxion-evolve-${options.data}`) : prepareDirectory("--checkpoint", options.checkpoint);
    data = loadDataset(dataOptions);
  } catch (err) {
    await queued?.close(); // stops the local workers
    throw err;
  }
  const budget = TRAINING_BUDGETS[options.data];
  const about = [
    data.about,
    `seed ${options.seed}, population ${population}, ${generations} generations; each candidate trains ${budget.steps} batches of ${budget.batchSize} per generation`,
  ];
  const evaluator: Evaluator = queued ?? (options.workers === 1 ? new SequentialEvaluator(problem) : new PoolEvaluator(problem, { workers: options.workers }));
  const evaluation = options.queue === undefined ? `${options.workers} worker${options.workers === 1 ? "" : "s"}` : `queue ${options.queue} (${options.localWorkers ?? 0} local worker process(es))`;
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    console.log(`${about.join("; ")}; ${evaluation}, backend ${tf.getBackend()}`);
    console.log(`checkpoint: ${dir}`);
  };
  let last: Candidate[] = [];
  try {
    const result = await runSearch({
      dir,
      generations,
      populationSize: population,
      seed: options.seed,
      initial: (_i, rng) => initialModel(setup, data, rng),
      evolution: evolution(setup, population),
      evaluator,
      problem,
      onResume: (g) => {
        console.log(`resumed at generation ${g + 1}`);
        start();
      },
      onGeneration: async (s, members) => {
        start();
        console.log(`generation ${s.generation}: best fitness ${fixed(s.best)}, median ${fixed(s.median)} (params ${s.bestParams})`);
        await writeRunReport(dir, { title: `fluxion evolve: ${options.data}`, about }, members);
      },
    });
    last = result.population;
    start();
    const bestId = result.history.at(-1)!.bestId;
    const best = last.find((c) => c.id === bestId)!;
    console.log(`report: ${dir}/report.html`);
    console.log(`the best model (candidate ${best.id}, fitness ${fixed(best.fitness ?? NaN)}):`);
    console.log(graphSummary(best.graph));
    const score = testScore((x) => best.graph.apply(x) as tf.Tensor, data);
    console.log(`${score.name}: ${score.value.toFixed(4)}`);
    console.log(`population digest: ${populationDigest(last)}`);
    return score.value;
  } finally {
    for (const c of last) dispose([c.graph, c.state]);
    await evaluator.close();
  }
}
