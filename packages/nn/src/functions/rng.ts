/**
 * A small seeded random number generator (xoshiro128**, seeded through splitmix32), so that
 * initialisers, Dropout and data shuffling are reproducible and identical on every backend.
 * Its whole state is four uint32s, readable and restorable for checkpoints.
 */
export class Rng {
  private s: Uint32Array;
  private spare: number | null = null;

  constructor(seed: number = (Math.random() * 2 ** 32) >>> 0) {
    if (!Number.isFinite(seed)) throw new Error(`Rng: the seed must be a finite number, got ${seed}`);
    this.s = new Uint32Array(4);
    let z = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      z = (z + 0x9e3779b9) >>> 0;
      let t = z;
      t = Math.imul(t ^ (t >>> 16), 0x85ebca6b);
      t = Math.imul(t ^ (t >>> 13), 0xc2b2ae35);
      this.s[i] = (t ^ (t >>> 16)) >>> 0;
    }
  }

  /** The next uniform uint32. */
  uint32(): number {
    let [a, b, c, d] = this.s as unknown as [number, number, number, number];
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    this.s[0] = a;
    this.s[1] = b;
    this.s[2] = c;
    this.s[3] = d;
    return result;
  }

  /** A uniform float in [0, 1) with 32 random bits. */
  float(): number {
    return this.uint32() / 2 ** 32;
  }

  /** A standard normal sample (Box–Muller, the second value kept for the next call). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.float();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * this.float();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new Error(`Rng.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.float() * n);
  }

  /** `n` uniform floats in [0, 1). */
  floats(n: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.float();
    return out;
  }

  /** `n` standard normal samples. */
  normals(n: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal();
    return out;
  }

  /** A random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [p[i], p[j]] = [p[j]!, p[i]!];
    }
    return p;
  }

  /** The generator's state, to save in a checkpoint. */
  getState(): number[] {
    return [...this.s, ...(this.spare === null ? [] : [this.spare])];
  }

  /** Restores a state from `getState()`. */
  setState(state: readonly number[]): this {
    if (state.length !== 4 && state.length !== 5) throw new Error(`Rng.setState: expected 4 or 5 numbers, got ${state.length}`);
    this.s = Uint32Array.from(state.slice(0, 4));
    this.spare = state.length === 5 ? state[4]! : null;
    return this;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

let globalRng = new Rng();

/** The generator layers use when not given one (Julia's `default_rng()`). */
export function defaultRng(): Rng {
  return globalRng;
}

/** Reseeds the default generator (Julia's `Random.seed!`), for reproducible initialisation. */
export function seedRandom(seed: number): Rng {
  globalRng = new Rng(seed);
  return globalRng;
}
