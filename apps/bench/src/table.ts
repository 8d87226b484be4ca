// The printed table: one line per row, PyTorch's anchor beside the rows that have one.
import type { Row } from "./row.js";

const ms = (x: number | null) => (x === null ? "-" : x < 10 ? x.toFixed(2) : x.toFixed(1));

export function formatTable(rows: readonly Row[]): string {
  const header = ["backend", "row", "fluxion ms", "baseline ms", "ratio", "tensors", "baseline", "check / anchor"];
  const lines = rows.map((r) => [
    r.backend,
    r.name,
    ms(r.fluxion_ms),
    ms(r.baseline_ms),
    r.ratio === null ? "-" : `${r.ratio.toFixed(2)}×`,
    `${r.tensors_before}→${r.tensors_after}`,
    r.baseline,
    r.anchor ? `${r.check}; ${r.anchor}` : r.check,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join(" | ");
  return [fmt(header), widths.map((w) => "-".repeat(w)).join("-|-"), ...lines.map(fmt)].join("\n");
}
