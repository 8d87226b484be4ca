// The evolve command run as a user runs it (the built dist/cli.js in a child process): usage
// errors, a real XOR search solved from a model with no hidden layer, resume to the same digest,
// workers that do not change the result, and the report opened in Chromium.
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { launchChromium, type Browser } from "@fluxion/browser-harness";
import { buildCli, expectUsageError as usageError, root, runCli, type Run } from "./cli-runner.js";

const scratch = mkdtempSync(path.join(os.tmpdir(), "fluxion-evolve-"));
const results = path.join(root, "test-results");
// The report's plot box (PLOT_BOX of @fluxion/evolve): 640 × 320, margins left 64, right 24, top 16, bottom 44.
const PLOT = { left: 64, width: 552, top: 16, height: 260 };

const run = (...args: string[]): Run => runCli(["evolve", ...args], 120_000);
const expectUsageError = (r: Run, message: string): void => usageError(r, message, "usage: cli.js evolve [options]");

beforeAll(buildCli, 120_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("evolve's options", () => {
  test("evolve --help lists its options and runs nothing", () => {
    const r = run("--help");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: cli\.js evolve \[options\]/);
    for (const option of ["--data xor|iris|mpg|mnist", "--generations N", "--population N", "--seed S", "--checkpoint DIR", "--workers N", "--backend cpu|wasm"]) expect(r.stdout).toContain(option);
    expect(r.stdout).not.toContain("generation 0:");
    expect(runCli(["--help"]).stdout).toContain("\n  evolve ");
  });

  test("bad values are usage errors that name the flag and what it expects", () => {
    expectUsageError(run("--data", "cifar"), "--data expects xor, iris, mpg or mnist, got 'cifar'");
    expectUsageError(run("--generations", "0"), "--generations expects a whole number ≥ 1, got '0'");
    expectUsageError(run("--population=1"), "--population expects a whole number ≥ 2, got '1'");
    expectUsageError(run("--workers", "two"), "--workers expects a whole number ≥ 1, got 'two'");
    expectUsageError(run("--seed", "-1"), "--seed needs a value: a whole number ≥ 0, got the option '-1'");
    expectUsageError(run("--generation", "3"), "unknown option --generation (did you mean --generations?)");
    expectUsageError(run("--checkpoint"), "--checkpoint needs a value: a directory");
  });

  test("a checkpoint that is a file, or in a missing directory, is refused before any work (status 1)", () => {
    const file = path.join(scratch, "a-file");
    writeFileSync(file, "");
    let r = run("--backend", "cpu", "--checkpoint", file);
    expect(r.stderr).toContain(`error: --checkpoint ${file}: is a file, expected a directory`);
    expect([r.stdout, r.status]).toEqual(["", 1]);
    const missing = path.join(scratch, "no-such-dir", "run");
    r = run("--backend", "cpu", "--checkpoint", missing);
    expect(r.stderr).toContain(`error: --checkpoint ${missing}: the directory ${path.dirname(missing)} does not exist`);
    expect([r.stdout, r.status]).toEqual(["", 1]);
  });
});

const GENERATION_LINE = /^generation (\d+): best fitness (\d+\.\d{4}), median (-?\d+\.\d{4}) \(params (\d+)\)$/;
const lines = (r: Run) => r.stdout.trimEnd().split("\n");
const digest = (r: Run) => /^population digest: ([0-9a-f]{64})$/m.exec(r.stdout)?.[1];

