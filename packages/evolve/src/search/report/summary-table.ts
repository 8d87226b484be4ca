// graphSummary's plain-text table as an HTML table. The dashed rule under its header gives each
// column's exact width, so empty cells (an input has no inputs) stay in their columns.
import { escapeHtml } from "./html.js";

/** The rows of a `graphSummary` text (header first) and its closing "Total: …" line. */
export function parseSummary(summary: string): { rows: string[][]; total: string } {
  const lines = summary.split("\n");
  const rule = lines[1] ?? "";
  if (!/^-+( {2}-+)*$/.test(rule)) throw new Error(`parseSummary: expected graphSummary's text (a header, then a rule of dashes), got ${JSON.stringify(lines.slice(0, 2).join("\n"))}`);
  const spans: [number, number][] = [];
  for (const m of rule.matchAll(/-+/g)) spans.push([m.index, m.index + m[0].length]);
  const cells = (line: string) => spans.map(([a, b]) => line.slice(a, b).trim());
  const body = lines.slice(2).filter((l) => l !== "" && !l.startsWith("Total:"));
  return { rows: [cells(lines[0]!), ...body.map(cells)], total: lines.find((l) => l.startsWith("Total:")) ?? "" };
}

/** An HTML `<table>` of a graphSummary text (numeric columns right-aligned). */
export function summaryTable(summary: string): string {
  const { rows, total } = parseSummary(summary);
  const [header, ...body] = rows;
  const numeric = new Set([3, 4, 5]);
  const td = (tag: string, c: string, i: number) => `<${tag}${numeric.has(i) ? ' class="num"' : ""}>${escapeHtml(c)}</${tag}>`;
  return [
    `<table class="architecture">`,
    `<thead><tr>${header!.map((c, i) => td("th", c, i)).join("")}</tr></thead>`,
    `<tbody>`,
    ...body.map((r) => `<tr>${r.map((c, i) => td("td", c, i)).join("")}</tr>`),
    `</tbody>`,
    `<tfoot><tr><td colspan="${header!.length}">${escapeHtml(total)}</td></tr></tfoot>`,
    `</table>`,
  ].join("\n");
}
