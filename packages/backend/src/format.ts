// Julia-style printing of numbers, tuples and arrays, so states and rules read like Optimisers.jl's.
import { tf } from "./tf.js";

/** A float as Julia prints a Float64: `0.001`, `1.0e-8`, `10.0`, `1.0e6`. */
export function juliaFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Inf" : "-Inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const a = Math.abs(x);
  if (a < 1e-4 || a >= 1e6) {
    const [m, e] = x.toExponential().split("e");
    return `${m!.includes(".") ? m : `${m}.0`}e${e!.replace("+", "")}`;
  }
  const s = String(x);
  return s.includes(".") ? s : `${s}.0`;
}

/** The shortest decimal that reads back as the same float32 (how Julia prints a Float32). */
export function float32String(x: number): string {
  const f = Math.fround(x);
  if (!Number.isFinite(f) || f === 0) return juliaFloat(f);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(f.toPrecision(digits));
    if (Math.fround(candidate) === f) return juliaFloat(candidate);
  }
  return juliaFloat(f);
}

/** A tensor as Julia prints an array: `[1.0, 2.0]`, a matrix `[1.0 2.0; 3.0 4.0]`. */
export function tensorString(t: tf.Tensor): string {
  if (t.isDisposed) return "<disposed tensor>";
  const values = Array.from(t.dataSync() as Float32Array, (v) => (t.dtype === "float32" ? float32String(v) : String(v)));
  if (t.rank === 0) return values[0]!;
  if (t.rank === 1) return `[${values.join(", ")}]`;
  if (t.rank === 2) {
    const [r, c] = t.shape as [number, number];
    const rows = Array.from({ length: r }, (_, i) => values.slice(i * c, (i + 1) * c).join(" "));
    return `[${rows.join("; ")}]`;
  }
  return `${t.dtype}[${t.shape.join("×")}]`;
}

/** A state value: tensors, tuples (arrays), numbers, null as `nothing`. */
export function juliaValue(v: unknown): string {
  if (v === null || v === undefined) return "nothing";
  // State counters are integers; everything else is a float.
  if (typeof v === "number") return Number.isSafeInteger(v) ? String(v) : juliaFloat(v);
  if (typeof v === "boolean") return String(v);
  if (typeof v === "function") return (v as { spec?: { toString(): string } }).spec?.toString() ?? "<schedule>";
  if (v instanceof tf.Tensor) return tensorString(v);
  if (Array.isArray(v)) return `(${v.map(juliaValue).join(", ")}${v.length === 1 ? "," : ""})`;
  return String(v);
}
