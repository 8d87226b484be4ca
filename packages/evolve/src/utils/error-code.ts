// The error code of a file-system error (ENOENT, ...), looking through `cause`: errors may come
// from another realm (e.g. under jest), so this reads fields instead of using instanceof.
export function errorCode(err: unknown): string | undefined {
  for (let e = err; e !== null && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}
