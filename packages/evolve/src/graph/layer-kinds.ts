// What the graph needs to know of each nn layer a vertex can hold: how its size relates to its
// input's (NaiveNASlib's traits: absorb, invariant, flatten) and which tensors are indexed by
// neurons, along which axis, and what a new neuron's entries start as (NaiveNASflux's
// `randoutzeroin`: random where a neuron is produced, zero where it is consumed, so the function
// is unchanged).
import { tf } from "@fluxion/backend";
import { describe, functor } from "@fluxion/functors";
import {
  AlphaDropout,
  BatchNorm,
  Conv,
  CrossCor,
  Dense,
  Dropout,
  GlobalMaxPool,
  GlobalMeanPool,
  LayerNorm,
  MaxPool,
  MeanPool,
  Scale,
  flatten,
} from "@fluxion/nn";

/**
 * - absorb: nin and nout are the layer's own (Dense, Conv); size changes stop here.
 * - invariant: nout = nin (activations, norms, dropout, pooling); neurons pass through.
 * - flatten: [batch, …spatial, c] → [batch, Πspatial·c]; each neuron repeats once per position.
 */
export type SizeKind = "absorb" | "invariant" | "flatten";

/** How a new entry of a neuron-indexed tensor starts. */
export type Fill = "random" | "zero" | "one";

/** A tensor of the layer indexed by neurons: its path in the layer, and its in / out axes. */
export interface NeuronParam {
  path: readonly string[];
  /** The axis indexed by the input's neurons (absorb layers' weights). */
  in?: number;
  /** The axis indexed by the layer's own output neurons. */
  out?: number;
  /** New output neurons' entries (new input entries are always zero). */
  fill: Fill;
}

/** What the graph knows of a layer type, given to `registerLayerKind`: how its size behaves and which tensors follow its neurons. */
export interface LayerKind {
  /** How its output size relates to its input size. */
  size: SizeKind;
  /** The class name printed in summaries and errors. */
  name: string;
  /** Absorb layers: the feature sizes they take and give. */
  nin?(layer: any): number;
  /** Absorb layers: the feature size they give. */
  nout?(layer: any): number;
  /** Neuron-indexed tensors (missing or false fields are skipped). */
  params(layer: any): NeuronParam[];
  /** Non-tensor fields that follow the size (BatchNorm's `chs`), given the new nout. */
  sizeFields?(layer: any, nout: number): Record<string, unknown>;
  /** Why this instance cannot be resized, if it cannot (e.g. grouped convolution). */
  refuse?(layer: any): string | undefined;
}

const kinds: [test: (l: unknown) => boolean, kind: LayerKind][] = [];

/** Teaches the graph a layer type (checked in registration order, latest first). */
export function registerLayerKind(test: (layer: unknown) => boolean, kind: LayerKind): void {
  kinds.unshift([test, kind]);
}

const PASS: Omit<LayerKind, "name"> = { size: "invariant", params: () => [] };

const convLike = (name: string): LayerKind => ({
  size: "absorb",
  name,
  nin: (l) => l.weight.shape.at(-2) * (l.groups ?? 1),
  nout: (l) => l.weight.shape.at(-1),
  params: (l) => [
    { path: ["weight"], in: l.weight.rank - 2, out: l.weight.rank - 1, fill: "random" },
    { path: ["bias"], out: 0, fill: "zero" },
  ],
  refuse: (l) => ((l.groups ?? 1) !== 1 ? `${name} with groups = ${l.groups} (its inputs and outputs are tied group-wise)` : undefined),
});

registerLayerKind((l) => l instanceof Dense, {
  size: "absorb",
  name: "Dense",
  nin: (l) => l.weight.shape[0],
  nout: (l) => l.weight.shape[1],
  params: () => [
    { path: ["weight"], in: 0, out: 1, fill: "random" },
    { path: ["bias"], out: 0, fill: "zero" },
  ],
});
registerLayerKind((l) => l instanceof Conv, convLike("Conv"));
registerLayerKind((l) => l instanceof CrossCor, convLike("CrossCor"));
registerLayerKind((l) => l instanceof BatchNorm, {
  size: "invariant",
  name: "BatchNorm",
  params: () => [
    { path: ["beta"], out: 0, fill: "zero" },
    { path: ["gamma"], out: 0, fill: "one" },
    { path: ["mu"], out: 0, fill: "zero" },
    { path: ["sigma2"], out: 0, fill: "one" },
  ],
  sizeFields: (_l, n) => ({ chs: n }),
});
registerLayerKind((l) => l instanceof LayerNorm, {
  size: "invariant",
  name: "LayerNorm",
  params: (l) =>
    l.diag instanceof Scale
      ? [
          { path: ["diag", "scale"], out: 0, fill: "one" },
          { path: ["diag", "bias"], out: 0, fill: "zero" },
        ]
      : [],
  sizeFields: (_l, n) => ({ size: [n] }),
  refuse: (l) => (l.size.length !== 1 ? `LayerNorm over ${l.size.length} dims` : undefined),
});
for (const [C, name] of [
  [Dropout, "Dropout"],
  [AlphaDropout, "AlphaDropout"],
  [MaxPool, "MaxPool"],
  [MeanPool, "MeanPool"],
  [GlobalMaxPool, "GlobalMaxPool"],
  [GlobalMeanPool, "GlobalMeanPool"],
] as const) {
  registerLayerKind((l) => l instanceof C, { ...PASS, name });
}
// Plain functions: `flatten`, and activations (relu, softmax, …) acting element-wise.
registerLayerKind((l) => typeof l === "function", { ...PASS, name: "function" });
registerLayerKind((l) => l === flatten, { size: "flatten", name: "flatten", params: () => [] });

/** The kind of a layer, or an error naming what is supported. */
export function kindOf(layer: unknown): LayerKind {
  for (const [test, kind] of kinds) if (test(layer)) return kind;
  throw new Error(
    `evolve: a graph vertex cannot hold ${describe(layer)}; supported: Dense, Conv and CrossCor (1-d, 2-d, 3-d), BatchNorm, LayerNorm, Dropout, AlphaDropout, pooling, flatten and activation functions (registerLayerKind adds others)`,
  );
}

/** The tensor at `path` inside `layer`, or null where the layer has none (a `false` bias). */
export function paramAt(layer: unknown, path: readonly string[]): tf.Tensor | null {
  let x: unknown = layer;
  for (const k of path) x = x === null || typeof x !== "object" ? undefined : (x as Record<string, unknown>)[k];
  return x instanceof tf.Tensor ? x : null;
}

/** A copy of `layer` (same class, rebuilt through its functor) with the values at `changes`' paths replaced. */
export function withFields(layer: unknown, changes: readonly [path: readonly string[], value: unknown][]): unknown {
  const here = changes.filter(([p]) => p.length === 1);
  const deeper = new Map<string, [readonly string[], unknown][]>();
  for (const [p, v] of changes) if (p.length > 1) deeper.set(p[0]!, [...(deeper.get(p[0]!) ?? []), [p.slice(1), v]]);
  const [children, re] = functor(layer);
  const next: Record<string, unknown> = { ...children };
  for (const [[k], v] of here) next[k!] = v;
  for (const [k, sub] of deeper) next[k] = withFields(children[k], sub);
  return re(next);
}
