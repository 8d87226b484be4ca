// The search report rendered from hand-made history: the numbers appear, the plot's points sit
// where the linear scales put them (worked out by hand below), the architecture table keeps its
// columns, the lineage follows first parents, and the page is written atomically.
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { liveTensors } from "@fluxion/backend/testing";
import { Adam } from "@fluxion/optimisers";
import { Dense, dispose, relu } from "@fluxion/nn";
import {
  CompGraph,
  PLOT_BOX,
  SearchRecord,
  concatVertex,
  graphSummary,
  inputVertex,
  parseSummary,
  renderReport,
  vertex,
  writeReport,
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

describe("SearchRecord", () => {
  // Candidates with hand-set fitness; params come from metrics, so no graph is read except the best's.
  let graph: CompGraph;
  beforeAll(() => (graph = smallGraph()));
  afterAll(() => dispose(graph));
  const cand = (id: number, generation: number, fitness: number | undefined, parents: number[] = [], operations: string[] = []): Candidate =>
    ({ id, generation, graph, rule: new Adam(), state: {}, fitness, metrics: { params: 10 + id }, lineage: { parents, operations } }) as Candidate;

  test("best, median (finite values only) and parameters per generation; the ancestry through first parents", () => {
    const before = liveTensors();
    const record = new SearchRecord();
    const g0 = [cand(0, 0, 0.5), cand(1, 0, 0.25), cand(2, 0, -Infinity), cand(3, 0, 0.75)];
    expect(record.record(0, g0)).toEqual({ generation: 0, best: 0.75, median: 0.5, bestId: 3, params: 13 });
    const g1 = [cand(3, 0, 0.8), cand(4, 1, 0.9, [3], ["changeNout(a, +1)"]), cand(5, 1, NaN, [0], ["removeVertex(a)"]), cand(6, 1, 0.1, [1, 3], ["crossover"])];
    expect(record.record(1, g1)).toEqual({ generation: 1, best: 0.9, median: 0.8, bestId: 4, params: 14 });
    const g2 = [cand(4, 1, 0.95, [3], ["changeNout(a, +1)"]), cand(7, 2, 1, [4], ["setActivation(a, tanh)"])];
    record.record(2, g2);
    expect(record.ancestry(7).map((a) => [a.id, a.fitness, a.operations])).toEqual([
      [3, 0.8, []],
      [4, 0.95, ["changeNout(a, +1)"]],
      [7, 1, ["setActivation(a, tanh)"]],
    ]);
    // Candidates no living one descends from are forgotten (0, 1, 2, 5, 6).
    expect(record.toJSON().ancestors.map((a) => a.id).sort()).toEqual([3, 4, 7]);
    const data = record.reportData("r", g2[1]!);
    expect(data.generations.map((r) => r.best)).toEqual([0.75, 0.9, 1]);
    expect(data.summary).toBe(graphSummary(graph));
    expect(liveTensors()).toBe(before);
  });

  test("re-recording a generation replaces it and forgets later ones; save and load round-trip", async () => {
    const record = new SearchRecord();
    record.record(0, [cand(0, 0, 0.5)]);
    record.record(1, [cand(1, 1, 0.6, [0])]);
    record.record(2, [cand(2, 2, 0.7, [1])]);
    record.record(1, [cand(1, 1, 0.65, [0])]);
    expect(record.history().map((r) => [r.generation, r.best])).toEqual([
      [0, 0.5],
      [1, 0.65],
    ]);
    const dir = mkdtempSync(path.join(scratch, "record-"));
    expect((await SearchRecord.load(dir)).history()).toEqual([]);
    await record.save(dir);
    const loaded = await SearchRecord.load(dir);
    expect(loaded.toJSON()).toEqual(record.toJSON());
    expect(() => SearchRecord.fromJSON({ generations: 1 })).toThrow("SearchRecord.fromJSON: expected { generations: [...], ancestors: [...] }");
  });
});
