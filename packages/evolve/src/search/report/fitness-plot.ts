// The report's plot: best and median fitness per generation as two SVG polylines, drawn with
// plain linear scales so each point can be read back: generation g at
// x = left + (g − first) / (last − first) · plotWidth, fitness f at
// y = top + (high − f) / (high − low) · plotHeight, with low/high the smallest/largest value drawn.
import { escapeHtml, formatNumber } from "./html.js";
import type { GenerationRecord } from "./report-data.js";

/** The plot's size and margins in SVG units (its viewBox is 0 0 width height). */
export const PLOT_BOX = { width: 640, height: 320, left: 64, right: 24, top: 16, bottom: 44 } as const;

const round = (x: number): number => Math.round(x * 100) / 100;

/** Where the plot puts generations and fitness values (SVG units, rounded to 0.01). */
export interface PlotScales {
  /** The x coordinate of generation `g`. */
  x(g: number): number;
  /** The y coordinate of fitness `f` (higher fitness, smaller y). */
  y(f: number): number;
  /** The fitness at the bottom and at the top of the plot. */
  readonly low: number;
  readonly high: number;
  /** The generations at the left and right edges. */
  readonly first: number;
  readonly last: number;
}

/** The scales of the plot of `generations`: a spread of zero is widened by ±0.5 around the value. */
export function plotScales(generations: readonly GenerationRecord[]): PlotScales {
  const values = generations.flatMap((r) => [r.best, r.median]).filter((v): v is number => v !== null && Number.isFinite(v));
  let low = values.length ? Math.min(...values) : 0;
  let high = values.length ? Math.max(...values) : 1;
  if (high === low) [low, high] = [low - 0.5, high + 0.5];
  const first = generations.length ? Math.min(...generations.map((r) => r.generation)) : 0;
  const last = generations.length ? Math.max(...generations.map((r) => r.generation)) : 1;
  const { width, height, left, right, top, bottom } = PLOT_BOX;
  const w = width - left - right;
  const h = height - top - bottom;
  return {
    x: (g) => round(last === first ? left + w / 2 : left + ((g - first) / (last - first)) * w),
    y: (f) => round(top + ((high - f) / (high - low)) * h),
    low,
    high,
    first,
    last,
  };
}

/** An inline `<svg>` of best (solid) and median (dashed) fitness per generation, with axes and a legend. */
export function fitnessPlot(generations: readonly GenerationRecord[]): string {
  const { width, height, left, right, top, bottom } = PLOT_BOX;
  const s = plotScales(generations);
  const sorted = [...generations].sort((a, b) => a.generation - b.generation);
  const points = (key: "best" | "median") =>
    sorted
      .filter((r) => r[key] !== null && Number.isFinite(r[key]))
      .map((r) => `${s.x(r.generation)},${s.y(r[key]!)}`)
      .join(" ");
  const yTicks = [0, 1, 2, 3, 4].map((i) => s.low + ((s.high - s.low) * i) / 4);
  const step = Math.max(1, Math.ceil((s.last - s.first) / 10));
  const xTicks = sorted.map((r) => r.generation).filter((g) => (g - s.first) % step === 0);
  const axisY = height - bottom;
  return [
    `<svg class="fitness-plot" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="best and median fitness per generation">`,
    `<rect x="${left}" y="${top}" width="${width - left - right}" height="${axisY - top}" fill="#fafafa" stroke="#ccc"/>`,
    ...yTicks.map((v) => `<g class="tick"><line x1="${left - 4}" x2="${width - right}" y1="${s.y(v)}" y2="${s.y(v)}" stroke="#e4e4e4"/><text x="${left - 8}" y="${s.y(v) + 4}" text-anchor="end">${formatNumber(v, 3)}</text></g>`),
    ...xTicks.map((g) => `<text class="tick" x="${s.x(g)}" y="${axisY + 16}" text-anchor="middle">${g}</text>`),
    `<text x="${left + (width - left - right) / 2}" y="${height - 6}" text-anchor="middle">generation</text>`,
    `<polyline class="median" points="${points("median")}" fill="none" stroke="#888" stroke-width="2" stroke-dasharray="6 4"/>`,
    `<polyline class="best" points="${points("best")}" fill="none" stroke="#1565c0" stroke-width="2.5"/>`,
    `<g class="legend" transform="translate(${left + 12},${top + 16})"><line x1="0" x2="24" y1="0" y2="0" stroke="#1565c0" stroke-width="2.5"/><text x="30" y="4">${escapeHtml("best")}</text><line x1="80" x2="104" y1="0" y2="0" stroke="#888" stroke-width="2" stroke-dasharray="6 4"/><text x="110" y="4">median</text></g>`,
    `</svg>`,
  ].join("\n");
}
