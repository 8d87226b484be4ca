// NaiveGAflux's PersistentArray: an array whose elements can be saved one file each and loaded
// again, so a population survives a restart. The files are read once, when it is created; after
// that the array and the files are independent until `persist` writes the array out.
import { errorCode, fileProblem, nodeFs, readFileBytes, writeFileAtomic } from "@fluxion/backend/internal";
import { jsonCodec, type Codec } from "./codec.js";

const NO_FILES = "PersistentArray keeps its elements in files; in a browser, keep a plain array";

/** Options of `PersistentArray`: the files' suffix and how elements become bytes. */
export interface PersistentArrayOptions<T> {
  /** The file name after the index: `0.json`, `1.json`, ... Default ".json". */
  suffix?: string;
  /** Element bytes: JSON by default. */
  codec?: Codec<T>;
}

const BYTES_HINT = "keep the elements in memory, or encode them yourself with a codec";

/**
 * An Array (index it, iterate it, `map` it: `map`, `filter` and `slice` give plain arrays) with a
 * directory: element `i` is saved as `<saveDir>/<i><suffix>` by `persist()`. Make one with
 * `PersistentArray.create` (loads what is on disk) or `PersistentArray.wrap` (around data).
 * Indices and file names are 0-based (NaiveGAflux's are 1-based).
 */
export class PersistentArray<T> extends Array<T> {
  // Not own enumerable properties, so the array compares equal to a plain array of its elements.
  readonly #saveDir: string;
  readonly #suffix: string;
  readonly #codec: Codec<T>;

  /** Use `PersistentArray.create` or `PersistentArray.wrap`. */
  private constructor(saveDir: string, data: readonly T[], options: PersistentArrayOptions<T>) {
    super();
    const suffix = options.suffix ?? ".json";
    if (typeof saveDir !== "string" || saveDir === "") throw new Error(`PersistentArray: saveDir must be a non-empty string, got ${String(saveDir)}`);
    if (typeof suffix !== "string" || suffix.includes("/")) throw new Error(`PersistentArray: suffix must be a string without '/', got ${String(suffix)}`);
    const codec = options.codec ?? jsonCodec;
    if (typeof codec?.encode !== "function" || typeof codec.decode !== "function") throw new Error("PersistentArray: codec must have encode(x) and decode(bytes)");
    this.#saveDir = saveDir.replace(/\/+$/, "") || "/";
    this.#suffix = suffix;
    this.#codec = codec;
    this.push(...data);
  }

  // map, filter, slice, concat make plain arrays: their results are not saved anywhere.
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  /**
   * `n` elements: element `i` is loaded from `<saveDir>/<i><suffix>` if that file exists, else made
   * by `generator(i)` (NaiveGAflux's `PersistentArray(savedir, nr, generator)`). Without a
   * generator a missing file is an error. A file that cannot be read or decoded is an error naming
   * it. Nothing is written.
   */
  static async create<T>(saveDir: string, n: number, generator?: (i: number) => T, options: PersistentArrayOptions<T> = {}): Promise<PersistentArray<T>> {
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`PersistentArray.create: n must be a whole number >= 0, got ${String(n)}`);
    if (generator !== undefined && typeof generator !== "function") throw new Error("PersistentArray.create: generator must be a function of the index");
    const a = new PersistentArray<T>(saveDir, [], options);
    const data = await Promise.all(Array.from({ length: n }, (_, i) => a.#load(i, generator)));
    a.push(...data);
    return a;
  }

  /** A PersistentArray around a copy of `data` (NaiveGAflux's `PersistentArray(savedir, suffix, data)`); nothing is read or written. */
  static wrap<T>(saveDir: string, data: Iterable<T>, options: PersistentArrayOptions<T> = {}): PersistentArray<T> {
    return new PersistentArray<T>(saveDir, [...data], options);
  }

  get saveDir(): string {
    return this.#saveDir;
  }

  get suffix(): string {
    return this.#suffix;
  }

  /** The file element `i` is saved in. */
  filename(i: number): string {
    return `${this.#saveDir === "/" ? "" : this.#saveDir}/${i}${this.#suffix}`;
  }

  async #load(i: number, generator: ((i: number) => T) | undefined): Promise<T> {
    const path = this.filename(i);
    const context = { fn: "PersistentArray.create", bytesHint: BYTES_HINT };
    let bytes: Uint8Array;
    try {
      bytes = await readFileBytes(path, context);
    } catch (err) {
      if (errorCode(err) !== "ENOENT") throw err;
      if (generator === undefined) throw new Error(`PersistentArray.create: no file at '${path}' for element ${i}, and no generator to make it`, { cause: err });
      return generator(i);
    }
    try {
      return this.#codec.decode(bytes);
    } catch (err) {
      throw fileProblem(path, context.fn, "jsonCodec", err);
    }
  }

