// The search set-up of each dataset: the initial population (from @fluxion/evolve's search spaces)
// and the evolution (NaiveGAflux's quick tutorial: elites kept, tournament winners mutated).
import {
  Adam,
  ActivationFunctionMutation,
  AddVertexMutation,
  ChainSpace,
  CombinedEvolution,
  ConvSpace,
  DenseSpace,
  EliteSelection,
  EvolveCandidates,
  FlattenSpace,
  LayerBlock,
  LearningRateMutation,
  Momentum,
  MutationChain,
  MutationFilter,
  MutationProbability,
  NAdam,
  NoutMutation,
  OptimiserMutation,
  RMSProp,
  RemoveVertexMutation,
  RepeatSpace,
  TournamentSelection,
  VertexMutation,
  elu,
  initialGraph,
  mutationAllowed,
  relu,
  tanh,
  type ArchSpace,
  type LayerSpace,
  type Mutation,
  type CompGraph,
  type Rule,
  type Rng,
  type VertexAt,
  type VertexSelect,
} from "fluxion";
import type { Dataset } from "./dataset.js";
import type { DatasetName } from "./datasets.js";

/** The search of one dataset: its default size, where it starts and how it mutates. */
export interface SearchSetup {
  readonly population: number;
  readonly generations: number;
  /** Candidates kept unchanged each generation (the rest are tournament winners' mutated copies). */
  readonly elites: number;
  /** The hidden layers of the initial models (null: none, a linear model). */
  readonly initial: ArchSpace | null;
  /** The layers AddVertexMutation inserts (identity-initialised, so the function is kept), each where its space fits. */
  readonly layers: readonly LayerSpace[];
  readonly activations: readonly ((x: any) => any)[];
  /**
   * At most this many hidden layers: no layer is inserted into a model that has them. Insertion is
   * tried at every vertex, so without a cap deeper models gain layers faster (Iris grew chains of
   * 17 narrow layers). Default: no cap.
   */
  readonly maxHidden?: number;
  /** log10 of the initial learning rates' range (drawn uniformly). */
  readonly logLearningRate: readonly [number, number];
}

/**
 * `space`'s Dense layers only after flat features of at most `width`: an inserted layer keeps its
 * input's width (it starts as the identity), so after a Flatten of 6,272 features it would hold
 * 39 million weights, and on an image a Dense acts on each pixel alone, at a convolution's cost.
 */
function narrowFlatOnly(space: DenseSpace, width: number): LayerSpace {
  return { prefix: space.prefix, fits: (shape) => shape.length === 1 && shape[0]! <= width, layer: (shape, rng, options) => space.layer(shape, rng, options) };
}

const XOR_ACTIVATIONS = [relu, tanh, elu];

export const SEARCH_SETUPS: Readonly<Record<DatasetName, SearchSetup>> = {
  // A linear model cannot solve XOR: the search has to add a hidden layer (after the input).
  xor: {
    population: 8,
    generations: 30,
    elites: 2,
    initial: null,
    layers: [new DenseSpace({ sizes: [2, 4], activations: XOR_ACTIVATIONS })],
    activations: XOR_ACTIVATIONS,
    logLearningRate: [-2, -1],
  },
  // Relu layers of the fixed baseline's widths: the search tunes sizes, depth and learning rates
  // (with tanh and elu only as mutations); measured in the root README.
  iris: {
    population: 8,
    generations: 20,
    elites: 2,
    initial: new RepeatSpace(new LayerBlock(new DenseSpace({ sizes: [8, 16], activations: [relu] })), 1, 1),
    layers: [new DenseSpace({ sizes: [8, 16], activations: [relu] })],
    activations: [relu, tanh],
    maxHidden: 3,
    logLearningRate: [-2.3, -1.7],
  },
  mpg: {
    population: 8,
    generations: 20,
    elites: 2,
    initial: new RepeatSpace(new LayerBlock(new DenseSpace({ sizes: [32, 64], activations: [relu] })), 1, 2),
    layers: [new DenseSpace({ sizes: [16, 32, 64], activations: [relu] })],
    activations: [relu, elu],
    maxHidden: 3,
    logLearningRate: [-3, -2.3],
  },
  // One small convolution block (3×3, then a 2×2 max pool) and at most one dense layer: cheap
  // enough for tfjs-backend-wasm (its conv gradients go through im2col) within minutes.
  mnist: {
    population: 4,
    generations: 10,
    elites: 1,
    initial: new ChainSpace(
      new LayerBlock(new ConvSpace({ channels: [16, 24, 32], kernels: [3], activations: [relu], pool: 1 })),
      new FlattenSpace(),
      new RepeatSpace(new LayerBlock(new DenseSpace({ sizes: [64, 128], activations: [relu] })), 0, 1),
    ),
    layers: [narrowFlatOnly(new DenseSpace({ sizes: [64], activations: [relu] }), 256)],
    activations: [relu, elu],
    logLearningRate: [-2.7, -2.3],
  },
};

