// @fluxion/evolve: graph models that mutate while keeping their weights, and the utilities of an
// architecture search (NaiveNASlib / NaiveNASflux / NaiveGAflux).

// Graph
export { CompGraph, VertexHandle, inputVertex, vertex, addVertex, concatVertex, vertexShapes, featureSizes } from "./graph/comp-graph.js";
export type { VertexInfo, VertexOptions } from "./graph/comp-graph.js";
export type { GraphSpec, VertexSpec, VertexOp } from "./graph/spec.js";
export { Trait, Immutable, MutationShield, ApplyIf, allowMutation, mutationLeaves, isImmutable } from "./graph/traits.js";
export type { VertexPredicate, VertexAction, MutationLike } from "./graph/traits.js";
export { resize, changeNout, insertAfter, removeVertex, addEdge, removeEdge, setActivation, checkApply, removeIfSingleInput } from "./graph/operations.js";
export type { InsertOptions, EdgeOptions } from "./graph/operations.js";
export { weightMagnitude } from "./graph/draft.js";
export type { OperationOptions, Utility } from "./graph/draft.js";
export { SizeError } from "./graph/size-classes.js";
export { checkGraph } from "./graph/check-graph.js";
export { graphSummary } from "./graph/summary.js";
export { registerLayerKind } from "./graph/layer-kinds.js";
export type { LayerKind, SizeKind, NeuronParam, Fill } from "./graph/layer-kinds.js";

// Utilities
export { WrappedRule, ShieldedOpt, ImplicitOpt } from "./utils/wrapped-rules.js";
export { AutoOptimiser, autoOptimiser, updateParamsSafe, NO_OPTIMISER_STATE } from "./utils/auto-optimiser.js";
export type { GradFun } from "./utils/auto-optimiser.js";
export { optimiserSetup, clearOptimiserState, checkImplicitOptimiser, InconsistentAutoOptimiserError, implicitTrainStep, autoOptimisers } from "./utils/implicit.js";
export type { ImplicitLoss } from "./utils/implicit.js";
export { PersistentArray, persist } from "./utils/persistent-array.js";
export type { PersistentArrayOptions } from "./utils/persistent-array.js";
export { jsonCodec } from "./utils/codec.js";
export type { Codec } from "./utils/codec.js";

// Files
export { registerName, registeredName, registeredValue } from "./files/names.js";
export { encodeGraph, decodeGraph, GRAPH_FORMAT, GRAPH_VERSION } from "./files/graph-bytes.js";
export type { GraphParts, SavedGraph, EncodeGraphOptions, DecodeGraphOptions } from "./files/graph-bytes.js";
export { graphCodec, decodeGraphBytes } from "./files/graph-codec.js";
export type { GraphCodec } from "./files/graph-codec.js";
export { saveGraph, loadGraph } from "./files/graph-file.js";

