// NaiveGAflux's KernelSizeMutation: grow or shrink a convolution's kernel, keeping the output's
// shape (the padding changes with it) and the weights aligned, so growing keeps the function.
import { tf } from "@fluxion/backend";
import { fleaves, fmap } from "@fluxion/functors";
import { Leaf } from "@fluxion/optimisers";
import { Conv, CrossCor, outputsize } from "@fluxion/nn";
import { vertexShapes } from "../../graph/comp-graph.js";
import { transact } from "../../graph/draft.js";
import { withFields } from "../../graph/layer-kinds.js";
import { selectTensor, type AxisSelection } from "../../graph/select.js";
import type { Mutation, OperatorContext } from "../interfaces.js";
import type { Mutated } from "./combinators.js";
import { operationOptions } from "./graph-context.js";
import type { VertexAt } from "./vertex-mutation.js";

/** Options of `KernelSizeMutation`. */
export interface KernelSizeOptions {
  /** The changes to draw from, applied to every spatial dim (default [-2, 2]: odd kernels stay odd). */
  deltas?: readonly number[];
  /** The largest kernel size (default 7). */
  maxSize?: number;
}

/**
 * Changes the kernel size of a Conv / CrossCor vertex (not grouped) by a Δ drawn from `deltas`,
 * within [1, maxSize]. The padding changes by as much as the kernel, so the output keeps its
 * shape; old weights keep their place relative to the input and new entries are zero, so growing
 * leaves the function unchanged (shrinking crops the border). The optimiser state of the weight
 * follows (new entries at the rule's initial value). No change when no valid size or padding exists.
 */
export class KernelSizeMutation implements Mutation<VertexAt> {
  readonly kind = "mutation";
  readonly deltas: readonly number[];
  readonly maxSize: number;
  constructor(options: KernelSizeOptions = {}) {
    const deltas = options.deltas ?? [-2, 2];
    if (!Array.isArray(deltas) || deltas.length === 0 || !deltas.every((d) => Number.isInteger(d) && d !== 0)) throw new Error(`KernelSizeMutation: deltas must be non-zero integers, got ${JSON.stringify(options.deltas)}`);
    const maxSize = options.maxSize ?? 7;
    if (!Number.isInteger(maxSize) || maxSize < 1) throw new Error(`KernelSizeMutation: maxSize must be a positive integer, got ${String(options.maxSize)}`);
    this.deltas = Object.freeze([...deltas]);
    this.maxSize = maxSize;
  }

  apply(at: VertexAt, ctx: OperatorContext): Mutated<VertexAt> {
    const { graph, name } = at;
    const none = { value: at, changes: [] };
    const layer = graph.layers[name];
    if (!(layer instanceof Conv || layer instanceof CrossCor) || ((layer as Conv).groups ?? 1) !== 1) return none;
    const delta = this.deltas[ctx.rng.int(this.deltas.length)]!;
    const n = layer.stride.length;
    const kernel = layer.weight.shape.slice(0, n);
    const next = kernel.map((k) => k + delta);
    if (next.some((k) => k < 1 || k > this.maxSize)) return none;
    // Per dim: the padding grows by dilation·Δ (split as SamePad splits), the weights shift by the change of the low padding.
    const pad: number[] = [];
    const offsets: number[] = [];
    for (let i = 0; i < n; i++) {
      const d = layer.dilation[i]!;
      const [lo, hi] = [layer.pad[2 * i]!, layer.pad[2 * i + 1]!];
      const grow = d * delta;
      const lo2 = lo + Math.ceil(grow / 2);
      const hi2 = hi + grow - Math.ceil(grow / 2);
      if (lo2 < 0 || hi2 < 0 || (lo2 - lo) % d !== 0) return none;
      pad.push(lo2, hi2);
      const shift = (lo2 - lo) / d;
      offsets.push(layer instanceof Conv ? delta - shift : shift); // Conv flips its kernel
    }
    const axes: AxisSelection = layer.weight.shape.map((_, a) => (a < n ? Array.from({ length: next[a]! }, (_, j) => (j - offsets[a]! >= 0 && j - offsets[a]! < kernel[a]! ? j - offsets[a]! : -1)) : null));
    const zeros = (shape: number[]): Float32Array => new Float32Array(shape.reduce((a, b) => a * b, 1));
    const made: tf.Tensor[] = [];
    try {
      const values = selectTensor(layer.weight, axes, zeros);
      const weight = tf.variable(values, layer.weight.trainable);
      values.dispose();
      made.push(weight);
      const replaced = withFields(layer, [
        [["weight"], weight],
        [["pad"], pad],
      ]);
      const inShape = vertexShapes(graph).get(graph.spec.vertices.find((v) => v.name === name)!.inputs[0]!)!;
      if (!tf.util.arraysEqual(outputsize(replaced as never, inShape), vertexShapes(graph).get(name)!)) throw new KeepGraph();
      const leaf = weightLeaf(ctx.state, name);
      const state = leaf ? followState(leaf, layer.weight, weight, axes, made) : undefined;
      transact(graph, operationOptions(ctx), (draft) => {
        draft.layers[name] = replaced;
      });
      if (leaf && state) {
        const keep = new Set(fleaves(state.next));
        tf.dispose(fleaves(leaf.state).filter((t): t is tf.Tensor => t instanceof tf.Tensor && !keep.has(t)));
        leaf.state = state.next;
      }
    } catch (err) {
      tf.dispose(made);
      if (err instanceof KeepGraph) return none;
      throw err;
    }
    return { value: at, changes: [`kernelSize(${name}, ${kernel.join("×")} → ${next.join("×")})`] };
  }
}

class KeepGraph extends Error {}

function weightLeaf(state: unknown, name: string): Leaf | null {
  const x = (state as { layers?: Record<string, { weight?: unknown }> } | undefined)?.layers?.[name]?.weight;
  return x instanceof Leaf ? x : null;
}

/** The weight's state re-laid as the weight was; new entries from the rule's initial state. */
function followState(leaf: Leaf, old: tf.Tensor, weight: tf.Tensor, axes: AxisSelection, made: tf.Tensor[]): { next: unknown } {
  const init = fleaves(tf.tidy(() => leaf.rule.init(weight) as never)).filter((t): t is tf.Tensor => t instanceof tf.Tensor);
  try {
    let k = 0;
    const next = fmap((t: unknown) => {
      if (!(t instanceof tf.Tensor) || !tf.util.arraysEqual(t.shape, old.shape)) return t;
      const fill = init[k++];
      const x = selectTensor(t, axes, (shape) => (fill ? fill.dataSync() : new Float32Array(shape.reduce((a, b) => a * b, 1))));
      made.push(x);
      return x;
    }, leaf.state);
    return { next };
  } finally {
    tf.dispose(init);
  }
}
