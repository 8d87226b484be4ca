// The MNIST digits on the page: fetched once as the binary asset, split by a seeded shuffle into
// training and held-out test digits (as apps/examples/src/mnist-data.ts does in Node).
import { Rng } from "fluxion";
import { MNIST_ASSET, parseDigits, PIXELS, type DigitBytes } from "./digits-format.js";

/** A set of digits: uint8 pixels (one 28×28 image after another) and labels 0..9. */
export interface Digits {
  pixels: Uint8Array;
  labels: number[];
}

export interface DigitSplit {
  train: Digits;
  test: Digits;
}

/** Fetches and checks the asset the Vite plugin serves (dev) or emits (build) beside the page. */
export async function fetchDigits(base: string = document.baseURI): Promise<DigitBytes> {
  const url = new URL(MNIST_ASSET, base).href;
  let response: Response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new Error(`could not load the MNIST digits from ${url}: ${(err as Error).message}`);
  }
  if (!response.ok) {
    throw new Error(
      `could not load the MNIST digits from ${url}: HTTP ${response.status} ${response.statusText}` +
        ` (the file is made by the Vite plugin in vite.config.ts: serve the page with \`pnpm dev\` or \`pnpm build\`)`,
    );
  }
  return parseDigits(new Uint8Array(await response.arrayBuffer()));
}

/** The same split for the same seed: a permutation from `Rng(seed)`, the last `testSize` held out. */
export function splitDigits(all: DigitBytes, testSize: number, seed: number): DigitSplit {
  if (!Number.isInteger(testSize) || testSize <= 0 || testSize >= all.count) {
    throw new Error(`splitDigits: testSize must be a whole number between 1 and ${all.count - 1}, got ${testSize}`);
  }
  const order = new Rng(seed).permutation(all.count);
  const pick = (idx: number[]): Digits => {
    const pixels = new Uint8Array(idx.length * PIXELS);
    idx.forEach((k, row) => pixels.set(all.pixels.subarray(k * PIXELS, (k + 1) * PIXELS), row * PIXELS));
    return { pixels, labels: idx.map((k) => all.labels[k]!) };
  };
  return { train: pick(order.slice(0, all.count - testSize)), test: pick(order.slice(all.count - testSize)) };
}

/** Pixels as the network sees them: float32 in [0, 1]. */
export function toFloats(pixels: Uint8Array): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i]! / 255;
  return out;
}
