// File options checked before any work: a run of minutes must not end in "cannot write".
import { accessSync, constants, mkdirSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

/** Throws unless `file` can be written: its directory exists and is writable, and it is not a directory. */
export function checkWritable(flag: string, file: string): void {
  const dir = dirname(resolve(file));
  const stat = statSync(dir, { throwIfNoEntry: false });
  if (!stat) throw new Error(`${flag} ${file}: the directory ${dir} does not exist`);
  if (!stat.isDirectory()) throw new Error(`${flag} ${file}: ${dir} is not a directory`);
  if (!accessible(dir, constants.W_OK)) throw new Error(`${flag} ${file}: the directory ${dir} is not writable`);
  if (statSync(file, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${flag} ${file}: is a directory, expected a file name`);
}

/** Throws unless `file` is a readable file. */
export function checkReadable(flag: string, file: string): void {
  const stat = statSync(file, { throwIfNoEntry: false });
  if (!stat) throw new Error(`${flag} ${file}: no such file`);
  if (stat.isDirectory()) throw new Error(`${flag} ${file}: is a directory, expected a file`);
  if (!accessible(file, constants.R_OK)) throw new Error(`${flag} ${file}: not readable`);
}

function accessible(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes sure `dir` can hold a run's checkpoint: an existing writable directory, or a new one
 * created in an existing writable parent.
 */
export function prepareDirectory(flag: string, dir: string): string {
  const path = resolve(dir);
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat && !stat.isDirectory()) throw new Error(`${flag} ${dir}: is a file, expected a directory`);
  if (stat && !accessible(path, constants.W_OK)) throw new Error(`${flag} ${dir}: the directory is not writable`);
  if (!stat) {
    checkWritable(flag, path);
    mkdirSync(path);
  }
  return path;
}

/** A new, empty directory for a run, under the system's temporary directory. */
export function freshRunDirectory(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `${prefix}-`));
}
