// What a search report shows: fitness per generation, and the best model's architecture and
// ancestry. Plain JSON-able values, so a run can keep them next to its checkpoint.

/** The fitness of one generation's population. */
export interface GenerationRecord {
  readonly generation: number;
  /** The highest fitness (null when no candidate had a finite fitness). */
  readonly best: number | null;
  /** The median fitness of the candidates with a finite fitness (null when none had one). */
  readonly median: number | null;
  /** The id of the best candidate. */
  readonly bestId: number;
  /** The best candidate's parameter count. */
  readonly params: number;
}

/** One candidate as its descendants remember it. */
export interface AncestorRecord {
  readonly id: number;
  readonly generation: number;
  readonly parents: readonly number[];
  /** What was done to the parents to make it (empty for the initial population). */
  readonly operations: readonly string[];
  /** Its fitness when it was evaluated (null if never, or not finite). */
  readonly fitness: number | null;
}

/** Everything `renderReport` draws. */
export interface ReportData {
  readonly title: string;
  /** Lines under the title: the data, the command, the settings. */
  readonly about?: readonly string[];
  readonly generations: readonly GenerationRecord[];
  /** The best model's `graphSummary`. */
  readonly summary: string;
  /** The best model's ancestors, the oldest first, ending with the best model itself. */
  readonly lineage: readonly AncestorRecord[];
}
