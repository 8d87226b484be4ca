// The webgl rows: the page in web/ built with Vite, served on 127.0.0.1 and run in Debian's headless
// Chromium (its WebGL2 is SwiftShader, software, on machines without a GPU). Skipped, with the
// reason, when Chromium is not there: the bench's other rows do not need it.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium, serveStatic, viteBuild } from "@fluxion/browser-harness";
import type { Row } from "./row.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The webgl rows, or none (with a line on stderr saying why) when Chromium cannot be started. */
export async function webglRows(quick: boolean): Promise<Row[]> {
  console.error("webgl (headless Chromium):");
  const scratch = mkdtempSync(path.join(os.tmpdir(), "fluxion-bench-"));
  try {
    const browser = await launchChromium().catch((err: unknown) => {
      console.error(`  skipped: ${err instanceof Error ? err.message : String(err)}`);
      return null;
    });
    if (browser === null) return [];
    const server = await serveStatic(viteBuild(ROOT, path.join(scratch, "page"), { from: "dist" }).outDir);
    try {
      // The page logs each row as it is done; Chromium adds its own notes (GPU stalls), not shown.
      browser.page.on("console", (m) => m.text().startsWith("  [webgl]") && console.error(m.text()));
      await browser.page.goto(server.url);
      await browser.page.waitForFunction(() => document.getElementById("status")?.textContent === "ready", undefined, { timeout: 60_000 });
      browser.page.setDefaultTimeout(0);
      const rows = await browser.page.evaluate((q) => (window as unknown as { bench: { run(quick: boolean): Promise<Row[]> } }).bench.run(q), quick);
      if (browser.errors.length) throw new Error(`the webgl page reported errors:\n${browser.errors.join("\n")}`);
      return rows;
    } finally {
      await browser.close();
      await server.close();
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
