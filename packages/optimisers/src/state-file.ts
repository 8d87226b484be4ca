// Saving and loading state trees as files (Node only; see files.ts).
import { fileProblem, readFileBytes, writeFileAtomic } from "@fluxion/backend/internal";
import type { StateTree } from "./leaf.js";
import { loadState, saveState } from "./serialise.js";

const BYTES_HINT = "use saveState/loadState for bytes";

/**
 * Writes `saveState(tree)` to `path` atomically: to a temporary file in the same directory, which
 * then replaces `path`, so a crash never leaves a half-written file there. Node only.
 */
export async function saveStateFile(path: string, tree: StateTree): Promise<void> {
  const bytes = saveState(tree); // before touching the disk: a tree that cannot be saved writes nothing
  await writeFileAtomic(path, bytes, { fn: "saveStateFile", bytesHint: BYTES_HINT });
}

/**
 * Reads a state tree saved by `saveStateFile` (or any file holding `saveState`'s bytes); given the
 * `model`, checks that the state fits it (as `loadState` does). Node only.
 */
export async function loadStateFile(path: string, model?: unknown): Promise<StateTree> {
  const bytes = await readFileBytes(path, { fn: "loadStateFile", bytesHint: BYTES_HINT });
  try {
    return loadState(bytes, model);
  } catch (err) {
    throw fileProblem(path, "loadStateFile", "loadState", err);
  }
}