// Search: operators
import "./search/mutations/register-names.js";
export { MutationProbability, MutationChain, MutationChoice, MutationFilter } from "./search/mutations/combinators.js";
export type { Mutated } from "./search/mutations/combinators.js";
export { VertexMutation, mutationAllowed } from "./search/mutations/vertex-mutation.js";
export type { VertexAt, VertexSelect } from "./search/mutations/vertex-mutation.js";
export { NoutMutation } from "./search/mutations/nout.js";
export { AddVertexMutation, insertionPoints } from "./search/mutations/add-vertex.js";
export { RemoveVertexMutation } from "./search/mutations/remove-vertex.js";
export { AddEdgeMutation, RemoveEdgeMutation } from "./search/mutations/edges.js";
export type { AddEdgeOptions } from "./search/mutations/edges.js";
export { ActivationFunctionMutation } from "./search/mutations/activation.js";
export { KernelSizeMutation } from "./search/mutations/kernel-size.js";
export type { KernelSizeOptions } from "./search/mutations/kernel-size.js";
export { LearningRateMutation, LEARNING_RATE_BOUNDS } from "./search/mutations/learning-rate.js";
export { OptimiserMutation } from "./search/mutations/optimiser.js";
export type { RuleType } from "./search/mutations/optimiser.js";
export { followRule } from "./search/mutations/rule-state.js";
export { OptimiserCrossover, LearningRateCrossover } from "./search/crossover/optimiser.js";
export { VertexCrossover, cutVertices } from "./search/crossover/graph-swap.js";
export type { VertexCrossoverOptions } from "./search/crossover/graph-swap.js";
export { EliteSelection } from "./search/selection/elite.js";
export { TournamentSelection } from "./search/selection/tournament.js";
export type { TournamentOptions } from "./search/selection/tournament.js";
export { SusSelection } from "./search/selection/sus.js";
export type { SusOptions } from "./search/selection/sus.js";
export { CombinedEvolution } from "./search/selection/combined.js";
export { EvolveCandidates } from "./search/selection/evolve-candidates.js";
export type { EvolveCandidatesOptions } from "./search/selection/evolve-candidates.js";
export { DenseSpace, ConvSpace } from "./search/spaces/layer-spaces.js";
export type { LayerSpace, LayerOptions, DenseSpaceOptions, ConvSpaceOptions } from "./search/spaces/layer-spaces.js";
export { LayerBlock, RepeatSpace, ChainSpace, ChoiceSpace, FlattenSpace } from "./search/spaces/arch-spaces.js";
export type { ArchSpace, Built, BuildContext } from "./search/spaces/arch-spaces.js";
export { initialGraph } from "./search/spaces/initial-graph.js";
export type { InitialGraphOptions } from "./search/spaces/initial-graph.js";

// Search: engine
export type { Problem, ProblemContext, Evaluation } from "./search/interfaces.js";
export { makeCandidate, copyCandidate, withEvaluation, disposeCandidate, candidateCodec, encodeRule, decodeRule } from "./search/candidate.js";
export type { CandidateParts } from "./search/candidate.js";
export { seedsFor, mixSeed } from "./search/seeds.js";
export { WORST_FITNESS, qualityVsSize, accuracyFitness, accuracyLossFitness, maeFitness, roundTo } from "./search/fitness/score.js";
export { generationBatches } from "./search/fitness/batches.js";
export { trainThenValidate, parameterCount } from "./search/fitness/train-validate.js";
export type { TrainValidateSpec } from "./search/fitness/train-validate.js";
export { syncRule } from "./search/fitness/rule-sync.js";
export { classificationProblem, regressionProblem } from "./search/fitness/problems.js";
export type { TrainingOptions, ClassificationOptions, RegressionOptions } from "./search/fitness/problems.js";
export type { Examples } from "./search/fitness/data.js";
export { loadProblem, unloadProblem } from "./search/evaluators/load-problem.js";
export { evaluateEncoded } from "./search/evaluators/evaluate-encoded.js";
export { SequentialEvaluator } from "./search/evaluators/sequential.js";
export { PoolEvaluator } from "./search/evaluators/pool.js";
export type { PoolOptions } from "./search/evaluators/pool.js";
export { populationDigest, sha256Hex } from "./search/digest.js";
export type { Candidate, Lineage, Seeds, ProblemRef, EncodedTask, EncodedResult, Evaluator, Mutation, Crossover, Evolution, EvolutionContext, OperatorContext } from "./search/interfaces.js";
export { runSearch } from "./search/run/run-search.js";
export type { SearchOptions, SearchResult } from "./search/run/run-search.js";
export type { GenerationSummary, LineageRecord } from "./search/run/summary.js";
export type { RunState, RunIdentity } from "./search/run/checkpoint.js";

// Search: report
export { renderReport } from "./search/report/render-report.js";
export { writeReport, REPORT_FILE } from "./search/report/write-report.js";
export { fitnessPlot, plotScales, PLOT_BOX } from "./search/report/fitness-plot.js";
export { summaryTable, parseSummary } from "./search/report/summary-table.js";
export { runReportData, writeRunReport, ancestry } from "./search/report/run-report.js";
export type { RunReportOptions } from "./search/report/run-report.js";
export type { ReportData, GenerationRecord, AncestorRecord } from "./search/report/report-data.js";
export type { PlotScales } from "./search/report/fitness-plot.js";
