// Flux's printing (`src/layers/show.jl`): the one-line `repr` and the multi-line `show` with
// parameter counts, flags for all-zero / NaN / Inf parameters, and a Total line.
import { tf } from "@fluxion/backend";
import { isLeaf, isPlainObject, fleaves } from "@fluxion/functors";
import { float32String } from "@fluxion/backend/internal";
import { trainable, trainables } from "@fluxion/optimisers";
import { activationName } from "../functions/activations.js";
import { showModeOf } from "./declare.js";
import { isLeafLike } from "./modules.js";

/** Something that prints itself on one line (Julia's 2-argument `show`). */
interface Repr {
  repr(): string;
}
const hasRepr = (x: unknown): x is Repr => x !== null && typeof x === "object" && typeof (x as Repr).repr === "function";

/** A number as Julia prints an Int (`3`) or a Float32 (`0.4`, `1.0e-5`). */
export function numberString(x: number): string {
  return Number.isInteger(x) && Math.abs(x) < 1e15 ? String(x) : float32String(x);
}

/** A shape as Julia writes an array's size: `3-element`, `2×3`. */
export function dimsString(shape: readonly number[]): string {
  if (shape.length === 0) return "0-dimensional";
  if (shape.length === 1) return `${shape[0]}-element`;
  return shape.join("×");
}

/** The one-line form of `x`: a layer's own `repr()`, a function's name, a tuple `(1, 2)`, … */
export function repr(x: unknown): string {
  if (hasRepr(x)) return x.repr();
  if (typeof x === "function") return activationName(x);
  if (x instanceof tf.Tensor) return `${dimsString(x.shape)} ${x instanceof tf.Variable ? "Variable" : "Tensor"}{${x.dtype}}`;
  if (typeof x === "number") return numberString(x);
  if (typeof x === "string") return JSON.stringify(x);
  if (x === null || x === undefined) return "nothing";
  if (Array.isArray(x)) return x.length === 1 ? `(${repr(x[0])},)` : `(${x.map(repr).join(", ")})`;
  if (isPlainObject(x)) return `(${Object.entries(x).map(([k, v]) => `${k} = ${repr(v)}`).join(", ")})`;
  if (x instanceof Map) return `Map(${[...x].map(([k, v]) => `${repr(k)} => ${repr(v)}`).join(", ")})`;
  return String(x);
}

/** 1628170 → "1_628_170", as Flux prints counts. */
export function underscorise(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "_");
}

/** Julia's `Base.format_bytes`: "276 bytes", "1 byte", "200.211 KiB". */
export function formatBytes(n: number): string {
  const units = ["byte", "KiB", "MiB", "GiB", "TiB", "PiB"];
  if (n === 0 || n === 1) return `${n} byte${n === 1 ? "" : "s"}`;
  const unit = Math.min(units.length, Math.ceil(Math.log(n) / Math.log(1024)));
  if (unit <= 1) return `${n} bytes`;
  return `${(n / 1024 ** (unit - 1)).toFixed(3)} ${units[unit - 1]}`;
}

const length = (ts: readonly tf.Tensor[]): number => ts.reduce((s, t) => s + t.size, 0);
/** Every tensor reachable through children, repeats included (Flux's `childarray_sum`). */
const numericLeaves = (x: unknown): tf.Tensor[] => fleaves(x).filter((t) => t instanceof tf.Tensor) as tf.Tensor[];

type Named = [string | null, unknown];

/**
 * A layer whose `[showsVector]` is true lists an array field as one bracketed child, as Flux does
 * for a Vector (`Chain([a, b])`); otherwise arrays are splatted, as Flux splats tuples.
 */
export const showsVector: unique symbol = Symbol("showsVector");
const keepsVectors = (x: unknown): boolean => (x as { [showsVector]?: boolean })[showsVector] === true;

