// The search report as one self-contained HTML page: inline CSS and SVG, no scripts, no external
// resources, so it opens from disk anywhere and can be mailed or archived as it is.
import { fitnessPlot } from "./fitness-plot.js";
import { escapeHtml, formatNumber } from "./html.js";
import type { AncestorRecord, ReportData } from "./report-data.js";
import { summaryTable } from "./summary-table.js";

const STYLE = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 62rem; padding: 0 1rem; color: #222; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
.about { color: #555; margin: 0; } svg text { font: 12px system-ui, sans-serif; fill: #444; }
table { border-collapse: collapse; font: 13px ui-monospace, monospace; } th, td { padding: .2rem .7rem; border-bottom: 1px solid #e4e4e4; text-align: left; vertical-align: top; }
th.num, td.num { text-align: right; } tfoot td { border: 0; color: #555; } ol.changes { margin: 0; padding-left: 1.2rem; }`;

function lineageTable(lineage: readonly AncestorRecord[]): string {
  if (lineage.length === 0) return "<p>No lineage recorded.</p>";
  const rows = lineage.map((a) => {
    const changes = a.operations.length ? `<ol class="changes">${a.operations.map((o) => `<li>${escapeHtml(o)}</li>`).join("")}</ol>` : a.parents.length ? "copied unchanged" : "initial population";
    return `<tr><td class="num">${a.generation}</td><td class="num">${a.id}</td><td>${a.parents.join(", ")}</td><td>${changes}</td><td class="num">${formatNumber(a.fitness)}</td></tr>`;
  });
  return [
    `<table class="lineage">`,
    `<thead><tr><th class="num">generation</th><th class="num">candidate</th><th>parents</th><th>changes made</th><th class="num">fitness</th></tr></thead>`,
    `<tbody>`,
    ...rows,
    `</tbody></table>`,
  ].join("\n");
}

function generationTable(data: ReportData): string {
  const rows = data.generations.map((r) => `<tr><td class="num">${r.generation}</td><td class="num">${formatNumber(r.best)}</td><td class="num">${formatNumber(r.median)}</td><td class="num">${r.bestId}</td><td class="num">${r.params}</td></tr>`);
  return [
    `<table class="generations">`,
    `<thead><tr><th class="num">generation</th><th class="num">best</th><th class="num">median</th><th class="num">best candidate</th><th class="num">its parameters</th></tr></thead>`,
    `<tbody>`,
    ...rows,
    `</tbody></table>`,
  ].join("\n");
}

/** The report page of `data`: the fitness plot, the best model's architecture and lineage, the numbers. */
export function renderReport(data: ReportData): string {
  const last = data.generations.at(-1);
  const headline = last ? `After generation ${last.generation}: best fitness ${formatNumber(last.best)}, median ${formatNumber(last.median)}.` : "No generation evaluated yet.";
  return [
    `<!doctype html>`,
    `<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${escapeHtml(data.title)}</title><style>${STYLE}</style></head><body>`,
    `<h1>${escapeHtml(data.title)}</h1>`,
    ...(data.about ?? []).map((line) => `<p class="about">${escapeHtml(line)}</p>`),
    `<p class="headline">${escapeHtml(headline)}</p>`,
    `<h2>Fitness per generation</h2>`,
    fitnessPlot(data.generations),
    `<h2>The best model's architecture</h2>`,
    summaryTable(data.summary),
    `<h2>The best model's lineage</h2>`,
    `<p>Its ancestors, the oldest first (through each candidate's first parent), and the changes that made each one.</p>`,
    lineageTable(data.lineage),
    `<h2>The numbers</h2>`,
    generationTable(data),
    `</body></html>`,
    ``,
  ].join("\n");
}
