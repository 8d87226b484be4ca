// A run's directory: one `gen-<N>/` of candidate files per checkpoint and `run.json`, written last
// and atomically, naming the complete one. A run killed at any moment leaves either the old
// run.json and its directory or the new ones; directories run.json does not name are leftovers.
import { errorCode, nodeFs, readFileBytes, writeFileAtomic } from "@fluxion/backend/internal";
import { describe } from "@fluxion/functors";
import { candidateCodec, disposeCandidate } from "../candidate.js";
import type { Candidate } from "../interfaces.js";
import { PersistentArray } from "../../utils/persistent-array.js";
import type { GenerationSummary, LineageRecord } from "./summary.js";

const FORMAT = "fluxion-evolve-run";
const VERSION = 1;
const HINT = "run the search without a checkpoint directory";
const SUFFIX = ".cand";

/** What identifies a run: a directory of another run is refused. */
export interface RunIdentity {
  readonly seed: number;
  readonly populationSize: number;
  /** The problem's key (its module, export and options). */
  readonly problem: string;
}

/** The contents of `run.json`. */
export interface RunState extends RunIdentity {
  /** The last complete (evaluated and saved) generation. */
  readonly generation: number;
  /** The id the next new candidate gets. */
  readonly nextId: number;
  /** The directory (under the run's) holding that generation's candidates, and how many. */
  readonly population: { readonly dir: string; readonly size: number };
  readonly history: readonly GenerationSummary[];
  readonly lineage: Readonly<Record<string, LineageRecord>>;
}

const join = (dir: string, name: string): string => `${dir.replace(/\/+$/, "")}/${name}`;
const ctx = (fn: string) => ({ fn, bytesHint: HINT });

/** Refuses a run directory of another run, naming what differs. */
export function checkIdentity(dir: string, saved: RunIdentity, wanted: RunIdentity): void {
  const diffs = (["seed", "populationSize", "problem"] as const).filter((k) => saved[k] !== wanted[k]).map((k) => `${k} ${saved[k]} (this run: ${wanted[k]})`);
  if (diffs.length > 0) throw new Error(`runSearch: '${dir}' holds the checkpoint of another run: ${diffs.join("; ")}. Use another directory, or the same settings to resume it`);
}

/** The run's state and its last complete population, or null when the directory has no run.json. */
export async function readCheckpoint(dir: string): Promise<{ state: RunState; population: Candidate[] } | null> {
  const fn = "runSearch";
  let bytes: Uint8Array;
  try {
    bytes = await readFileBytes(join(dir, "run.json"), ctx(fn));
  } catch (err) {
    if (errorCode(err) === "ENOENT") return null;
    throw err;
  }
  let state: RunState & { format?: unknown; version?: unknown };
  try {
    state = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new Error(`${fn}: '${join(dir, "run.json")}' is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (state?.format !== FORMAT) throw new Error(`${fn}: '${join(dir, "run.json")}' is not a search checkpoint (format ${describe(state?.format)}, expected "${FORMAT}")`);
  if (state.version !== VERSION) throw new Error(`${fn}: '${join(dir, "run.json")}' has version ${describe(state.version)}; this package reads version ${VERSION}`);
  const population = await PersistentArray.create(join(dir, state.population.dir), state.population.size, undefined, { suffix: SUFFIX, codec: candidateCodec });
  return { state, population: [...population] };
}

/**
 * Saves an evaluated population and the run's state: the candidates into a fresh `gen-<N>/`,
 * then `run.json` (atomically: the commit point), then removes every other `gen-*` directory.
 */
export async function writeCheckpoint(dir: string, state: Omit<RunState, "population">, population: readonly Candidate[]): Promise<void> {
  const fn = "runSearch";
  const fs = await nodeFs(ctx(fn));
  const name = `gen-${state.generation}`;
  await fs.rm(join(dir, name), { recursive: true, force: true }); // a leftover of a killed attempt
  await PersistentArray.wrap(join(dir, name), population, { suffix: SUFFIX, codec: candidateCodec }).persist();
  const full: RunState & { format: string; version: number } = { format: FORMAT, version: VERSION, ...state, population: { dir: name, size: population.length } };
  await writeFileAtomic(join(dir, "run.json"), new TextEncoder().encode(JSON.stringify(full)), ctx(fn));
  for (const entry of await fs.readdir(dir)) {
    if (/^gen-\d+$/.test(entry) && entry !== name) await fs.rm(join(dir, entry), { recursive: true, force: true });
  }
}

/** Creates the run directory if needed. */
export async function ensureDir(dir: string): Promise<void> {
  const fs = await nodeFs(ctx("runSearch"));
  await fs.mkdir(dir, { recursive: true });
}

/** Frees a loaded population (when the caller fails half-way). */
export function disposeAll(population: readonly Candidate[]): void {
  population.forEach(disposeCandidate);
}
