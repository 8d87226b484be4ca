// A result row of the benchmark, as written to results/latest.json.

export interface Row {
  name: string;
  backend: string;
  fluxion_ms: number;
  /** null where tfjs has no counterpart to time (the MNIST demo). */
  baseline_ms: number | null;
  /** baseline_ms / fluxion_ms: > 1 means fluxion is faster. */
  ratio: number | null;
  /** What the baseline is (tf.train.adam, trainOnBatch, hand-written tfjs ops …). */
  baseline: string;
  /** `tf.memory().numTensors` before the row's set-up and after its clean-up. */
  tensors_before: number;
  tensors_after: number;
  /** Free-form check result: max parameter difference, first losses, … */
  check: string;
  /** PyTorch's figure for the same step, quoted from perf-anchors.md. */
  anchor?: string;
}

export function makeRow(fields: Omit<Row, "ratio">): Row {
  const ratio = fields.baseline_ms === null ? null : fields.baseline_ms / fields.fluxion_ms;
  return { ...fields, ratio };
}