  /**
   * Writes every element to its file (creating the directory), each atomically: a crash leaves
   * the old file or the new one, never half of one. Files of indices past the end (left by a
   * longer array) are deleted. Every element is encoded before anything is written.
   */
  async persist(): Promise<void> {
    const fn = "persist";
    const bytes = this.map((x, i) => {
      try {
        return this.#codec.encode(x);
      } catch (err) {
        throw new Error(`persist: element ${i} cannot be encoded: ${(err as Error).message}`, { cause: err });
      }
    });
    const fs = await nodeFs({ fn, bytesHint: NO_FILES });
    try {
      await fs.mkdir(this.#saveDir, { recursive: true });
    } catch (err) {
      throw new Error(`persist: cannot create the directory '${this.#saveDir}': ${(err as Error).message}`, { cause: err });
    }
    for (const [i, b] of bytes.entries()) await writeFileAtomic(this.filename(i), b, { fn, bytesHint: BYTES_HINT });
    for (const i of await this.#savedIndices()) if (i >= this.length) await fs.rm(this.filename(i), { force: true });
  }

  /**
   * `rm(i)` deletes element `i`'s file (an error if there is none, unless `force`); `rm()` deletes
   * the files of every index, any temporary files an interrupted write left, then the directory if
   * it is empty. The array keeps its elements.
   */
  async rm(i?: number, { force = false }: { force?: boolean } = {}): Promise<void> {
    const fs = await nodeFs({ fn: "rm", bytesHint: NO_FILES });
    if (i !== undefined) {
      try {
        await fs.rm(this.filename(i), { force });
      } catch (err) {
        const why = errorCode(err) === "ENOENT" ? "there is no such file" : (err as Error).message;
        throw new Error(`PersistentArray.rm: cannot delete '${this.filename(i)}': ${why}`, { cause: err });
      }
      return;
    }
    const names = await this.#names();
    const ours = names.filter((f) => this.#indexOf(f) !== null || this.#isTemporary(f));
    for (const f of ours) await fs.rm(`${this.#saveDir}/${f}`, { force: true });
    if (names.length === ours.length) await fs.rmdir(this.#saveDir).catch(() => undefined);
  }

  async #names(): Promise<string[]> {
    const fs = await nodeFs({ fn: "persist", bytesHint: NO_FILES });
    try {
      return await fs.readdir(this.#saveDir);
    } catch (err) {
      if (errorCode(err) === "ENOENT") return [];
      throw err;
    }
  }

  async #savedIndices(): Promise<number[]> {
    return (await this.#names()).map((f) => this.#indexOf(f)).filter((i): i is number => i !== null);
  }

  #indexOf(name: string): number | null {
    if (!name.endsWith(this.#suffix)) return null;
    const stem = name.slice(0, name.length - this.#suffix.length);
    return /^(0|[1-9]\d*)$/.test(stem) ? Number(stem) : null;
  }

  /** backend's writeFileAtomic writes `<file>.tmp-<pid>-<random>` and renames it. */
  #isTemporary(name: string): boolean {
    const at = name.lastIndexOf(".tmp-");
    return at > 0 && this.#indexOf(name.slice(0, at)) !== null;
  }
}

/** Writes `a` to its directory (NaiveGAflux's `persist`); see `PersistentArray.persist`. */
export function persist<T>(a: PersistentArray<T>): Promise<void> {
  if (!(a instanceof PersistentArray)) throw new Error("persist: expected a PersistentArray");
  return a.persist();
}
