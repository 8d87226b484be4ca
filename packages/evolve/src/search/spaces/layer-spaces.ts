// Layer spaces (NaiveGAflux's DenseSpace, ConvSpace): the layers a search may make, each drawn
// with a seeded generator. They make the initial population's blocks and AddVertexMutation's layers.
import { Conv, Dense, MaxPool, SamePad, activationName, glorotUniform, type Initialiser, type Rng } from "@fluxion/nn";

/** Options of `LayerSpace.layer`. */
export interface LayerOptions {
  /** The output size; default: drawn from the space's sizes. */
  nout?: number;
  /** The weight initialiser; default: glorotUniform with the given generator. */
  init?: Initialiser;
}

/** A family of layers of one kind, each drawn with a generator. */
export interface LayerSpace {
  /** The vertex-name prefix of its layers, e.g. "dense". */
  readonly prefix: string;
  /** Whether it can make a layer reading one example of `shape` (features last, no batch axis). */
  fits(shape: readonly number[]): boolean;
  /** A layer reading `shape` (features last, no batch axis). Random choices come from `rng`. */
  layer(shape: readonly number[], rng: Rng, options?: LayerOptions): unknown;
}

/** One of `xs`, drawn with `rng`. */
export function pick<T>(xs: readonly T[], rng: Rng): T {
  return xs[rng.int(xs.length)]!;
}

function checkChoices(fn: string, what: string, xs: unknown, valid: (x: unknown) => boolean, expected: string): void {
  if (!Array.isArray(xs) || xs.length === 0 || !xs.every(valid)) throw new Error(`${fn}: ${what} must be a non-empty array of ${expected}, got ${JSON.stringify(xs, (_k, v) => (typeof v === "function" ? activationName(v) : v))}`);
}

const positiveInt = (x: unknown): boolean => Number.isInteger(x) && (x as number) > 0;
const isFunction = (x: unknown): boolean => typeof x === "function";

/** Options of `DenseSpace`. */
export interface DenseSpaceOptions {
  /** The output sizes to draw from, e.g. `[4, 8, 16]`. */
  sizes: readonly number[];
  /** The activations to draw from, e.g. `[relu, tanh, identity]`. */
  activations: readonly ((x: any) => any)[];
}

/** Dense layers of a size and activation drawn from the lists (NaiveGAflux's `DenseSpace`); they read any rank. */
export class DenseSpace implements LayerSpace {
  readonly prefix = "dense";
  readonly sizes: readonly number[];
  /** The activations it draws from. */
  readonly activations: readonly ((x: any) => any)[];
  constructor(options: DenseSpaceOptions) {
    checkChoices("DenseSpace", "sizes", options?.sizes, positiveInt, "positive integers");
    checkChoices("DenseSpace", "activations", options.activations, isFunction, "functions");
    this.sizes = Object.freeze([...options.sizes]);
    this.activations = Object.freeze([...options.activations]);
  }
  fits(shape: readonly number[]): boolean {
    return shape.length >= 1;
  }
  layer(shape: readonly number[], rng: Rng, options: LayerOptions = {}): Dense {
    const nout = options.nout ?? pick(this.sizes, rng);
    const sigma = pick(this.activations, rng);
    return new Dense([shape.at(-1)!, nout], sigma, { init: options.init ?? glorotUniform({ rng }) });
  }
}

/** Options of `ConvSpace`. */
export interface ConvSpaceOptions {
  /** The output channels to draw from. */
  channels: readonly number[];
  /** The (square) kernel sizes to draw from; odd sizes keep the output centred. */
  kernels: readonly number[];
  /** The activations to draw from. */
  activations: readonly ((x: any) => any)[];
  /** The probability that a block built from this space ends with a 2×2 max pool (default 0). */
  pool?: number;
}

/**
 * Convolutions ("same" padding, stride 1, so the spatial size stays) of channels, kernel size and
 * activation drawn from the lists (NaiveGAflux's `ConvSpace`). They read [spatial…, channels].
 */
export class ConvSpace implements LayerSpace {
  readonly prefix = "conv";
  readonly channels: readonly number[];
  readonly kernels: readonly number[];
  /** The activations it draws from. */
  readonly activations: readonly ((x: any) => any)[];
  readonly pool: number;
  constructor(options: ConvSpaceOptions) {
    checkChoices("ConvSpace", "channels", options?.channels, positiveInt, "positive integers");
    checkChoices("ConvSpace", "kernels", options.kernels, positiveInt, "positive integers");
    checkChoices("ConvSpace", "activations", options.activations, isFunction, "functions");
    const pool = options.pool ?? 0;
    if (!(pool >= 0 && pool <= 1)) throw new Error(`ConvSpace: pool must be a probability in [0, 1], got ${String(options.pool)}`);
    this.channels = Object.freeze([...options.channels]);
    this.kernels = Object.freeze([...options.kernels]);
    this.activations = Object.freeze([...options.activations]);
    this.pool = pool;
  }
  fits(shape: readonly number[]): boolean {
    return shape.length >= 2 && shape.length <= 4;
  }
  layer(shape: readonly number[], rng: Rng, options: LayerOptions = {}): Conv {
    if (!this.fits(shape)) throw new Error(`ConvSpace: a convolution reads [spatial…, channels] with 1 to 3 spatial dims, got [${shape.join(", ")}]`);
    const nout = options.nout ?? pick(this.channels, rng);
    const k = pick(this.kernels, rng);
    const sigma = pick(this.activations, rng);
    const spatial = shape.length - 1;
    return new Conv(new Array<number>(spatial).fill(k), [shape.at(-1)!, nout], sigma, { pad: new SamePad(), init: options.init ?? glorotUniform({ rng }) });
  }
  /** A 2×…×2 max pool for `shape`, or null when some spatial size is below 2. */
  pooling(shape: readonly number[]): MaxPool | null {
    const spatial = shape.slice(0, -1);
    return spatial.every((n) => n >= 2) ? new MaxPool(spatial.map(() => 2)) : null;
  }
}