/** The candidates AddVertexMutation may insert after: the allowed ones and the input (so a model with no hidden layer can gain one). */
const afterInputToo: VertexSelect = (graph: CompGraph, m) => [...graph.spec.vertices.filter((v) => v.op === "input").map((v) => v.name), ...mutationAllowed(graph, m)];

/** Hidden layers of `graph`: its layer vertices other than the output. */
const hiddenLayers = (graph: CompGraph): number => graph.spec.vertices.filter((v) => v.op === "layer").length - graph.spec.outputs.length;

/** `m` only while the graph has fewer hidden layers than the setup's cap (always without one). */
function belowMaxHidden(setup: SearchSetup, m: AddVertexMutation): Mutation<VertexAt> {
  const cap = setup.maxHidden;
  return cap === undefined ? m : new MutationFilter<VertexAt>((at) => hiddenLayers(at.graph) < cap, m);
}

/** One model of the initial population: from the setup's space, with Adam at a learning rate drawn from `rng`. */
export function initialModel(setup: SearchSetup, data: Dataset, rng: Rng): { graph: CompGraph; rule: Rule } {
  const graph = initialGraph(setup.initial, data.inputShape, data.outputs, rng);
  const [lo, hi] = setup.logLearningRate;
  return { graph, rule: new Adam({ eta: 10 ** (lo + (hi - lo) * rng.float()) }) };
}

/** The graph mutations of `setup`'s search: output sizes, a layer inserted or removed, an activation changed. */
export function graphMutation(setup: SearchSetup): MutationChain<CompGraph> {
  return new MutationChain<CompGraph>(
    new VertexMutation(new MutationProbability<VertexAt>(new NoutMutation(-0.2, 0.2), 0.3)),
    ...setup.layers.map((space) => new VertexMutation(new MutationProbability<VertexAt>(belowMaxHidden(setup, new AddVertexMutation(space)), 0.2 / setup.layers.length), afterInputToo)),
    new VertexMutation(new MutationProbability<VertexAt>(new RemoveVertexMutation(), 0.1)),
    new VertexMutation(new MutationProbability<VertexAt>(new ActivationFunctionMutation(...setup.activations), 0.05)),
  );
}

/**
 * NaiveGAflux's quick tutorial with a rule mutation: the `elites` best kept, the other places
 * filled by tournaments of 2 whose winners are copied and mutated — output sizes ±20 %, a layer
 * added or removed, an activation changed; the learning rate nudged, rarely another optimiser.
 */
export function evolution(setup: SearchSetup, size = setup.population): CombinedEvolution {
  const graph = graphMutation(setup);
  const rule = new MutationChain<Rule>(new MutationProbability<Rule>(new LearningRateMutation(), 0.5), new MutationProbability<Rule>(new OptimiserMutation([Adam, NAdam, RMSProp, Momentum]), 0.05));
  const elites = Math.min(setup.elites, size - 1);
  return new CombinedEvolution(new EliteSelection(elites), new TournamentSelection(size - elites, 2, 1, { evolve: new EvolveCandidates({ graph, rule }) }));
}