describe("an XOR search from a model with no hidden layer", () => {
  const dir = path.join(scratch, "xor");
  let solved: Run;
  // Seed 1 solves XOR at generation 4 (40 evaluations); 20 seeds took 16 to 104 evaluations
  // (13 generations of 8): 12 generations give seed 1 three times what it needs.
  beforeAll(() => {
    solved = run("--data", "xor", "--backend", "cpu", "--workers", "1", "--seed", "1", "--generations", "12", "--checkpoint", dir);
  }, 120_000);

  test("prints one line per generation, the best model (with a hidden layer), test accuracy 1 and the digest", () => {
    expect(solved.stderr).toBe("");
    expect(solved.status).toBe(0);
    const out = lines(solved);
    expect(out[0]).toMatch(/^XOR: 64 train and 16 validation points .*; seed 1, population 8, 12 generations; .*1 worker, backend cpu$/);
    expect(out[1]).toBe(`checkpoint: ${dir}`);
    const generations = out.filter((l) => l.startsWith("generation "));
    expect(generations.map((l) => Number(GENERATION_LINE.exec(l)?.[1]))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    // Generation 0 is linear (2 → 2: 6 parameters) and cannot label all of XOR's validation points.
    expect(GENERATION_LINE.exec(generations[0]!)![4]).toBe("6");
    expect(Number(GENERATION_LINE.exec(generations[0]!)![2])).toBeLessThan(1);
    expect(out).toContain(`report: ${dir}/report.html`);
    const summary = out.slice(out.findIndex((l) => l.startsWith("vertex ")));
    expect(summary.some((l) => /^dense\d+ +Dense\(2 => \d+/.test(l))).toBe(true);
    expect(out.at(-2)).toBe("test accuracy: 1.0000");
    expect(digest(solved)).toBeDefined();
    expect(existsSync(path.join(dir, "run.json"))).toBe(true);
  });

  describe("the report in Chromium", () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
      mkdirSync(results, { recursive: true });
    }, 60_000);
    afterAll(async () => browser?.close());

    test("shows the printed fitness as the plot's points, the best architecture and its lineage", async () => {
      const { page, errors } = browser;
      await page.goto(`file://${dir}/report.html`);
      const best = lines(solved).map((l) => GENERATION_LINE.exec(l)).filter((m) => m !== null).map((m) => [Number(m![1]), Number(m![2]), Number(m![3])] as const);
      const points = await page.locator("polyline.best").evaluate((el) => Array.from((el as SVGPolylineElement).points, (p) => [p.x, p.y]));
      expect(points).toHaveLength(best.length);
      // The plot's scales, from the printed numbers: generations across the width, fitness low..high down the height.
      const values = best.flatMap(([, b, m]) => [b, m]);
      const [low, high] = [Math.min(...values), Math.max(...values)];
      best.forEach(([g, b], i) => {
        expect(points[i]![0]).toBeCloseTo(PLOT.left + (g / (best.length - 1)) * PLOT.width, 1);
        expect(Math.abs(points[i]![1] - (PLOT.top + ((high - b) / (high - low)) * PLOT.height))).toBeLessThan(0.1);
      });
      const medians = await page.locator("polyline.median").evaluate((el) => (el as SVGPolylineElement).points.numberOfItems);
      expect(medians).toBe(best.length);
      // The architecture table: the rows of the printed summary.
      const printed = lines(solved);
      const vertices = printed.slice(printed.findIndex((l) => l.startsWith("vertex ")) + 2, printed.findIndex((l) => l.startsWith("Total: "))).map((l) => l.split(/ +/)[0]);
      expect(await page.locator("table.architecture tbody tr td:first-child").allTextContents()).toEqual(vertices);
      // The lineage ends with the best model, whose first ancestor is in the initial population.
      const lineage = page.locator("table.lineage tbody tr");
      expect(await lineage.count()).toBeGreaterThanOrEqual(2);
      expect(await lineage.first().locator("td").nth(3).textContent()).toBe("initial population");
      expect(await page.locator("table.lineage").textContent()).toMatch(/insertAfter\(input, dense\d+/);
      expect(await page.title()).toBe("fluxion evolve: xor");
      const box = await page.locator("svg.fitness-plot").boundingBox();
      expect(box!.width).toBeGreaterThan(600);
      await page.screenshot({ path: path.join(results, "evolve-report.png"), fullPage: true });
      expect(errors).toEqual([]);
    }, 60_000);
  });
});

describe("resume and workers do not change the result", () => {
  let straight: Run;
  beforeAll(() => {
    straight = run("--backend", "cpu", "--workers", "1", "--generations", "4", "--checkpoint", path.join(scratch, "straight"));
  }, 120_000);

  test("2 generations, then the same checkpoint with --generations 4: resumes at generation 2 and ends with the straight run's digest", () => {
    const dir = path.join(scratch, "resumed");
    const first = run("--backend", "cpu", "--workers", "1", "--generations", "2", "--checkpoint", dir);
    expect(first.status).toBe(0);
    expect(lines(first).filter((l) => l.startsWith("generation "))).toHaveLength(2);
    const second = run("--backend", "cpu", "--workers", "1", "--generations", "4", "--checkpoint", dir);
    expect(second.status).toBe(0);
    expect(lines(second)[0]).toBe("resumed at generation 2");
    expect(lines(second).filter((l) => l.startsWith("generation ")).map((l) => l.split(":")[0])).toEqual(["generation 2", "generation 3"]);
    expect(digest(straight)).toBeDefined();
    expect(digest(second)).toBe(digest(straight));
    expect(lines(second).filter((l) => l.startsWith("generation "))).toEqual(lines(straight).filter((l) => /^generation [23]:/.test(l)));
  }, 120_000);

  test("--workers 2 gives the digest of --workers 1", () => {
    const pooled = run("--backend", "cpu", "--workers", "2", "--generations", "4", "--checkpoint", path.join(scratch, "pooled"));
    expect(pooled.stderr).toBe("");
    expect(lines(pooled)[0]).toMatch(/2 workers, backend cpu$/);
    expect(digest(pooled)).toBe(digest(straight));
  }, 120_000);

  test("a checkpoint of another run (another seed) is refused with the reason", () => {
    const r = run("--backend", "cpu", "--workers", "1", "--generations", "4", "--seed", "2", "--checkpoint", path.join(scratch, "straight"));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("holds the checkpoint of another run: seed 1 (this run: 2)");
  }, 60_000);
});

describe("the other datasets run (2 small generations each, on wasm)", () => {
  test.each([
    ["iris", /^test accuracy: (0\.\d{4}|1\.0000)$/],
    ["mpg", /^test mae: \d+\.\d{4}$/],
  ])("%s", (data, last) => {
    const r = run("--data", data, "--backend", "wasm", "--workers", "1", "--generations", "2", "--population", "4", "--checkpoint", path.join(scratch, data));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(lines(r).filter((l) => GENERATION_LINE.test(l))).toHaveLength(2);
    expect(lines(r).at(-2)).toMatch(last);
    expect(readFileSync(path.join(scratch, data, "report.html"), "utf8")).toContain(`<title>fluxion evolve: ${data}</title>`);
  }, 120_000);
});
