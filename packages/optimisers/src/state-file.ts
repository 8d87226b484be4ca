// Saving and loading state trees as files (Node only: node:fs is imported when these are called,
// so the package still loads in browsers).
import type { StateTree } from "./leaf.js";
import { loadState, saveState } from "./serialise.js";

type NodeFs = typeof import("node:fs/promises");

/**
 * node:fs/promises, imported on first use. The specifier is not a literal so that bundlers
 * targeting browsers (esbuild, webpack, vite) leave the import alone instead of failing on it.
 */
async function nodeFs(fn: string): Promise<NodeFs> {
  const specifier = "node:fs/promises";
  try {
    return (await import(/* webpackIgnore: true */ /* @vite-ignore */ specifier)) as NodeFs;
  } catch (err) {
    throw new Error(`${fn} needs Node's file system (node:fs/promises), which is not available here; use saveState/loadState for bytes`, { cause: err });
  }
}

/**
 * Writes `saveState(tree)` to `path` atomically: to a temporary file in the same directory, which
 * then replaces `path`, so a crash never leaves a half-written file there. Node only.
 */
export async function saveStateFile(path: string, tree: StateTree): Promise<void> {
  checkPath(path, "saveStateFile");
  const bytes = saveState(tree); // before touching the disk: a tree that cannot be saved writes nothing
  const fs = await nodeFs("saveStateFile");
  // Beside the target, so the rename stays within one file system and is atomic.
  const tmp = `${path}.${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}.tmp`;
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
    throw new Error(`saveStateFile: cannot write '${path}': ${reason(err)}`, { cause: err });
  }
}

/** Reads a state tree saved by `saveStateFile` (or any file holding `saveState`'s bytes). Node only. */
export async function loadStateFile(path: string): Promise<StateTree> {
  checkPath(path, "loadStateFile");
  const fs = await nodeFs("loadStateFile");
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ENOENT") throw new Error(`loadStateFile: no file at '${path}'`, { cause: err });
    throw new Error(`loadStateFile: cannot read '${path}': ${reason(err)}`, { cause: err });
  }
  try {
    return loadState(bytes);
  } catch (err) {
    throw new Error(`loadStateFile: '${path}': ${reason(err).replace(/^loadState: /, "")}`, { cause: err });
  }
}

function checkPath(path: unknown, fn: string): void {
  if (typeof path !== "string" || path === "") throw new TypeError(`${fn}: the path must be a non-empty string, got ${String(path)}`);
}

/** The error's message, with a plain-words reason for common file-system codes. */
function reason(err: unknown): string {
  // Duck-typed: errors from node:fs may come from another realm (e.g. under jest), failing instanceof.
  if (err === null || typeof err !== "object" || typeof (err as Error).message !== "string") return String(err);
  const code = (err as { code?: string }).code;
  const known: Record<string, string> = {
    ENOENT: "the directory does not exist",
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
