// The fixed networks the README compares the search with, trained exactly as a candidate that is
// never mutated would be: the same problem module, the same batches of every generation (from the
// run's seed), the same number of generations; then scored on the same held-out test set.
import { Adam, CompGraph, Dense, SequentialEvaluator, disposeCandidate, glorotUniform, inputVertex, makeCandidate, relu, vertex, Rng, type Candidate } from "fluxion";
import { loadDataset, type DataOptions } from "./datasets.js";
import { PROBLEM_MODULE } from "./problem.js";
import { testScore, type TestScore } from "./test-score.js";

/** The fixed network of each dataset: its hidden layers (relu) and learning rate (Adam). */
export const BASELINES: Readonly<Record<DataOptions["data"], { hidden: readonly number[]; eta: number }>> = {
  xor: { hidden: [], eta: 0.01 }, // a linear model: cannot solve XOR, the search's starting point
  iris: { hidden: [8], eta: 0.01 }, // the 4-8-3 MLP
  mpg: { hidden: [64, 64], eta: 0.001 }, // the 64-64 MLP of TensorFlow's regression tutorial
  mnist: { hidden: [128], eta: 0.001 }, // the main demo's MLP
};

/** The fixed network of `data` as a graph: input → Dense(relu) per hidden size → Dense output. */
export function baselineGraph(data: DataOptions["data"], seed: number): CompGraph {
  const d = loadDataset({ data, seed });
  const init = glorotUniform({ rng: new Rng(seed) });
  const input = inputVertex("input", [d.features]);
  let last = input;
  let width = d.features;
  BASELINES[data].hidden.forEach((n, i) => {
    last = vertex(`dense${i + 1}`, new Dense([width, n], relu, { init }), last);
    width = n;
  });
  return new CompGraph(input, vertex("out", new Dense([width, d.outputs], undefined, { init }), last));
}

/** Trains the fixed network of `data` for `generations` generations of the search's training and scores it on the test set. */
export async function baseline(options: DataOptions, generations: number): Promise<{ score: TestScore; candidate: Candidate }> {
  if (options.data === "mnist") throw new Error("baseline: MNIST's fixed MLP is the main demo (`cli.js mnist`), trained by epochs");
  const data = loadDataset(options);
  const evaluator = new SequentialEvaluator({ module: PROBLEM_MODULE, options });
  let c = makeCandidate({ id: 0, generation: 0, graph: baselineGraph(options.data, options.seed), rule: new Adam({ eta: BASELINES[options.data].eta }) });
  try {
    for (let g = 0; g < generations; g++) [c] = await evaluator.evaluate([c], { run: "baseline", seed: options.seed, generation: g });
    return { score: testScore((x) => c.graph.apply(x) as never, data), candidate: c };
  } catch (err) {
    disposeCandidate(c);
    throw err;
  } finally {
    await evaluator.close();
  }
}
