// Every random generator of a search is derived from (run seed, generation, candidate id, purpose)
// by hashing, so a draw never depends on the order candidates are evaluated or made in, nor on
// how many draws another candidate took.
import { Rng } from "@fluxion/nn";
import type { Seeds } from "./interfaces.js";

// murmur3's 32-bit finaliser: every input bit flips each output bit with probability about 1/2.
function fmix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

// One word into the running hash (murmur3's body step: multiply, rotate, multiply, combine).
function absorb(h: number, word: number): number {
  let k = Math.imul(word >>> 0, 0xcc9e2d51);
  k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) >>> 0;
}

// A part's words, tagged by type and length so that 3, "3" and ("ab", "c") vs ("a", "bc") differ.
function words(part: number | string): number[] {
  if (typeof part === "string") return [0x5354_5200, part.length, ...Array.from(part, (c) => c.codePointAt(0)!)];
  // A number: its two 32-bit halves (seeds up to 2^53, negative generations are refused earlier).
  return [0x4e55_4d00, part % 2 ** 32, Math.floor(part / 2 ** 32)];
}

/** The 32-bit hash of `parts` (numbers: whole, 0 ≤ n < 2^53; strings). */
export function mixSeed(...parts: (number | string)[]): number {
  let h = 0x9747b28c;
  for (const part of parts) for (const w of words(part)) h = absorb(h, w);
  return fmix(absorb(h, parts.length));
}

function checkWhole(fn: string, name: string, x: unknown): void {
  if (typeof x !== "number" || !Number.isSafeInteger(x) || x < 0) throw new Error(`${fn}: ${name} must be a whole number >= 0, got ${String(x)}`);
}

/**
 * The generators of a run with seed `runSeed`: `seeds(generation, id, purpose)` is a fresh `Rng`
 * that depends only on those four values (the same arguments give the same stream; any other
 * arguments an independent one). `id` is a candidate id or a name such as "data".
 */
export function seedsFor(runSeed: number): Seeds {
  checkWhole("seedsFor", "the run seed", runSeed);
  return (generation, id, purpose) => {
    checkWhole("seeds", "the generation", generation);
    if (typeof id !== "string") checkWhole("seeds", "the id", id);
    if (typeof purpose !== "string") throw new Error(`seeds: the purpose must be a string, got ${String(purpose)}`);
    return new Rng(mixSeed(runSeed, generation, id, purpose));
  };
}
