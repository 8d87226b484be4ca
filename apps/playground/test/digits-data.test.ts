import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "@jest/globals";
import { encodeDigits, HEADER_BYTES, parseDigits, PIXELS } from "../src/digits-format.js";
import { splitDigits, toFloats } from "../src/digits-data.js";
import { encodeMnist } from "../vite/mnist-asset.js";

const root = path.join(__dirname, "..");
const asset = encodeMnist(root);

describe("the MNIST asset", () => {
  it("holds every digit of the npm package, in file order, to within rounding", () => {
    const all = parseDigits(asset);
    expect(all.count).toBe(10000);
    expect(asset.length).toBe(HEADER_BYTES + 10000 * (1 + PIXELS));
    const require = createRequire(path.join(root, "package.json"));
    let row = 0;
    for (let digit = 0; digit < 10; digit++) {
      const raw = (require(`mnist/src/digits/${digit}.json`) as { data: number[] }).data;
      const n = raw.length / PIXELS;
      expect(Array.from(new Set(all.labels.subarray(row, row + n)))).toEqual([digit]);
      let worst = 0;
      for (let i = 0; i < raw.length; i++) {
        const d = all.pixels[row * PIXELS + i]! / 255 - raw[i]!;
        if (d > worst) worst = d;
        else if (-d > worst) worst = -d;
      }
      expect(worst).toBeLessThanOrEqual(0.5 / 255 + 1e-9);
      row += n;
    }
    expect(row).toBe(10000);
  });

  it("is rejected, saying why, when damaged", () => {
    expect(() => parseDigits(asset.subarray(0, 10))).toThrow(/too short/);
    expect(() => parseDigits(asset.subarray(0, asset.length - 1))).toThrow(/should be 7850016 bytes for 10000 digits: truncated or corrupt/);
    const wrongMagic = asset.slice(0, HEADER_BYTES + 1 + PIXELS);
    wrongMagic[0] = 0x58;
    expect(() => parseDigits(wrongMagic)).toThrow(/does not start with "MNST"/);
    const badLabel = encodeDigits([12], new Uint8Array(PIXELS));
    expect(() => parseDigits(badLabel)).toThrow(/label 12 of digit 0 is not 0..9/);
  });
});

describe("splitDigits", () => {
  const all = parseDigits(asset);

  it("splits by a seeded shuffle: same seed, same split; the two parts partition the digits", () => {
    const a = splitDigits(all, 1000, 0);
    const b = splitDigits(all, 1000, 0);
    const c = splitDigits(all, 1000, 1);
    expect(a.train.labels).toHaveLength(9000);
    expect(a.test.labels).toHaveLength(1000);
    expect(Buffer.from(a.test.pixels).equals(Buffer.from(b.test.pixels))).toBe(true);
    expect(a.test.labels).toEqual(b.test.labels);
    expect(a.test.labels).not.toEqual(c.test.labels);
    // Every class is in the held-out set, roughly 100 each.
    const counts = Array.from({ length: 10 }, (_, d) => a.test.labels.filter((l) => l === d).length);
    for (const n of counts) expect(n).toBeGreaterThan(60);
    // Pixel sums match: nothing lost or duplicated.
    const sum = (p: Uint8Array) => {
      let s = 0;
      for (let i = 0; i < p.length; i++) s += p[i]!;
      return s;
    };
    expect(sum(a.train.pixels) + sum(a.test.pixels)).toBe(sum(all.pixels));
  });

  it("rejects a test size that leaves nothing to train on", () => {
    expect(() => splitDigits(all, 10000, 0)).toThrow(/testSize must be a whole number between 1 and 9999, got 10000/);
  });

  it("scales pixels to [0, 1]", () => {
    expect(Array.from(toFloats(new Uint8Array([0, 51, 255])))).toEqual([0, Math.fround(0.2), 1]);
  });
});
