import { describe, expect, jest, test } from "@jest/globals";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import { tf } from "@fluxion/backend";
import { Rng } from "@fluxion/nn";

jest.setTimeout(300_000);
const loader = resolve(__dirname, "support/register-ts.mjs");
const script = resolve(__dirname, "fixtures/search-child.ts");
const GENERATIONS = 8;

interface Outcome {
  lines: string[];
  killed: boolean;
}

/**
 * Runs the search in a child `node`. With `killAfter`, the child is SIGKILLed that many ms after
 * it printed its first generation line (so at least one checkpoint exists), wherever it is then.
 */
function child(dir: string, killAfter?: number): Promise<Outcome> {
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, ["--import", loader, script, dir, String(GENERATIONS), tf.getBackend()], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let armed = false;
    p.stdout.on("data", (b: Buffer) => {
      out += b.toString();
      if (killAfter !== undefined && !armed && /generation \d+:/.test(out)) {
        armed = true;
        setTimeout(() => p.kill("SIGKILL"), killAfter);
      }
    });
    p.stderr.on("data", (b: Buffer) => void (err += b.toString()));
    p.on("error", fail);
    p.on("close", (code, signal) => {
      if (signal === "SIGKILL") return done({ lines: out.trim().split("\n"), killed: true });
      if (code !== 0) return fail(new Error(`the search child exited with ${code}: ${err}`));
      done({ lines: out.trim().split("\n"), killed: false });
    });
  });
}

const digestOf = (o: Outcome): string => o.lines.find((l) => l.startsWith("digest "))!.slice(7);

describe("resume after SIGKILL", () => {
  test("a run killed at random moments and restarted each time ends with the uninterrupted run's population", async () => {
    const reference = await child(await mkdtemp(`${tmpdir()}/resume-ref-`));
    expect(reference.killed).toBe(false);
    expect(reference.lines.filter((l) => l.startsWith("generation "))).toHaveLength(GENERATIONS);
    const dir = await mkdtemp(`${tmpdir()}/resume-`);
    const rng = new Rng(99); // the kill moments: seeded, so a failure can be replayed
    let last: Outcome | null = null;
    let kills = 0;
    let resumes: string[] = [];
    for (let attempt = 0; attempt < 12; attempt++) {
      last = await child(dir, kills < 3 ? Math.floor(rng.float() * 400) : undefined);
      resumes = resumes.concat(last.lines.filter((l) => l.startsWith("resumed at generation")));
      if (!last.killed) break;
      kills += 1;
    }
    expect(last!.killed).toBe(false);
    expect(kills).toBeGreaterThanOrEqual(1);
    expect(resumes.length).toBe(kills); // every restart after a kill resumed from a checkpoint
    expect(digestOf(last!)).toBe(digestOf(reference));
    await rm(dir, { recursive: true });
  });
});
