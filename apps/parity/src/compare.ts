// Tolerances per backend, relative to each output's scale. wasm reorders long sums (XNNPACK),
// webgl computes in float32 textures (its floatPrecision() says 16, but results are float32-level).
// Measured worst cases over the whole suite: wasm 9.2e-7 (a 4096-element mean), webgl 4.4e-7
// (LayerNorm's scale gradient); the margins allow other CPUs and SwiftShader versions, no more.
import type { CaseResult, Values } from "./case.js";

export const TOLERANCE: Record<string, number> = { cpu: 0, wasm: 4e-6, webgl: 4e-6 };

export interface Mismatch {
  case: string;
  output: string;
  problem: string;
}

/**
 * Element i agrees when |got − ref| ≤ rtol · (|ref| + ‖ref‖∞): relative for large elements and
 * relative to the output's scale for elements near zero (a gradient's cancelling entries).
 */
export function compareValues(got: Values, ref: Values, rtol: number): string | undefined {
  if (got.shape.join(",") !== ref.shape.join(",")) return `shape [${got.shape}] but expected [${ref.shape}]`;
  const scale = ref.values.reduce((m, v) => (Number.isFinite(v) ? Math.max(m, Math.abs(v)) : m), 0);
  let worst = { index: -1, error: 0, allowed: 0 };
  for (let i = 0; i < ref.values.length; i++) {
    const g = got.values[i]!;
    const r = ref.values[i]!;
    if (Number.isNaN(r) || !Number.isFinite(r)) {
      if (!Object.is(g, r) && !(Number.isNaN(g) && Number.isNaN(r))) return `element ${i} is ${g} but expected ${r}`;
      continue;
    }
    const error = Math.abs(g - r);
    const allowed = rtol * (Math.abs(r) + scale);
    if (!(error <= allowed) && error / (allowed || 1e-300) > worst.error / (worst.allowed || 1e-300)) {
      worst = { index: i, error, allowed };
    }
  }
  if (worst.index < 0) return undefined;
  const i = worst.index;
  return `element ${i} is ${got.values[i]} but expected ${ref.values[i]} (|diff| ${worst.error.toExponential(2)} > ${worst.allowed.toExponential(2)})`;
}

/** Every disagreement between `results` (one backend) and `reference` (cpu), case by case. */
export function compareResults(results: CaseResult[], reference: CaseResult[], rtol: number): Mismatch[] {
  const mismatches: Mismatch[] = [];
  const byName = new Map(results.map((r) => [`${r.group}/${r.name}`, r]));
  for (const ref of reference) {
    const key = `${ref.group}/${ref.name}`;
    const got = byName.get(key);
    if (!got) {
      mismatches.push({ case: key, output: "-", problem: "case missing" });
      continue;
    }
    if (got.error || ref.error) {
      mismatches.push({ case: key, output: "-", problem: `error: ${(got.error ?? ref.error)!.split("\n")[0]}` });
      continue;
    }
    if (got.leaked !== 0) mismatches.push({ case: key, output: "-", problem: `leaked ${got.leaked} tensor(s)` });
    for (const [name, refValues] of Object.entries(ref.outputs)) {
      const values = got.outputs[name];
      const problem = values ? compareValues(values, refValues, rtol) : "output missing";
      if (problem) mismatches.push({ case: key, output: name, problem });
    }
  }
  return mismatches;
}

/**
 * Where fluxion's gradient and tfjs's stock one disagree on the backend that computed both: each
 * `fluxion.<x>` output of a "gradients" case against its `stock.<x>` (the backend's tolerance, at
 * least wasm's: the explicit transposes may sum in another order than the transposed kernels).
 */
export function stockMismatches(results: CaseResult[], rtol: number): Mismatch[] {
  return results
    .filter((r) => r.group === "gradients")
    .flatMap((r) =>
      Object.keys(r.outputs)
        .filter((name) => name.startsWith("fluxion."))
        .flatMap((name) => {
          const stock = r.outputs[name.replace("fluxion.", "stock.")];
          const problem = stock ? compareValues(r.outputs[name]!, stock, Math.max(rtol, TOLERANCE.wasm!)) : "stock output missing";
          return problem ? [{ case: `${r.group}/${r.name}`, output: name, problem }] : [];
        }),
    );
}
