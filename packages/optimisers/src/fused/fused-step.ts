// A step's fused part: which Leafs' updates run as one loop per rule over raw float32 memory
// (parameter and state rewritten where they are), planned before any is run so that an error
// anywhere in the step still leaves everything as it was.
import type { tf } from "@fluxion/backend";
import { rewriteFloat32, rewriteProblem } from "@fluxion/backend/internal";
import type { Rule } from "../rule.js";
import { OptimiserChain } from "../rules/optimiser-chain.js";
import { stageOf, type Stage } from "./kernels.js";
import { runSimd, type SimdPre } from "./simd.js";

/** A Leaf's fused update: its state after the step, and `run`, which writes parameter and state. */
export interface FusedPlan {
  state: unknown;
  run(): void;
}

/** The stages of a rule (a chain's rules in order), or null when one has no kernel. */
function stagesOf(rule: Rule, state: unknown): Stage[] | null {
  if (rule.constructor !== OptimiserChain) {
    const stage = stageOf(rule, state);
    return stage && [stage];
  }
  const { opts } = rule as OptimiserChain;
  if (opts.length === 0 || !Array.isArray(state) || state.length !== opts.length) return null;
  const stages: Stage[] = [];
  for (let i = 0; i < opts.length; i++) {
    const stage = stageOf(opts[i]!, state[i]);
    if (stage === null) return null;
    stages.push(stage);
  }
  return stages;
}

/**
 * The fused Leafs of one step. `plan` admits a Leaf when its rule has kernels, its tensors can be
 * rewritten (`rewriteProblem`), and it touches nothing another admitted Leaf writes or reads (a
 * gradient that is another Leaf's parameter must be read before that one is written).
 */
export class FusedSteps {
  private readonly written = new Set<object>();
  private readonly read = new Set<object>();
  private readonly plans: FusedPlan[] = [];

  /** The plan for one Leaf (its rule resolved at its step), or null: take the op-by-op path. */
  plan(rule: Rule, state: unknown, x: tf.Tensor, dx: tf.Tensor): FusedPlan | null {
    const stages = stagesOf(rule, state);
    if (stages === null) return null;
    const writes = [x, ...stages.flatMap((s) => s.tensors)];
    if (rewriteProblem(writes, [dx]) !== null) return null;
    if (writes.some((t) => this.written.has(t.dataId) || this.read.has(t.dataId)) || this.written.has(dx.dataId)) return null;
    for (const t of writes) this.written.add(t.dataId);
    this.read.add(dx.dataId);
    const plan: FusedPlan = {
      state: stages.length === 1 && rule.constructor !== OptimiserChain ? stages[0]!.state : stages.map((s) => s.state),
      // A chain passes its running update through a scratch array between its rules.
      run: () => rewriteFloat32(writes, [dx], (ins, outs, [g], scratch) => runStages(stages, ins, outs, g!, scratch), stages.length > 1 ? dx.size : 0),
    };
    this.plans.push(plan);
    return plan;
  }

  /** Runs every admitted plan: the commit of the step's fused part. */
  runAll(): void {
    for (const p of this.plans) p.run();
  }
}

/**
 * The stages in order over one tensor (`ins[0]`/`outs[0]` the parameter, then each stage's state
 * arrays): in SIMD when every stage has it, over the first multiple of 4 elements, else in the
 * JavaScript loops, which also do what SIMD left.
 */
function runStages(stages: readonly Stage[], ins: Float32Array[], outs: Float32Array[], g: Float32Array, scratch: Float32Array): void {
  const last = stages[stages.length - 1]!;
  const pre = stages.slice(0, -1).map((s) => s.simdPre);
  const done = last.simd && pre.every((p) => p !== undefined) && runSimd(pre as SimdPre[], last.simd, ins, outs, g, scratch) ? g.length & ~3 : 0;
  if (done === g.length) return;
  const rest = (a: Float32Array): Float32Array => (done === 0 ? a : a.subarray(done));
  runLoops(stages, ins.map(rest), outs.map(rest), rest(g), rest(scratch));
}

/** The stages' JavaScript loops in order, each reading the previous one's update from `scratch`. */
function runLoops(stages: readonly Stage[], ins: Float32Array[], outs: Float32Array[], g: Float32Array, scratch: Float32Array): void {
  let src = g;
  let k = 1;
  stages.forEach((stage, j) => {
    const last = j === stages.length - 1;
    const dst = last ? outs[0]! : scratch;
    const m = stage.tensors.length;
    stage.loop(ins[0]!, src, dst, last, ins.slice(k, k + m), outs.slice(k, k + m));
    src = dst;
    k += m;
  });
}
