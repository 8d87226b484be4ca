// The directory operations PersistentArray needs beyond backend's atomic file reads and writes.
// node:fs is imported only when used, so the package still loads in browsers (as backend's files.ts).
type NodeFs = typeof import("node:fs/promises");

export async function nodeFs(fn: string): Promise<NodeFs> {
  const specifier = "node:fs/promises"; // not a literal import, so bundlers leave it alone
  try {
    return (await import(/* webpackIgnore: true */ /* @vite-ignore */ specifier)) as NodeFs;
  } catch (err) {
    throw new Error(`${fn} needs Node's file system (node:fs/promises), which is not available here`, { cause: err });
  }
}

/** The error's code (ENOENT, ...), looking through `cause`: errors may come from another realm. */
export function errorCode(err: unknown): string | undefined {
  for (let e = err; e !== null && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}
