// The report of a search run: built from what runSearch saves (run.json's history and lineage)
// and the current population (for the best model's architecture), so the report shows exactly
// what the checkpoint holds, resumed runs included.
import { errorCode, readFileBytes } from "@fluxion/backend/internal";
import { describe } from "@fluxion/functors";
import { graphSummary } from "../../graph/summary.js";
import type { Candidate } from "../interfaces.js";
import type { RunState } from "../run/checkpoint.js";
import type { GenerationSummary, LineageRecord } from "../run/summary.js";
import type { AncestorRecord, GenerationRecord, ReportData } from "./report-data.js";
import { writeReport } from "./write-report.js";

/** What a report of a run needs besides its history and lineage. */
export interface RunReportOptions {
  readonly title: string;
  readonly about?: readonly string[];
}

const finiteOrNull = (x: number | null | undefined): number | null => (typeof x === "number" && Number.isFinite(x) ? x : null);

/** The ancestors of `id` through first parents, the oldest first, ending with `id` itself. */
export function ancestry(lineage: Readonly<Record<string, LineageRecord>>, id: number): AncestorRecord[] {
  const chain: AncestorRecord[] = [];
  const seen = new Set<number>();
  for (let at: number | undefined = id; at !== undefined && !seen.has(at) && lineage[at] !== undefined; at = lineage[at]!.parents[0]) {
    seen.add(at);
    const r = lineage[at]!;
    chain.unshift({ id: at, generation: r.generation, parents: [...r.parents], operations: [...r.operations], fitness: finiteOrNull(r.fitness) });
  }
  return chain;
}

/** The report of a run from its history and lineage (as runSearch returns and saves them) and its best candidate. */
export function runReportData(options: RunReportOptions, history: readonly GenerationSummary[], lineage: Readonly<Record<string, LineageRecord>>, best: Candidate): ReportData {
  const generations: GenerationRecord[] = history.map((h) => ({ generation: h.generation, best: finiteOrNull(h.best), median: finiteOrNull(h.median), bestId: h.bestId, params: h.bestParams }));
  return { title: options.title, about: [...(options.about ?? [])], generations, summary: graphSummary(best.graph), lineage: ancestry(lineage, best.id) };
}

/**
 * Writes `<dir>/report.html` for the run saved in `dir` (its run.json), whose last evaluated
 * population is `population`: call it from runSearch's `onGeneration`. Resolves to the file's path.
 */
export async function writeRunReport(dir: string, options: RunReportOptions, population: readonly Candidate[]): Promise<string> {
  const fn = "writeRunReport";
  const file = `${dir.replace(/[\\/]+$/, "")}/run.json`;
  let state: RunState;
  try {
    state = JSON.parse(new TextDecoder().decode(await readFileBytes(file, { fn, bytesHint: "use runReportData and writeReport" }))) as RunState;
  } catch (err) {
    if (errorCode(err) === "ENOENT") throw new Error(`${fn}: '${dir}' holds no search run (no run.json): pass runSearch's checkpoint directory`, { cause: err });
    throw err;
  }
  if (!Array.isArray(state?.history) || state.history.length === 0 || typeof state.lineage !== "object") throw new Error(`${fn}: '${file}' has no history and lineage, got ${describe(state)}`);
  const bestId = state.history.at(-1)!.bestId;
  const best = population.find((c) => c.id === bestId);
  if (best === undefined) throw new Error(`${fn}: the best candidate of generation ${state.history.at(-1)!.generation} (id ${bestId}) is not in the population given (ids ${population.map((c) => c.id).join(", ")})`);
  return writeReport(dir, runReportData(options, state.history, state.lineage, best));
}
