// The vocabulary of the architecture search (NaiveGAflux's pipeline): candidates, the operators
// that make children from parents, the fitness a candidate earns and the evaluators that compute
// it in this thread, in worker threads or on other machines. Only types live here, so that the
// operators, the engine and the evaluators can be written against one contract.
import type { Rule, StateTree } from "@fluxion/optimisers";
import type { Rng } from "@fluxion/nn";
import type { CompGraph } from "../graph/comp-graph.js";

/** Where a candidate came from. */
export interface Lineage {
  /** The ids of the parents (none for the initial population, two for a crossover child). */
  readonly parents: readonly number[];
  /** What was done to the parents, in order, e.g. `["changeNout(dense2, +3)", "Adam → Momentum"]`. */
  readonly operations: readonly string[];
}

/**
 * One member of a population: a graph model with its optimiser rule and state, its fitness once
 * evaluated, and its lineage. The candidate owns `graph` and `state` (their tensors); a dropped
 * candidate is disposed.
 */
export interface Candidate {
  /** Unique within a run: numbered 0, 1, 2, ... in the order candidates are made. */
  readonly id: number;
  /** The generation it was made in (0: the initial population). */
  readonly generation: number;
  readonly graph: CompGraph;
  /** The rule its parameters train with (NaiveGAflux's per-candidate optimiser). */
  readonly rule: Rule;
  /** The optimiser state, `setup(rule, graph)` and trained since: it follows the graph through mutation. */
  readonly state: StateTree;
  /** The fitness of its last evaluation (higher is better), or undefined before it is evaluated. */
  readonly fitness?: number;
  /** What the evaluation measured, e.g. `{ accuracy: 0.97, params: 1234, seconds: 1.2 }`. */
  readonly metrics?: Readonly<Record<string, number>>;
  /** Why the evaluation failed, when it did (the fitness is then the worst). */
  readonly error?: string;
  readonly lineage: Lineage;
}

/**
 * What a random choice may draw from. Every generator is derived from (run seed, generation,
 * candidate id, purpose), so a result does not depend on evaluation order or parallelism.
 */
export type Seeds = (generation: number, id: number | string, purpose: string) => Rng;

/** Context every operator gets: its random generator, and how to name new things. */
export interface OperatorContext {
  /** The generator for this one application (derived from the run seed, generation and candidate). */
  readonly rng: Rng;
  /** The optimiser state of the graph being changed, carried along by graph operations. */
  readonly state?: StateTree;
  /** The rule for new vertices' state. */
  readonly rule?: Rule;
  /** A vertex name not yet used in the graph, starting with `prefix`. */
  readonly newName?: (prefix: string) => string;
  /**
   * For a crossover of two graphs: the optimiser states of its two values, carried along with the
   * layers that move between them (`state` is for one value only).
   */
  readonly states?: readonly [StateTree | undefined, StateTree | undefined];
}

/**
 * Changes a value (a graph in place, or a rule into a new rule) and describes what it did.
 * Returns the descriptions of the changes made (empty: nothing changed).
 */
export interface Mutation<T> {
  readonly kind: "mutation";
  /** Mutates `x` (graphs in place; rules are immutable, so a rule mutation returns the new one in `value`). */
  apply(x: T, ctx: OperatorContext): { value: T; changes: string[] };
}

/** Makes two children from two parents (both already copies the crossover may change). */
export interface Crossover<T> {
  readonly kind: "crossover";
  /** The two children (`a` and `b` changed, or returned as they were when no valid exchange exists) and what was exchanged. */
  apply(a: T, b: T, ctx: OperatorContext): { values: [T, T]; changes: string[] };
}

/**
 * Makes the next generation from an evaluated population (NaiveGAflux's `AbstractEvolution`):
 * selection, then children through mutation and crossover. Members it keeps are returned as
 * they are (same object); every new candidate comes from `ctx.child`, which copies a parent and
 * gives the copy its id, so ids and generators stay deterministic.
 */
export interface Evolution {
  /** The next generation's members: kept ones as they are, new ones from `ctx.child`. */
  evolve(population: readonly Candidate[], ctx: EvolutionContext): Candidate[];
}

/** What an `Evolution` gets besides the population. */
export interface EvolutionContext {
  /** The generation being made. */
  readonly generation: number;
  /** Generators for this generation: `seeds(generation, id, purpose)`. */
  readonly seeds: Seeds;
  /** A deep copy of `parent` (graph, rule, state) as a new candidate with the next id, no fitness yet. */
  child(parent: Candidate, operations?: readonly string[]): Candidate;
}

/** What a fitness function needs to rebuild itself in another thread or process. */
export interface ProblemRef {
  /** An importable module specifier or file URL. */
  readonly module: string;
  /** The export of that module: a function `(options) => Problem | Promise<Problem>`. Default "problem". */
  readonly name?: string;
  /** JSON options passed to it. */
  readonly options?: unknown;
}

/** One candidate to evaluate, as bytes, with what makes its evaluation deterministic. */
export interface EncodedTask {
  /** Names the run, so results of two runs on one queue never mix. */
  readonly run: string;
  readonly seed: number;
  readonly generation: number;
  readonly id: number;
  /** The candidate, encoded with the candidate codec. */
  readonly candidate: Uint8Array;
}

/** What an evaluation returns: the trained candidate (weights and state change in training) and its fitness. */
export interface EncodedResult {
  readonly id: number;
  readonly fitness: number;
  readonly metrics: Readonly<Record<string, number>>;
  /** The candidate after training, encoded. */
  readonly candidate: Uint8Array;
  readonly error?: string;
}

/** Computes the fitness of a population's candidates: in this thread, a worker pool or a job queue. */
export interface Evaluator {
  /**
   * The candidates after evaluation (trained, with fitness and metrics), in the order given. The
   * inputs are consumed: their tensors belong to the results. A candidate whose evaluation fails
   * (after the evaluator's retries) comes back with the worst fitness and its `error`.
   */
  evaluate(candidates: readonly Candidate[], ctx: { run: string; seed: number; generation: number }): Promise<Candidate[]>;
  /** Stops workers and frees what the evaluator holds. */
  close(): Promise<void>;
}

/** What a problem's evaluation of one candidate gives (higher fitness is better). */
export interface Evaluation {
  readonly fitness: number;
  readonly metrics: Readonly<Record<string, number>>;
  /** Why the evaluation failed (non-finite loss or weights, an exception); the fitness is then the worst. */
  readonly error?: string;
}

/** What a problem gets besides the candidate: the generation and the run's generators. */
export interface ProblemContext {
  readonly generation: number;
  /** The run's generators: batches come from `seeds(generation, "data", "batches")`, the same for every candidate. */
  readonly seeds: Seeds;
}

/**
 * A fitness function with its data, as a problem module's `problem(options)` returns it
 * (`ProblemRef` names the module): trains the candidate's graph and state in place, validates,
 * and returns the fitness. A candidate's own failure is reported in `error`, not thrown.
 */
export interface Problem {
  /** Trains `candidate` (its graph and state, in place) on the generation's batches and returns its fitness. */
  evaluate(candidate: Candidate, ctx: ProblemContext): Evaluation | Promise<Evaluation>;
  /** Frees the problem's own tensors (its data). */
  dispose?(): void;
}
