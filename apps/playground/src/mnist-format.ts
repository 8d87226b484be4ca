// A drawing turned into what the network was trained on, the way MNIST itself was made: crop to
// the ink's bounding box, scale it (keeping its aspect ratio, averaging over areas so thin strokes
// stay visible) to fit a 20×20 box, and place it in the 28×28 field so that its centre of mass
// sits at the centre (pixel 14, 14). Pure arithmetic on arrays, so it is tested in Node.
import { PIXELS, SIDE } from "./digits-format.js";

/** The side of the box the digit is scaled to fit (MNIST's 20 px). */
export const BOX = 20;

/**
 * `gray` holds `width × height` ink values in [0, 1] (row by row). Returns 784 values in [0, 1]
 * with the brightest pixel at 1, like the training digits, or null when nothing is drawn
 * (no value above `threshold`).
 */
export function toMnist(gray: ArrayLike<number>, width: number, height: number, threshold = 0.02): Float32Array | null {
  if (gray.length !== width * height) throw new Error(`toMnist: ${width}×${height} needs ${width * height} values, got ${gray.length}`);
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (gray[y * width + x]! > threshold) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  if (x1 < 0) return null;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const scale = BOX / Math.max(bw, bh);
  const tw = Math.max(1, Math.round(bw * scale));
  const th = Math.max(1, Math.round(bh * scale));

  // Separable area averaging: rows first (bh × tw), then columns (th × tw).
  const wx = boxWeights(bw, tw);
  const wy = boxWeights(bh, th);
  const rows = new Float32Array(bh * tw);
  for (let y = 0; y < bh; y++) {
    const src = (y0 + y) * width + x0;
    for (let o = 0; o < tw; o++) {
      let s = 0;
      for (const [i, w] of wx[o]!) s += gray[src + i]! * w;
      rows[y * tw + o] = s;
    }
  }
  const small = new Float32Array(th * tw);
  let peak = 0;
  for (let o = 0; o < th; o++) {
    for (let x = 0; x < tw; x++) {
      let s = 0;
      for (const [i, w] of wy[o]!) s += rows[i * tw + x]! * w;
      small[o * tw + x] = s;
      peak = Math.max(peak, s);
    }
  }

  // Centre of mass at pixel (14, 14), where MNIST's digits have theirs on average (counting pixels
  // from 0); clamped so no ink is cut off.
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const v = small[y * tw + x]!;
      mass += v;
      mx += x * v;
      my += y * v;
    }
  }
  const ox = clamp(Math.round(SIDE / 2 - mx / mass), 0, SIDE - tw);
  const oy = clamp(Math.round(SIDE / 2 - my / mass), 0, SIDE - th);
  const out = new Float32Array(PIXELS);
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) out[(oy + y) * SIDE + ox + x] = Math.min(1, small[y * tw + x]! / peak);
  }
  return out;
}

/** For each of `m` output cells, the source cells of a length-`n` line it covers and their weights (summing to 1). */
function boxWeights(n: number, m: number): [number, number][][] {
  const span = n / m;
  return Array.from({ length: m }, (_, o) => {
    const a = o * span;
    const b = (o + 1) * span;
    const cells: [number, number][] = [];
    for (let i = Math.floor(a); i < Math.min(n, Math.ceil(b)); i++) {
      const w = Math.min(b, i + 1) - Math.max(a, i);
      if (w > 0) cells.push([i, w / span]);
    }
    return cells;
  });
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
