// A parity case is a deterministic computation (seeded inputs, seeded initialisers) that returns
// named tensors or numbers; the same case runs on every backend and the results are compared.
import { tf } from "@fluxion/backend";
import { liveTensors } from "@fluxion/backend/testing";

export type Output = tf.Tensor | number | number[];
export type Outputs = Record<string, Output>;

export type Group = "optimisers" | "layers" | "losses" | "destructure" | "gradients";

export interface ParityCase {
  group: Group;
  name: string;
  /** Builds inputs, computes, and returns results; it must dispose everything it does not return. */
  run(): Outputs;
}

export interface Values {
  shape: number[];
  values: number[];
}

export interface CaseResult {
  group: Group;
  name: string;
  outputs: Record<string, Values>;
  /** Tensors left alive by the case beyond the outputs it returned (must be 0). */
  leaked: number;
  error?: string;
}

/** Runs every case on the current backend and returns plain numbers (JSON-safe, for the browser). */
export function runCases(cases: readonly ParityCase[]): CaseResult[] {
  return cases.map(runCase);
}

function runCase(c: ParityCase): CaseResult {
  const before = liveTensors();
  const result: CaseResult = { group: c.group, name: c.name, outputs: {}, leaked: 0 };
  let outputs: Outputs = {};
  try {
    outputs = c.run();
    for (const [key, out] of Object.entries(outputs)) result.outputs[key] = toValues(out);
  } catch (err) {
    result.error = (err as Error).stack ?? String(err);
  }
  const returned = Object.values(outputs).filter((o): o is tf.Tensor => o instanceof tf.Tensor);
  tf.dispose(returned);
  result.leaked = liveTensors() - before;
  return result;
}

function toValues(out: Output): Values {
  if (out instanceof tf.Tensor) return { shape: out.shape.slice(), values: Array.from(out.dataSync(), Number) };
  if (typeof out === "number") return { shape: [], values: [out] };
  return { shape: [out.length], values: out.slice() };
}
