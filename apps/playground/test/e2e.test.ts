// The playground built with Vite, served on 127.0.0.1 and driven in Debian's headless Chromium:
// it really trains on webgl (SwiftShader) and wasm, stops and restarts without leaking tensors,
// classifies a drawn digit, and reports failures on the page in words.
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { launchChromium, serveStatic, viteBuild, type Browser, type StaticServer, type ViteBuildResult } from "@fluxion/browser-harness";
import type { PlaygroundRecord } from "../src/debug-hook.js";

const root = path.resolve(__dirname, "..");
const scratch = mkdtempSync(path.join(os.tmpdir(), "fluxion-playground-"));
const results = path.join(root, "test-results");
const TIMEOUT = 240_000;
// The MLP's parameters: two weights and two biases. All that may stay alive between runs.
const MLP_TENSORS = 4;
// The CNN's: two conv filters and biases, one dense weight and bias.
const CNN_TENSORS = 6;

type Page = Browser["page"];

let built: ViteBuildResult;
let server: StaticServer;
let browser: Browser;

type Snapshot = Omit<PlaygroundRecord, "numTensors"> & { numTensors: number };
const record = (page: Page): Promise<Snapshot> =>
  page.evaluate(() => {
    const r = window.__playground!;
    return { ...r, numTensors: r.numTensors() };
  });
const status = (page: Page) => page.locator("#status").textContent();
/** Waits until #status reads one of `words` (the page's run states: idle, starting …, training, stopping, stopped, done, failed). */
const waitStatus = (page: Page, words: string[], timeout = 200_000) =>
  page.waitForFunction((w) => w.includes(document.getElementById("status")?.textContent ?? ""), words, { timeout, polling: 250 });
/** Waits until #error holds text matching `pattern`. */
const waitError = (page: Page, pattern: RegExp) =>
  page.waitForFunction(([src, flags]) => new RegExp(src, flags).test(document.getElementById("error")?.textContent ?? ""), [pattern.source, pattern.flags] as const, {
    timeout: 30_000,
    polling: 100,
  });
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

