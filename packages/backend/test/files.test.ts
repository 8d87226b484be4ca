// writeFileAtomic removes the temporary files that saves killed mid-write left beside the target,
// but never those of a live process (issue 13).
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "@fluxion/backend/internal";

const context = { fn: "saveTest", bytesHint: "use bytes" };

/** The pid of a process that has exited (a child run to completion). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  return child.pid!;
}

describe("writeFileAtomic and stale temporary files", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "fluxion-files-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("a killed save's temp file is removed by the next save to the same target; live ones and others stay", async () => {
    const target = join(dir, "state.bin");
    const dead = deadPid();
    const stale = `state.bin.tmp-${dead}-abc123`;
    const live = `state.bin.tmp-${process.ppid}-def456`; // the test runner's parent: alive
    const own = `state.bin.tmp-${process.pid}-ghi789`; // this process: perhaps a save in progress
    const otherTarget = `other.bin.tmp-${dead}-jkl012`; // a different target's: not this save's business
    const lookalike = `state.bin.tmp-${dead}-abc.bak`;
    for (const name of [stale, live, own, otherTarget, lookalike]) await writeFile(join(dir, name), "partial");
    await writeFileAtomic(target, new Uint8Array([1, 2, 3]), context);
    const names = (await readdir(dir)).sort();
    expect(names).toEqual([live, own, otherTarget, lookalike, "state.bin"].sort());
    expect([...(await readFile(target))]).toEqual([1, 2, 3]);
    // Files other than the stale one are unchanged.
    for (const name of [live, own, otherTarget, lookalike]) expect(await readFile(join(dir, name), "utf8")).toBe("partial");
  });

  test("a target without a directory part, relative to the working directory", async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const stale = `plain.bin.tmp-${deadPid()}-zz9`;
      await writeFile(stale, "partial");
      await writeFileAtomic("plain.bin", new Uint8Array([7]), context);
      expect((await readdir(".")).filter((n) => n.startsWith("plain.bin"))).toEqual(["plain.bin"]);
    } finally {
      process.chdir(cwd);
    }
  });

  test("a save into a missing directory still fails with its own error", async () => {
    const target = join(dir, "missing", "x.bin");
    await expect(writeFileAtomic(target, new Uint8Array([1]), context)).rejects.toThrow(`saveTest: cannot write '${target}': the directory does not exist`);
  });
});