/** What `show` lists inside `x`: a layer's trainable fields, with arrays and plain objects splatted. */
function showChildren(x: unknown): Named[] {
  if (Array.isArray(x)) return x.map((c) => [null, c]);
  if (isPlainObject(x)) return Object.entries(x);
  if (x instanceof Map) return [...x].map(([k, v]) => [String(k), v]);
  const fields = trainable(x);
  const values: unknown[] = Array.isArray(fields) ? fields : fields instanceof Map ? [...fields.values()] : Object.values(fields as object);
  if (!showModeOf(x) || keepsVectors(x)) return values.map((c) => [null, c]);
  return values.flatMap((c): Named[] => (Array.isArray(c) ? c.map((e) => [null, e]) : isPlainObject(c) ? Object.entries(c) : [[null, c]]));
}

function brackets(x: unknown): [string, string] {
  if (Array.isArray(x)) return ["[", "]"];
  if (isPlainObject(x)) return ["(;", ")"];
  return [`${(x as object).constructor?.name ?? "Object"}(`, ")"];
}

function layerShow(x: unknown, indent: number, name: string | null, lines: string[]): void {
  const str = (name === null ? "" : `${name} = `) + repr(x);
  let line = " ".repeat(indent) + str + (indent === 0 ? "" : ",");
  const ps = trainables(x);
  if (ps.length > 0) {
    const total = length(ps);
    line += " ".repeat(Math.max(2, (indent === 0 ? 20 : 39) - indent - str.length)) + `# ${underscorise(total)} parameters`;
    const nonparam = length(numericLeaves(x)) - total;
    if (nonparam > 0) line += `, plus ${underscorise(nonparam)}${indent === 0 ? " non-trainable" : ""}`;
    line += flags(ps);
  }
  lines.push(line);
}

function flags(ps: readonly tf.Tensor[]): string {
  const values = ps.map((p) => p.dataSync());
  if (values.every((v) => v.every((e) => e === 0))) return "  (all zero)";
  if (values.some((v) => v.some((e) => Number.isNaN(e)))) return "  (some NaN)";
  if (values.some((v) => v.some((e) => e === Infinity || e === -Infinity))) return "  (some Inf)";
  return "";
}

function bigShow(x: unknown, indent: number, name: string | null, lines: string[]): void {
  if (showModeOf(x) === "noexpand" || isLeaf(x)) return layerShow(x, indent, name, lines);
  const children = showChildren(x);
  if (children.every(([, c]) => isLeafLike(c))) return layerShow(x, indent, name, lines);
  const [pre, post] = brackets(x);
  lines.push(" ".repeat(indent) + (name === null ? "" : `${name} = `) + pre);
  for (const [k, c] of children) bigShow(c, indent + 2, k, lines);
  lines.push(indent === 0 ? `${post} ${finale(x)}`.trimEnd() : `${" ".repeat(indent)}${post},`);
}

/** The Total comment after a top-level expanded model (nothing for fewer than 3 arrays). */
function finale(m: unknown): string {
  const ps = trainables(m);
  if (ps.length <= 2) return "";
  const all = numericLeaves(m);
  // Julia's summarysize counts object overhead; ours is the bytes of the distinct tensors.
  const bytes = formatBytes([...new Set(all)].reduce((s, t) => s + t.size * 4, 0));
  const noncnt = all.length - ps.length;
  if (noncnt === 0) return `${" ".repeat(18)}# Total: ${ps.length} arrays, ${underscorise(length(ps))} parameters, ${bytes}.`;
  return (
    `${" ".repeat(8)}# Total: ${ps.length} trainable arrays, ${underscorise(length(ps))} parameters,\n` +
    `${" ".repeat(10)}# plus ${noncnt} non-trainable, ${underscorise(length(all) - length(ps))} parameters, summarysize ${bytes}.`
  );
}

/**
 * Flux's REPL display of a model: declared layers expand into one line per sub-layer with a
 * parameter comment; anything else prints as its `repr`. Colour-free; no trailing spaces.
 */
export function show(x: unknown): string {
  const mode = showModeOf(x);
  if (mode === undefined || mode === "ignore") return repr(x);
  const lines: string[] = [];
  bigShow(x, 0, null, lines);
  return lines.join("\n");
}
