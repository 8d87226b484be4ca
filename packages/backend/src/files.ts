// Node file access for the savers (optimiser states, nn models): node:fs is imported only
// when a file is read or written, so the packages still load and bundle in browsers.

type NodeFs = typeof import("node:fs/promises");

/** What to do instead when there is no file system, e.g. "use saveState/loadState for bytes". */
export interface FileContext {
  fn: string;
  bytesHint: string;
}

/** Node's file system, imported only when a file is touched (so browsers can load the package). */
export async function nodeFs({ fn, bytesHint }: FileContext): Promise<NodeFs> {
  const specifier = "node:fs/promises"; // not a literal import, so bundlers leave it alone
  try {
    return (await import(/* webpackIgnore: true */ /* @vite-ignore */ specifier)) as NodeFs;
  } catch (err) {
    throw new Error(`${fn} needs Node's file system (node:fs/promises), which is not available here; ${bytesHint}`, { cause: err });
  }
}

function checkPath(path: unknown, fn: string): asserts path is string {
  if (typeof path !== "string" || path === "") throw new TypeError(`${fn}: the path must be a non-empty string, got ${String(path)}`);
}

/**
 * The code of a file-system error (ENOENT, …), looking through `cause`. Read from fields, not by
 * instanceof: errors from node:fs may come from another realm (e.g. under jest).
 */
export function errorCode(err: unknown): string | undefined {
  for (let e = err; e !== null && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

/** The error's message, with plain words for common file-system codes. */
function reason(err: unknown, writing: boolean): string {
  // Duck-typed: errors from node:fs may come from another realm (e.g. under jest), failing instanceof.
  if (err === null || typeof err !== "object" || typeof (err as Error).message !== "string") return String(err);
  const code = errorCode(err);
  const known: Record<string, string> = {
    ENOENT: writing ? "the directory does not exist" : "no such file or directory",
    ENOTDIR: "a part of the path is not a directory",
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    EROFS: "the file system is read-only",
    EISDIR: "it is a directory",
    ENOSPC: "no space left on the device",
  };
  const msg = (err as Error).message;
  return code && known[code] ? `${known[code]} (${msg})` : msg;
}

type NodeProcess = { pid?: number; kill?: (pid: number, signal: number) => void };
const nodeProcess = (): NodeProcess | undefined => (globalThis as { process?: NodeProcess }).process;

/**
 * Writes `bytes` to `path` atomically: to a temporary file beside it (so the rename stays on one
 * file system), flushed, then renamed over `path`. A failure leaves no partial file and never
 * touches an existing one. Errors read "<fn>: cannot write '<path>': <reason>". First it removes
 * temporary files of `path` left by processes that died mid-save (never a live process's).
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array, context: FileContext): Promise<void> {
  checkPath(path, context.fn);
  const fs = await nodeFs(context);
  await removeStaleTemps(fs, path);
  const pid = nodeProcess()?.pid ?? 0;
  const tmp = `${path}.tmp-${pid}-${Math.random().toString(36).slice(2, 10)}`;
  let created = false;
  try {
    const handle = await fs.open(tmp, "wx");
    created = true;
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, path);
  } catch (err) {
    if (created) await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw new Error(`${context.fn}: cannot write '${path}': ${reason(err, true)}`, { cause: err });
  }
}

/**
 * Removes `<path>.tmp-<pid>-<rand>` files whose process is gone: a save killed between creating
 * its temporary file and renaming it leaves one behind. Best effort: it never fails the save.
 */
async function removeStaleTemps(fs: NodeFs, path: string): Promise<void> {
  const slash = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  const dir = path.slice(0, slash + 1); // "" or ending in a separator
  const base = path.slice(slash + 1);
  const pattern = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.tmp-(\\d+)-[a-z0-9]+$`);
  try {
    for (const name of await fs.readdir(dir || ".")) {
      const pid = pattern.exec(name)?.[1];
      if (pid !== undefined && !isAlive(Number(pid))) await fs.rm(dir + name, { force: true });
    }
  } catch {
    // An unreadable directory or a file removed meanwhile: the save itself reports real problems.
  }
}

/** Whether process `pid` exists (signal 0 tests without sending; EPERM: it exists, not ours). */
function isAlive(pid: number): boolean {
  const proc = nodeProcess();
  if (pid === proc?.pid || typeof proc?.kill !== "function") return true;
  try {
    proc.kill(pid, 0);
    return true;
  } catch (err) {
    return errorCode(err) !== "ESRCH";
  }
}

/** The bytes of the file at `path`. Errors read "<fn>: no file at '<path>'" or "<fn>: cannot read …". */
export async function readFileBytes(path: string, context: FileContext): Promise<Uint8Array> {
  checkPath(path, context.fn);
  const fs = await nodeFs(context);
  try {
    return await fs.readFile(path);
  } catch (err) {
    if (errorCode(err) === "ENOENT") throw new Error(`${context.fn}: no file at '${path}'`, { cause: err });
    throw new Error(`${context.fn}: cannot read '${path}': ${reason(err, false)}`, { cause: err });
  }
}

/** A parse error from bytes read at `path`, reworded as the file's: "<fn>: '<path>': <problem>". */
export function fileProblem(path: string, fn: string, inner: string, err: unknown): Error {
  const message = err instanceof Error || (err !== null && typeof err === "object" && "message" in err) ? String((err as Error).message) : String(err);
  return new Error(`${fn}: '${path}': ${message.replace(new RegExp(`^${inner}: `), "")}`, { cause: err });
}
