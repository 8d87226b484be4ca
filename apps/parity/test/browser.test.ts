// The parity page built with Vite and run in Debian's headless Chromium: every package imports
// with gradients registered, and webgl and (browser) wasm agree with cpu computed here in Node.
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { useBackend } from "@fluxion/backend";
import { launchChromium, serveStatic, viteBuild, type Browser, type StaticServer, type ViteBuildResult } from "@fluxion/browser-harness";
import { ALL_CASES, compareResults, runCases, stockMismatches, TOLERANCE, type CaseResult } from "../src/index.js";

type PageRun = { backend: string; floatPrecision: number; results: CaseResult[] };

const root = path.resolve(__dirname, "..");
const scratch = mkdtempSync(path.join(os.tmpdir(), "fluxion-parity-"));
let built: ViteBuildResult;
let server: StaticServer;
let browser: Browser;
let cpu: CaseResult[];

const waitReady = () =>
  browser.page.waitForFunction(() => document.getElementById("status")?.textContent === "ready", undefined, { timeout: 60_000 });

beforeAll(async () => {
  built = viteBuild(root, path.join(scratch, "source"));
  server = await serveStatic(scratch);
  browser = await launchChromium();
  await browser.page.goto(`${server.url}source/`);
  await waitReady();
  await useBackend("cpu");
  cpu = runCases(ALL_CASES);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const runInPage = (backend: string, only?: string[]): Promise<PageRun> =>
  browser.page.evaluate(
    ([b, o]) => (window as unknown as { parity: { run(b: string, o?: string[]): Promise<PageRun> } }).parity.run(b, o),
    [backend, only] as const,
  );

const checkImports = async (): Promise<void> => {
  const info = await browser.page.evaluate(() => (window as unknown as { parity: { imports(): Promise<Record<string, any>> } }).parity.imports());
  for (const [pkg, count] of Object.entries(info.exports as Record<string, number>)) {
    expect([pkg, count > 0]).toEqual([pkg, true]);
  }
  expect(info.sameTf).toBe(true);
  expect(info.gradient).toEqual([2, 4, 6]);
  expect(info.chained).toEqual([2, 4, 6]);
  expect(browser.errors).toEqual([]);
};

describe("in Chromium", () => {
  test("every package imports from one Vite bundle (no warnings), sharing one tfjs with gradients and chained ops", async () => {
    expect(built.warnings).toEqual([]);
    await checkImports();
  });

  test("the same page bundled from the packages' built dist/, as a user gets them, works too", async () => {
    // Build what the published packages contain (tsc -b is incremental: quick when up to date).
    const tsc = createRequire(path.join(root, "package.json")).resolve("typescript/bin/tsc");
    execFileSync(process.execPath, [tsc, "-b", path.join(root, "../../packages/fluxion")], { stdio: "pipe" });
    const dist = viteBuild(root, path.join(scratch, "dist"), { from: "dist" });
    expect(dist.warnings).toEqual([]);
    // The source maps list the files bundled: the packages' dist/, none of their src/ (the fluxion
    // meta-package only re-exports, so no code of its own reaches a bundle).
    const sources = (dir: string): string[] =>
      readdirSync(path.join(scratch, dir, "assets"))
        .filter((f) => f.endsWith(".js.map"))
        .flatMap((f) => (JSON.parse(readFileSync(path.join(scratch, dir, "assets", f), "utf8")) as { sources: string[] }).sources);
    const packageFiles = (dir: string, kind: string) =>
      sources(dir).filter((f) => new RegExp(`packages/[a-z]+/${kind}/`).test(f)).map((f) => f.replace(/^.*packages\//, "").split("/")[0]);
    expect(new Set(packageFiles("dist", "dist"))).toEqual(new Set(["backend", "functors", "optimisers", "nn", "train", "evolve"]));
    expect(packageFiles("dist", "src")).toEqual([]);
    expect(new Set(packageFiles("source", "src"))).toEqual(new Set(["backend", "functors", "optimisers", "nn", "train", "evolve"]));
    await browser.page.goto(`${server.url}dist/`);
    await waitReady();
    await checkImports();
    const run = await runInPage("wasm", ["optimisers/Adam", "destructure/gradient of a loss with respect to the flat vector"]);
    expect(run.results.map((r) => r.name)).toEqual(["Adam", "gradient of a loss with respect to the flat vector"]);
    expect(compareResults(run.results, cpu.filter((r) => run.results.some((p) => p.name === r.name)), TOLERANCE.wasm!)).toEqual([]);
    await browser.page.goto(`${server.url}source/`);
    await waitReady();
  }, 180_000);

  test("webgl agrees with cpu on every case", async () => {
    const run = await runInPage("webgl");
    expect(run.backend).toBe("webgl");
    expect(run.results.length).toBe(ALL_CASES.length);
    expect(compareResults(run.results, cpu, TOLERANCE.webgl!)).toEqual([]);
    expect(stockMismatches(run.results, TOLERANCE.webgl!)).toEqual([]);
  }, 600_000);

  test("wasm finds its .wasm files in the browser and agrees with cpu on every case", async () => {
    const run = await runInPage("wasm");
    expect(run.backend).toBe("wasm");
    expect(compareResults(run.results, cpu, TOLERANCE.wasm!)).toEqual([]);
    expect(stockMismatches(run.results, TOLERANCE.wasm!)).toEqual([]);
    expect(browser.errors).toEqual([]);
  }, 600_000);
});