beforeAll(async () => {
  built = viteBuild(root, path.join(scratch, "page"));
  server = await serveStatic(built.outDir);
  browser = await launchChromium();
  mkdirSync(results, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe("the playground in Chromium", () => {
  test("builds with no warnings and ships the digits as one binary asset", async () => {
    expect(built.warnings).toEqual([]);
    const res = await fetch(`${server.url}mnist-digits.bin`);
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBe(16 + 10000 * 785);
  });

  test(
    "trains the MLP on webgl: loss falls, accuracy rises, plot, grid and drawing work, stop and restart leak nothing",
    async () => {
      const { page, errors } = browser;
      await page.goto(`${server.url}?backend=webgl&model=mlp&optimiser=Adam&eta=0.003&batch=32&steps=300&evalEvery=25`);
      expect(await status(page)).toBe("idle");
      const started = Date.now();
      await page.click("#start");
      await waitStatus(page, ["done", "failed"]);
      const seconds = (Date.now() - started) / 1000;
      const r = await record(page);
      expect(await page.locator("#error").isHidden()).toBe(true);
      expect(r.status).toBe("done");
      expect(r.backend).toBe("webgl");
      expect(await page.locator("#backend-status").textContent()).toBe("backend: webgl");

      // Loss fell and the held-out accuracy rose far above chance (0.1).
      expect(r.losses).toHaveLength(300);
      const first = mean(r.losses.slice(0, 20));
      const last = mean(r.losses.slice(-20));
      const accuracies = r.evals.map((e) => e.accuracy);
      console.log(
        `webgl MLP, Adam(0.003), 300 steps of 32 in ${seconds.toFixed(1)} s: loss ${first.toFixed(3)} → ${last.toFixed(3)}, ` +
          `test accuracy ${accuracies.map((a) => a.toFixed(3)).join(" ")}`,
      );
      expect(last).toBeLessThan(0.5 * first);
      expect(r.evals[0]).toMatchObject({ step: 0 });
      expect(accuracies[0]).toBeLessThan(0.3);
      expect(r.evals.at(-1)).toMatchObject({ step: 300 });
      expect(accuracies.at(-1)).toBeGreaterThan(0.8);

      // Tensors stay flat from one evaluation to the next, and only the model is left afterwards.
      const during = r.evals.filter((e) => !e.final).map((e) => e.numTensors);
      expect(during.length).toBeGreaterThanOrEqual(12);
      expect(new Set(during).size).toBe(1);
      expect(r.numTensors).toBe(MLP_TENSORS);
      expect(await page.locator("#tensors").textContent()).toBe(`tensors: ${MLP_TENSORS}`);

      // The plot has a point per step (loss) and per evaluation (accuracy); the progress bar is full.
      const points = (cls: string) => page.locator(`#plot polyline.${cls}`).evaluate((el) => (el.getAttribute("points") ?? "").trim().split(/\s+/).filter(Boolean).length);
      expect(await points("loss-line")).toBe(300);
      expect(await points("acc-line")).toBe(r.evals.length);
      expect(await page.locator("#progress").evaluate((el) => [(el as HTMLProgressElement).value, (el as HTMLProgressElement).max])).toEqual([300, 300]);
      expect(await page.locator("#progress-text").textContent()).toMatch(/^300 \/ 300 steps · done after (\d+ min )?[\d.]+ s$/);

      // The grid labels its 24 digits, marked right or wrong, mostly right.
      const cells = await page.locator("#digits figure.digit").evaluateAll((els) =>
        els.map((el) => ({ cls: el.className, caption: el.querySelector("figcaption")!.textContent, truth: (el as HTMLElement).dataset.truth, predicted: (el as HTMLElement).dataset.predicted })),
      );
      expect(cells).toHaveLength(24);
      for (const c of cells) {
        expect(c.caption).toMatch(/^[0-9] [✓✗]$/);
        expect(c.cls).toBe(c.predicted === c.truth ? "digit right" : "digit wrong");
      }
      expect(cells.filter((c) => c.cls === "digit right").length).toBeGreaterThanOrEqual(16);

      // Draw a vertical stroke (a "1") and get a digit back with its probabilities.
      await page.locator("#draw").scrollIntoViewIfNeeded();
      const box = (await page.locator("#draw").boundingBox())!;
      await page.mouse.move(box.x + 140, box.y + 50);
      await page.mouse.down();
      await page.mouse.move(box.x + 142, box.y + 230, { steps: 20 });
      await page.mouse.up();
      await page.waitForSelector("#prediction[data-digit]");
      const drawn = await page.locator("#prediction").evaluate((el) => ({
        digit: (el as HTMLElement).dataset.digit,
        shown: el.querySelector(".predicted-digit")?.textContent,
        bars: el.querySelectorAll(".probabilities li").length,
      }));
      console.log(`a drawn vertical stroke was classified as ${drawn.digit}`);
      expect(drawn.digit).toMatch(/^[0-9]$/);
      expect(drawn.shown).toBe(drawn.digit);
      expect(drawn.bars).toBe(10);
      expect(drawn.digit).toBe("1");
      expect((await record(page)).numTensors).toBe(MLP_TENSORS);
      await page.screenshot({ path: path.join(results, "playground.png"), fullPage: true });

      // Start again with a long run, stop it: it ends after the current step, and leaks nothing.
      await page.fill("#steps", "100000");
      await page.click("#start");
      await page.waitForFunction(() => (window.__playground?.losses.length ?? 0) >= 30, undefined, { timeout: 120_000 });
      await page.click("#stop");
      await waitStatus(page, ["stopped", "failed"]);
      const stopped = await record(page);
      expect(stopped.status).toBe("stopped");
      expect(stopped.runs).toBe(2);
      expect(stopped.losses.length).toBeLessThan(100000);
      await page.waitForTimeout(500);
      expect((await record(page)).losses.length).toBe(stopped.losses.length);
      expect(new Set(stopped.evals.filter((e) => !e.final).map((e) => e.numTensors))).toEqual(new Set(during));
      expect(stopped.numTensors).toBe(MLP_TENSORS);
      expect(await page.locator("#progress-text").textContent()).toMatch(new RegExp(`^${stopped.losses.length} / 100000 steps · stopped after`));

      expect(errors).toEqual([]);
    },
    TIMEOUT,
  );

  test(
    "trains on wasm in the browser: the .wasm binaries are found",
    async () => {
      const { page, errors } = browser;
      const wasmResponses: { url: string; status: number }[] = [];
      const onResponse = (res: { url(): string; status(): number }) => {
        if (res.url().endsWith(".wasm")) wasmResponses.push({ url: res.url(), status: res.status() });
      };
      page.on("response", onResponse);
      try {
        await page.goto(`${server.url}?backend=wasm&steps=20&evalEvery=10`);
        await page.click("#start");
        await waitStatus(page, ["done", "failed"]);
        const r = await record(page);
        expect(await page.locator("#error").textContent()).toBe("");
        expect(r.status).toBe("done");
        expect(r.backend).toBe("wasm");
        expect(r.losses).toHaveLength(20);
        expect(r.losses.every(Number.isFinite)).toBe(true);
        expect(r.evals.map((e) => e.step)).toEqual([0, 10, 20]);
        expect(r.numTensors).toBe(MLP_TENSORS);
        expect(wasmResponses.length).toBeGreaterThanOrEqual(1);
        for (const res of wasmResponses) expect(res.status).toBe(200);

        // The CNN trains too, and replaces the MLP without leaving its tensors behind.
        await page.selectOption("#model", "cnn");
        await page.click("#start");
        await waitStatus(page, ["done", "failed"]);
        const cnn = await record(page);
        expect(cnn.status).toBe("done");
        expect(cnn.losses).toHaveLength(20);
        expect(mean(cnn.losses.slice(-5))).toBeLessThan(cnn.losses[0]!);
        expect(cnn.numTensors).toBe(CNN_TENSORS);
        expect(errors).toEqual([]);
      } finally {
        page.off("response", onResponse);
      }
    },
    TIMEOUT,
  );

  test(
    "says on the page when webgl cannot start, when a hyper-parameter is wrong, and when the digits do not load",
    async () => {
      const page = await browser.context.newPage();
      const crashes: string[] = [];
      page.on("pageerror", (err) => crashes.push(err.message));
      try {
        // No WebGL at all: every webgl context request gets null.
        await page.addInitScript(() => {
          for (const proto of [HTMLCanvasElement.prototype, ...(typeof OffscreenCanvas === "undefined" ? [] : [OffscreenCanvas.prototype])]) {
            const original = proto.getContext as (this: unknown, type: string, ...rest: unknown[]) => unknown;
            (proto as { getContext: unknown }).getContext = function (this: unknown, type: string, ...rest: unknown[]) {
              return /webgl/i.test(type) ? null : original.call(this, type, ...rest);
            };
          }
        });
        await page.goto(`${server.url}?backend=webgl&steps=5`);

        // Drawing before any training says to train first (and shows what the model would see).
        await page.locator("#draw").scrollIntoViewIfNeeded();
      const box = (await page.locator("#draw").boundingBox())!;
        await page.mouse.move(box.x + 100, box.y + 60);
        await page.mouse.down();
        await page.mouse.move(box.x + 180, box.y + 200, { steps: 10 });
        await page.mouse.up();
        await page.waitForFunction(() => /No model yet: press Start/.test(document.getElementById("prediction")?.textContent ?? ""), undefined, { timeout: 10_000 });

        await page.click("#start");
        await waitStatus(page, ["failed", "done"], 60_000);
        expect(await status(page)).toBe("failed");
        const message = await page.locator("#error").textContent();
        expect(await page.locator("#error").isVisible()).toBe(true);
        expect(message).toMatch(/^Could not start the webgl backend: .*webgl backend could not start.*WebGL is disabled or unavailable in this browser; pick wasm or cpu$/);
        expect(await page.locator("#error p").count()).toBe(1);
        expect(await page.locator("#tensors").textContent()).toBe("tensors: 0");

        // The page lives on: cpu trains, and the error box is cleared.
        await page.selectOption("#backend", "cpu");
        await page.click("#start");
        await waitStatus(page, ["done", "failed"], 120_000);
        expect(await status(page)).toBe("done");
        expect(await page.locator("#error").isHidden()).toBe(true);
        expect((await record(page)).backend).toBe("cpu");

        // A learning rate that is not a number is refused before anything starts.
        await page.fill("#hp-eta", "fast");
        await page.click("#start");
        await waitError(page, /Check the settings: Adam: eta must be a positive number, e\.g\. 0\.001, got 'fast'/);
        expect(await status(page)).toBe("done");
        await page.fill("#hp-eta", "0.001");
        await page.fill("#batch", "0");
        await page.click("#start");
        await waitError(page, /Check the settings: batch size must be a whole number from 1 to 9000, got '0'/);

        // The digits asset missing: said at load, and again on Start.
        await page.route("**/mnist-digits.bin", (route) => route.fulfill({ status: 404, body: "not here" }));
        await page.goto(`${server.url}?backend=cpu`);
        await waitError(page, /Could not load the MNIST digits: could not load the MNIST digits from http:\/\/127\.0\.0\.1:\d+\/mnist-digits\.bin: HTTP 404/);
        await page.click("#start");
        await waitError(page, /Cannot train without the MNIST digits: .*HTTP 404/);
        expect(await status(page)).toBe("idle");
        expect(crashes).toEqual([]);
      } finally {
        await page.close();
      }
    },
    TIMEOUT,
  );
});
