// What a run remembers for its report: the fitness of each generation and the ancestry of the
// current population (ancestors no living candidate descends from are forgotten, so it stays
// small). It is saved as JSON next to the checkpoint and re-recording a generation replaces it
// and forgets later ones, so a resumed run's record matches an uninterrupted run's.
import { errorCode, readFileBytes, writeFileAtomic } from "@fluxion/backend/internal";
import { graphSummary } from "../../graph/summary.js";
import { parameterCount } from "../fitness/train-validate.js";
import type { Candidate } from "../interfaces.js";
import type { AncestorRecord, GenerationRecord, ReportData } from "./report-data.js";

/** The record's file name inside the checkpoint directory. */
export const RECORD_FILE = "search-record.json";

const finite = (x: number | undefined): x is number => x !== undefined && Number.isFinite(x);

/** The median of `xs` (not empty): the mean of the middle two for an even count. */
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The candidate's parameter count: its `metrics.params`, else counted. */
function candidateParams(c: Candidate): number {
  return c.metrics?.params ?? parameterCount(c.graph);
}

/** The candidate with the highest finite fitness (the first one on a tie; the first if none is finite). */
export function bestCandidate<C extends Candidate>(population: readonly C[]): C {
  if (population.length === 0) throw new Error("bestCandidate: the population is empty");
  return population.reduce((best, c) => (finite(c.fitness) && (!finite(best.fitness) || c.fitness > best.fitness) ? c : best));
}

/** The fitness history and ancestry of a run. */
export class SearchRecord {
  private readonly generations: GenerationRecord[] = [];
  private readonly ancestors = new Map<number, AncestorRecord>();

  /** Records the evaluated `population` of `generation`, replacing that generation and forgetting later ones. */
  record(generation: number, population: readonly Candidate[]): GenerationRecord {
    const scores = population.map((c) => c.fitness).filter(finite);
    const best = bestCandidate(population);
    const entry: GenerationRecord = {
      generation,
      best: scores.length ? Math.max(...scores) : null,
      median: scores.length ? median(scores) : null,
      bestId: best.id,
      params: candidateParams(best),
    };
    const keep = this.generations.filter((r) => r.generation < generation);
    this.generations.splice(0, this.generations.length, ...keep, entry);
    for (const c of population) {
      this.ancestors.set(c.id, { id: c.id, generation: c.generation, parents: [...c.lineage.parents], operations: [...c.lineage.operations], fitness: finite(c.fitness) ? c.fitness : null });
    }
    this.forgetUnreachable(population.map((c) => c.id));
    return entry;
  }

  /** The recorded generations, in order. */
  history(): readonly GenerationRecord[] {
    return this.generations;
  }

  /** The ancestors of `id` through first parents, the oldest first, ending with `id` itself. */
  ancestry(id: number): AncestorRecord[] {
    const chain: AncestorRecord[] = [];
    for (let a = this.ancestors.get(id); a !== undefined && chain.length <= this.ancestors.size; a = this.ancestors.get(a.parents[0]!)) chain.unshift(a);
    return chain;
  }

  /** What `renderReport` draws for this run, whose best candidate is `best`. */
  reportData(title: string, best: Candidate, about: readonly string[] = []): ReportData {
    return { title, about, generations: [...this.generations], summary: graphSummary(best.graph), lineage: this.ancestry(best.id) };
  }

  /** The record as JSON text. */
  toJSON(): { generations: GenerationRecord[]; ancestors: AncestorRecord[] } {
    return { generations: [...this.generations], ancestors: [...this.ancestors.values()] };
  }

  /** A record from what `toJSON` gave. */
  static fromJSON(json: unknown): SearchRecord {
    const j = json as { generations?: unknown; ancestors?: unknown };
    if (!j || !Array.isArray(j.generations) || !Array.isArray(j.ancestors)) throw new Error("SearchRecord.fromJSON: expected { generations: [...], ancestors: [...] }");
    const r = new SearchRecord();
    r.generations.push(...(j.generations as GenerationRecord[]));
    for (const a of j.ancestors as AncestorRecord[]) r.ancestors.set(a.id, a);
    return r;
  }

  /** Writes the record to `<dir>/search-record.json` atomically. Node only. */
  async save(dir: string): Promise<void> {
    await writeFileAtomic(recordPath(dir), new TextEncoder().encode(JSON.stringify(this)), { fn: "SearchRecord.save", bytesHint: "use toJSON" });
  }

  /** The record saved in `dir`, or an empty one if there is none. Node only. */
  static async load(dir: string): Promise<SearchRecord> {
    let bytes: Uint8Array;
    try {
      bytes = await readFileBytes(recordPath(dir), { fn: "SearchRecord.load", bytesHint: "use fromJSON" });
    } catch (err) {
      if (errorCode(err) === "ENOENT") return new SearchRecord();
      throw err;
    }
    return SearchRecord.fromJSON(JSON.parse(new TextDecoder().decode(bytes)));
  }

  private forgetUnreachable(living: number[]): void {
    const reachable = new Set<number>();
    const stack = [...living];
    while (stack.length) {
      const id = stack.pop()!;
      if (reachable.has(id)) continue;
      reachable.add(id);
      stack.push(...(this.ancestors.get(id)?.parents ?? []));
    }
    for (const id of [...this.ancestors.keys()]) if (!reachable.has(id)) this.ancestors.delete(id);
  }
}

function recordPath(dir: string): string {
  return `${dir.replace(/[\\/]+$/, "")}/${RECORD_FILE}`;
}
