// The search report rendered from hand-made history: the numbers appear, the plot's points sit
// where the linear scales put them (worked out by hand below), the architecture table keeps its
// columns, the lineage follows first parents, and the page is written atomically.
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { liveTensors } from "@fluxion/backend/testing";
import { Adam } from "@fluxion/optimisers";
import { Dense, dispose, relu } from "@fluxion/nn";
import {
  CompGraph,
  PLOT_BOX,
  ancestry,
  concatVertex,
  graphSummary,
  inputVertex,
  parseSummary,
  renderReport,
  runReportData,
  vertex,
  writeReport,
  writeRunReport,
  type Candidate,
  type GenerationRecord,
  type ReportData,
} from "../src/index.js";

const scratch = mkdtempSync(path.join(os.tmpdir(), "fluxion-report-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Four generations: best 0.5, 0.75, 0.75, 1; median 0.25, 0.5, 0.5, 0.75.
const HISTORY: GenerationRecord[] = [
  { generation: 0, best: 0.5, median: 0.25, bestId: 3, params: 9 },
  { generation: 1, best: 0.75, median: 0.5, bestId: 7, params: 25 },
  { generation: 2, best: 0.75, median: 0.5, bestId: 7, params: 25 },
  { generation: 3, best: 1, median: 0.75, bestId: 12, params: 33 },
];
// By hand: the plot is 640 − 64 − 24 = 552 wide and 320 − 16 − 44 = 260 high; generations 0..3 span
// the width, fitness 0.25..1 the height (1 at the top, y = 16; 0.25 at the bottom, y = 276).
const EXPECTED_BEST = ["64,189.33", "248,102.67", "432,102.67", "616,16"];
const EXPECTED_MEDIAN = ["64,276", "248,189.33", "432,189.33", "616,102.67"];

function smallGraph(): CompGraph {
  const x = inputVertex("x", 2);
  const a = vertex("a", new Dense([2, 3], relu), x);
  const b = vertex("b", new Dense([2, 1], relu), x);
  const both = concatVertex("both", a, b);
  return new CompGraph(x, vertex("out", new Dense([4, 2]), both));
}

const polyline = (html: string, cls: string): string[] => new RegExp(`<polyline class="${cls}" points="([^"]*)"`).exec(html)![1]!.split(" ");

describe("renderReport", () => {
  let graph: CompGraph;
  let data: ReportData;
  let html: string;
  beforeAll(() => {
    graph = smallGraph();
    data = {
    title: "XOR <search>",
    about: ["seed 7 & population 4"],
    generations: HISTORY,
    summary: graphSummary(graph),
    lineage: [
      { id: 3, generation: 0, parents: [], operations: [], fitness: 0.5 },
      { id: 7, generation: 1, parents: [3], operations: ["insertAfter(x, dense1)", "changeNout(dense1, +2)"], fitness: 0.75 },
      { id: 12, generation: 3, parents: [7, 9], operations: ["Adam → Momentum"], fitness: 1 },
    ],
    };
    html = renderReport(data);
  });
  afterAll(() => dispose(graph));

  test("the plot's points are where the linear scales put the given numbers", () => {
    expect(PLOT_BOX).toEqual({ width: 640, height: 320, left: 64, right: 24, top: 16, bottom: 44 });
    expect(polyline(html, "best")).toEqual(EXPECTED_BEST);
    expect(polyline(html, "median")).toEqual(EXPECTED_MEDIAN);
    expect(html).toContain('viewBox="0 0 640 320"');
    // Tick labels of the fitness axis: low to high in quarters.
    for (const label of ["0.25", "0.438", "0.625", "0.813", "1"]) expect(html).toMatch(new RegExp(`text-anchor="end">${label.replace(".", "\\.")}</text>`));
  });

  test("missing and non-finite values are left out of the lines; one generation sits in the middle", () => {
    const gaps = renderReport({ ...data, generations: [HISTORY[0]!, { ...HISTORY[1]!, best: null, median: null }, HISTORY[3]!] });
    expect(polyline(gaps, "best")).toEqual(["64,189.33", "616,16"]);
    const one = renderReport({ ...data, generations: [{ generation: 5, best: 0.5, median: 0.5, bestId: 1, params: 2 }] });
    // One value: the fitness range is widened to 0..1, the point is in the middle.
    expect(polyline(one, "best")).toEqual(["340,146"]);
  });

  test("the numbers, the architecture and the lineage are in the page, escaped, and nothing is external", () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain("<title>XOR &lt;search&gt;</title>");
    expect(html).toContain("seed 7 &amp; population 4");
    expect(html).toContain("After generation 3: best fitness 1, median 0.75.");
    expect(html).toContain('<tr><td class="num">1</td><td class="num">0.75</td><td class="num">0.5</td><td class="num">7</td><td class="num">25</td></tr>');
    // The architecture: one row per vertex, columns kept (the input has no inputs, nin is empty).
    expect(html).toContain('<tr><td>x</td><td>input [2]</td><td></td><td class="num"></td><td class="num">2</td><td class="num">0</td></tr>');
    expect(html).toContain('<tr><td>both</td><td>concat</td><td>a, b</td><td class="num">3, 1</td><td class="num">4</td><td class="num">0</td></tr>');
    expect(html).toContain("Total: 22 parameters"); // 2·3+3 + 2·1+1 + 4·2+2
    // The lineage, oldest first, with the changes made.
    const lineage = html.slice(html.indexOf('<table class="lineage">'));
    expect(lineage.indexOf(">initial population<")).toBeLessThan(lineage.indexOf("<li>insertAfter(x, dense1)</li><li>changeNout(dense1, +2)</li>"));
    expect(lineage).toContain("<td>7, 9</td><td><ol class=\"changes\"><li>Adam → Momentum</li></ol></td>");
    expect(html).not.toMatch(/<script|<link|src=|href=|url\(/);
  });

  test("parseSummary reads graphSummary's columns by its rule of dashes", () => {
    const { rows, total } = parseSummary(graphSummary(graph));
    expect(rows[0]).toEqual(["vertex", "layer", "inputs", "nin", "nout", "parameters"]);
    expect(rows.map((r) => r[0])).toEqual(["vertex", "x", "a", "b", "both", "out"]);
    expect(rows[5]!.slice(2)).toEqual(["both", "4", "2", "10"]);
    expect(total).toBe("Total: 22 parameters");
    expect(() => parseSummary("not a summary")).toThrow("parseSummary: expected graphSummary's text");
  });
});

describe("writeReport", () => {
  test("writes <dir>/report.html atomically (no temporary file left) and says where", async () => {
    const graph = smallGraph();
    const file = await writeReport(scratch + "/", { title: "t", generations: HISTORY, summary: graphSummary(graph), lineage: [] });
    dispose(graph);
    expect(file).toBe(path.join(scratch, "report.html"));
    expect(readFileSync(file, "utf8")).toContain('<polyline class="best" points="64,189.33 248,102.67 432,102.67 616,16"');
    expect(readdirSync(scratch).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  test("a missing directory is a clear error", async () => {
    const dir = path.join(scratch, "absent");
    await expect(writeReport(dir, { title: "t", generations: [], summary: "a\n-\n", lineage: [] })).rejects.toThrow(`writeReport: cannot write '${dir}/report.html': the directory does not exist`);
  });
});

describe("the report of a run", () => {
  // A hand-made run.json: three generations; candidate 7 descends from 4, which descends from 3.
  const history = [
    { generation: 0, best: 0.75, bestId: 3, bestParams: 13, median: 0.5, size: 4, failed: 1 },
    { generation: 1, best: 0.9, bestId: 4, bestParams: 14, median: 0.8, size: 4, failed: 0 },
    { generation: 2, best: 1, bestId: 7, bestParams: 22, median: -Infinity, size: 2, failed: 1 },
  ];
  const lineage = {
    "0": { generation: 0, parents: [], operations: [], fitness: 0.5 },
    "3": { generation: 0, parents: [], operations: [], fitness: 0.8 },
    "4": { generation: 1, parents: [3], operations: ["changeNout(a, +1)"], fitness: 0.95 },
    "6": { generation: 1, parents: [0, 3], operations: ["crossover"], fitness: null },
    "7": { generation: 2, parents: [4, 6], operations: ["setActivation(a, tanh)"], fitness: 1 },
  };
  let graph: CompGraph;
  beforeAll(() => {
    graph = smallGraph();
  });
  afterAll(() => dispose(graph));
  const cand = (id: number): Candidate => ({ id, generation: 2, graph, rule: new Adam(), state: {}, fitness: 1, lineage: { parents: [], operations: [] } }) as Candidate;

  test("the ancestry follows first parents, the oldest first", () => {
    expect(ancestry(lineage, 7).map((a) => [a.id, a.generation, a.fitness, a.operations])).toEqual([
      [3, 0, 0.8, []],
      [4, 1, 0.95, ["changeNout(a, +1)"]],
      [7, 2, 1, ["setActivation(a, tanh)"]],
    ]);
    expect(ancestry(lineage, 6).map((a) => a.id)).toEqual([0, 6]);
    expect(ancestry(lineage, 99)).toEqual([]);
  });

  test("runReportData: generations from the history (non-finite values as gaps), the best model's summary", () => {
    const before = liveTensors();
    const data = runReportData({ title: "r", about: ["a"] }, history, lineage, cand(7));
    expect(data.generations).toEqual([
      { generation: 0, best: 0.75, median: 0.5, bestId: 3, params: 13 },
      { generation: 1, best: 0.9, median: 0.8, bestId: 4, params: 14 },
      { generation: 2, best: 1, median: null, bestId: 7, params: 22 },
    ]);
    expect(data.summary).toBe(graphSummary(graph));
    expect(data.lineage.map((a) => a.id)).toEqual([3, 4, 7]);
    expect(liveTensors()).toBe(before);
  });

  test("writeRunReport reads the run's run.json and writes report.html beside it", async () => {
    const dir = mkdtempSync(path.join(scratch, "run-"));
    await expect(writeRunReport(dir, { title: "r" }, [cand(7)])).rejects.toThrow(`writeRunReport: '${dir}' holds no search run (no run.json)`);
    writeFileSync(path.join(dir, "run.json"), JSON.stringify({ history, lineage }));
    await expect(writeRunReport(dir, { title: "r" }, [cand(5)])).rejects.toThrow("writeRunReport: the best candidate of generation 2 (id 7) is not in the population given (ids 5)");
    const file = await writeRunReport(dir, { title: "XOR run" }, [cand(5), cand(7)]);
    expect(file).toBe(path.join(dir, "report.html"));
    const html = readFileSync(file, "utf8");
    // Best 0.75, 0.9, 1 over generations 0..2 (range 0.5..1; the median of generation 2 is left out).
    expect(polyline(html, "best")).toEqual(["64,146", "340,68", "616,16"]);
    expect(polyline(html, "median")).toEqual(["64,276", "340,120"]);
    expect(html).toContain("<li>setActivation(a, tanh)</li>");
  });
});
