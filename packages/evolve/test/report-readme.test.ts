// The README's search example ("How the search works"), as written: XOR from a model with no
// hidden layer, with a report written after every generation.
import { afterAll, expect, test } from "@jest/globals";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { liveTensors } from "@fluxion/backend/testing";
import { Adam } from "@fluxion/optimisers";
import { dispose, relu, tanh } from "@fluxion/nn";
import {
  AddVertexMutation,
  CombinedEvolution,
  DenseSpace,
  EliteSelection,
  EvolveCandidates,
  MutationChain,
  MutationProbability,
  NoutMutation,
  SequentialEvaluator,
  TournamentSelection,
  VertexMutation,
  graphSummary,
  initialGraph,
  mutationAllowed,
  runSearch,
  unloadProblem,
  writeRunReport,
  type CompGraph,
  type VertexAt,
  type VertexSelect,
} from "@fluxion/evolve";

const dir = mkdtempSync(path.join(os.tmpdir(), "fluxion-readme-search-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("README: XOR found from a model with no hidden layer", async () => {
  const before = liveTensors();
  const problem = { module: path.resolve(__dirname, "fixtures/xor-readme-problem.ts") };
  const lines: string[] = [];

  // --- as in the README ---
  // Layers to insert: as wide as the vertex they follow, identity-initialised (the function is kept).
  const layers = new DenseSpace({ sizes: [2], activations: [relu, tanh] });
  // The input is immutable and the output shielded: let AddVertexMutation insert after the input too.
  const afterInputToo: VertexSelect = (g, m) => ["input", ...mutationAllowed(g, m)];
  const mutate = new MutationChain<CompGraph>(
    new VertexMutation(new MutationProbability<VertexAt>(new AddVertexMutation(layers), 0.3), afterInputToo),
    new VertexMutation(new MutationProbability<VertexAt>(new NoutMutation(0, 1), 0.3)),
  );
  const result = await runSearch({
    dir,
    generations: 5,
    populationSize: 8,
    seed: 1,
    initial: (_i, rng) => ({ graph: initialGraph(null, 2, 2, rng), rule: new Adam(0.05) }), // input → out: linear
    evolution: new CombinedEvolution(new EliteSelection(2), new TournamentSelection(6, 2, 1, { evolve: new EvolveCandidates({ graph: mutate }) })),
    evaluator: new SequentialEvaluator(problem),
    problem,
    onGeneration: async (s, population) => {
      lines.push(`generation ${s.generation}: best ${s.best.toFixed(3)} (${s.bestParams} parameters)`);
      await writeRunReport(dir, { title: "XOR" }, population);
    },
  });
  const best = result.population.find((c) => c.id === result.history.at(-1)!.bestId)!;
  lines.push(graphSummary(best.graph));
  // --- end ---

  // A linear model labels at most 3 of the 4 corners right: fitness 0.75 + the size bonus 0.001.
  expect(lines[0]).toMatch(/^generation 0: best 0\.(501|751) \(6 parameters\)$/);
  const solved = lines.findIndex((l) => l.startsWith("generation ") && / best 1\.00\d /.test(l));
  expect(solved).toBeGreaterThan(0);
  expect(best.metrics?.accuracy).toBe(1);
  expect(lines.at(-1)).toMatch(/^input +input \[2\]/m);
  expect(lines.at(-1)).toMatch(/^dense\d+ +Dense\(2 => \d+, (relu|tanh)\) +input/m);
  expect(existsSync(path.join(dir, "report.html"))).toBe(true);
  for (const c of result.population) dispose([c.graph, c.state]);
  await unloadProblem(problem);
  expect(liveTensors()).toBe(before);
}, 120_000);
