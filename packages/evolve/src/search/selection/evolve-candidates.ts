// NaiveGAflux's EvolveCandidates(MapCandidate(...)) with crossover: children of the selected
// candidates, made through ctx.child (deep copies), then crossed over in pairs and mutated.
import { dispose } from "@fluxion/nn";
import type { Rule, StateTree } from "@fluxion/optimisers";
import type { CompGraph } from "../../graph/comp-graph.js";
import type { Candidate, Crossover, Evolution, EvolutionContext, Mutation } from "../interfaces.js";
import { checkMutation } from "../mutations/combinators.js";
import { followRule } from "../mutations/rule-state.js";

/** Options of `EvolveCandidates`. */
export interface EvolveCandidatesOptions {
  /** Mutates each child's graph in place; its optimiser state follows. */
  graph?: Mutation<CompGraph>;
  /** Mutates each child's rule; its state is kept when only hyper-parameters change, made anew when a type changes. */
  rule?: Mutation<Rule>;
  /** Crossover of consecutive children (0 with 1, 2 with 3, …), each pair with probability `p` (default 1), before mutation. */
  crossover?: { graph?: Crossover<CompGraph>; rule?: Crossover<Rule>; p?: number };
}

/** A child being made: the candidate from ctx.child and what is done to it. */
interface Making {
  c: Candidate;
  graph: CompGraph;
  rule: Rule;
  state: StateTree;
  parents: number[];
  ops: string[];
}

/**
 * Makes one new candidate per given candidate, in order: `ctx.child(parent)` (a deep copy with the
 * next id), then crossover of pairs, then the graph mutation and the rule mutation. Each child's
 * random draws come from `ctx.seeds(generation, childId, purpose)` ("crossover", "mutate graph",
 * "mutate rule"), so nothing depends on the order of evaluation. The lineage lists the parents
 * (two after a crossover) and every change.
 */
export class EvolveCandidates implements Evolution {
  readonly options: EvolveCandidatesOptions;
  constructor(options: EvolveCandidatesOptions = {}) {
    if (options.graph !== undefined) checkMutation("EvolveCandidates", options.graph, "the graph mutation");
    if (options.rule !== undefined) checkMutation("EvolveCandidates", options.rule, "the rule mutation");
    const p = options.crossover?.p ?? 1;
    if (!(p >= 0 && p <= 1)) throw new Error(`EvolveCandidates: the crossover probability must be in [0, 1], got ${String(options.crossover?.p)}`);
    for (const [k, x] of Object.entries(options.crossover ?? {})) {
      if (k !== "p" && (x === null || typeof x !== "object" || (x as Crossover<unknown>).kind !== "crossover")) throw new Error(`EvolveCandidates: crossover.${k} must be a Crossover (kind "crossover")`);
    }
    this.options = options;
  }

  /** The candidates of the next generation made from `population` (see the class). */
  evolve(population: readonly Candidate[], ctx: EvolutionContext): Candidate[] {
    const made: Making[] = [];
    try {
      for (const parent of population) {
        const c = ctx.child(parent);
        made.push({ c, graph: c.graph, rule: c.rule, state: c.state, parents: [parent.id], ops: [] });
      }
      const cross = this.options.crossover;
      if (cross && (cross.graph || cross.rule)) for (let i = 0; i + 1 < made.length; i += 2) this.cross(made[i]!, made[i + 1]!, ctx);
      for (const m of made) this.mutate(m, ctx);
    } catch (err) {
      for (const m of made) dispose([m.graph, m.state]);
      throw err;
    }
    return made.map((m) => ({ ...m.c, graph: m.graph, rule: m.rule, state: m.state, lineage: { parents: m.parents, operations: [...m.c.lineage.operations, ...m.ops] } }));
  }

  private cross(a: Making, b: Making, ctx: EvolutionContext): void {
    const { graph, rule, p = 1 } = this.options.crossover!;
    const rng = ctx.seeds(ctx.generation, a.c.id, "crossover");
    if (rng.float() >= p) return;
    const changes: string[] = [];
    if (rule) {
      const r = rule.apply(a.rule, b.rule, { rng });
      [a.rule, b.rule] = r.values;
      changes.push(...r.changes);
    }
    if (graph) {
      const r = graph.apply(a.graph, b.graph, { rng, states: [a.state, b.state] });
      for (const [m, g] of [[a, r.values[0]], [b, r.values[1]]] as const) {
        if (g !== m.graph) throw new Error("EvolveCandidates: a graph crossover must change the two graphs in place and return them");
      }
      changes.push(...r.changes);
    }
    if (changes.length === 0) return;
    for (const m of [a, b]) {
      const rebuilt = followRule(m.state, m.graph, m.rule);
      m.ops.push(...changes, ...rebuiltNote(rebuilt));
    }
    a.parents = [a.parents[0]!, b.parents[0]!];
    b.parents = [b.parents[0]!, a.parents[0]!];
  }

  private mutate(m: Making, ctx: EvolutionContext): void {
    const { graph, rule } = this.options;
    if (graph) m.ops.push(...graph.apply(m.graph, { rng: ctx.seeds(ctx.generation, m.c.id, "mutate graph"), state: m.state, rule: m.rule }).changes);
    if (rule) {
      const r = rule.apply(m.rule, { rng: ctx.seeds(ctx.generation, m.c.id, "mutate rule") });
      if (r.value !== m.rule) {
        m.rule = r.value;
        const rebuilt = followRule(m.state, m.graph, m.rule);
        m.ops.push(...r.changes, ...rebuiltNote(rebuilt));
      }
    }
  }
}

/** The lineage entry for vertices whose optimiser state was made anew (none: no entry). */
function rebuiltNote(rebuilt: readonly string[]): string[] {
  return rebuilt.length ? [`new optimiser state for ${rebuilt.join(", ")}`] : [];
}
