// The shape every evolve dataset takes (rows of features with a label or a target, split three
// ways), and the helpers the datasets share: picking rows, seeded splits, standardising.
import type { Rng } from "fluxion";

/** Rows of `features` numbers, one after another, with one label (class index) or target per row. */
export interface Split {
  /** [n · features] feature values. */
  readonly x: Float32Array;
  /** Class indices (classification) or targets (regression), one per row. */
  readonly y: readonly number[];
}

/** A dataset for the search: fitness uses `validation`, never `test`. */
export interface Dataset {
  readonly name: string;
  readonly task: "classification" | "regression";
  readonly features: number;
  /** The shape of one example (features last): `[features]`, or `[28, 28, 1]` for images. */
  readonly inputShape: readonly number[];
  /** The number of classes (classification) or 1 (regression). */
  readonly outputs: number;
  readonly train: Split;
  readonly validation: Split;
  readonly test: Split;
  /** One line on where the data comes from and how it was split. */
  readonly about: string;
}

/** The rows `idx` of `x` (rows of `features` numbers) with their `y`. */
export function pickRows(x: ArrayLike<number>, y: readonly number[], features: number, idx: readonly number[]): Split {
  const out = new Float32Array(idx.length * features);
  idx.forEach((k, row) => {
    for (let f = 0; f < features; f++) out[row * features + f] = x[k * features + f]!;
  });
  return { x: out, y: idx.map((k) => y[k]!) };
}

/**
 * Row indices split into consecutive parts of the given sizes (fractions of each class when
 * stratified), after a seeded shuffle: the same parts for the same seed.
 */
export function splitIndices(labels: readonly number[], fractions: readonly number[], rng: Rng, stratified: boolean): number[][] {
  const groups = stratified ? [...new Set(labels)].sort((a, b) => a - b).map((c) => labels.flatMap((l, i) => (l === c ? [i] : []))) : [labels.map((_, i) => i)];
  const parts: number[][] = fractions.map(() => []);
  for (const group of groups) {
    const order = rng.permutation(group.length).map((k) => group[k]!);
    let start = 0;
    fractions.forEach((f, p) => {
      const end = p === fractions.length - 1 ? order.length : start + Math.round(f * order.length);
      parts[p]!.push(...order.slice(start, end));
      start = end;
    });
  }
  // Shuffle the stratified parts too, so classes are not in blocks.
  return parts.map((part) => rng.permutation(part.length).map((k) => part[k]!));
}

/** Each feature shifted and scaled by the mean and standard deviation of `train` only (no test leakage). */
export function standardise(features: number, train: Split, ...others: Split[]): Split[] {
  const n = train.y.length;
  const mean = new Float64Array(features);
  const sd = new Float64Array(features);
  for (let r = 0; r < n; r++) for (let f = 0; f < features; f++) mean[f]! += train.x[r * features + f]! / n;
  for (let r = 0; r < n; r++) for (let f = 0; f < features; f++) sd[f]! += (train.x[r * features + f]! - mean[f]!) ** 2 / n;
  for (let f = 0; f < features; f++) sd[f] = Math.sqrt(sd[f]!) || 1;
  return [train, ...others].map((s) => ({ y: s.y, x: s.x.map((v, i) => (v - mean[i % features]!) / sd[i % features]!) }));
}
