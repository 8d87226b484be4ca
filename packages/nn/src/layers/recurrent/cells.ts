// Flux 0.16's recurrent cells: one time step, `cell.apply(x, state)` → [output, newState].
// Weights are stored transposed from Flux's so that x·Wi needs no transpose: Wi [in, gates·out],
// Wh [out, gates·out], bias [gates·out], gates stacked along the last axis in Flux's order.
import { tf } from "@fluxion/backend";
import { type Activation, tanh } from "../../functions/activations.js";
import { layer } from "../../core/declare.js";
import { glorotUniform, type Initialiser } from "../../functions/init.js";
import { Layer } from "../../core/layer.js";
import { allocate, checkBias, createBias, initParam, type BiasOption } from "../../core/params.js";
import { repr } from "../../core/show.js";
import { checkActivation, checkFeatures, checkOptions, checkPair, checkTensor } from "../../core/checks.js";

/** A cell's state: one tensor (RNN, GRU) or LSTM's pair [h, c]. */
export type RecurrentState = tf.Tensor | [tf.Tensor, tf.Tensor];

/** Anything `Recurrence` can scan: one step `apply(x, state)` → [y, state′], and a zero state. */
export interface RecurrentCellLike {
  /** One step: [output, new state] from the input and the state (the zero state when not given). */
  apply(x: tf.Tensor, state?: any): [tf.Tensor, any];
  /** The zero state (vectors, no batch axis). */
  initialStates(): any;
  /** The one-line form, for printing the layer that holds the cell. */
  repr(): string;
}

/** Options of every cell (`RNNCell`, `LSTMCell`, `GRUCell`, `GRUv3Cell`); the recurrent layers built from sizes take them too. */
export interface RecurrentCellOptions {
  /** Initialiser of the input kernel Wi (shape [in, gates·out]). */
  initKernel?: Initialiser;
  /** Initialiser of the recurrent kernel Wh (shape [out, gates·out]). */
  initRecurrentKernel?: Initialiser;
  bias?: BiasOption;
}

/** Flux's `initialstates(m)`: the zero state of a cell or recurrent layer (vectors, no batch axis). */
export function initialStates(m: { initialStates(): any }): any {
  return m.initialStates();
}

/** Shared parts: size checks and the stacked pre-activations x·Wi + h·Wh (+ b). */
abstract class GatedCell extends Layer {
  abstract Wi: tf.Variable;
  abstract Wh: tf.Variable;

  get inputSize(): number {
    return this.Wi.shape[0]!;
  }
  get outputSize(): number {
    return this.Wh.shape[0]!;
  }

  protected checkInput(x: unknown): asserts x is tf.Tensor {
    checkTensor(this, x);
    if (x.rank !== 1 && x.rank !== 2) {
      throw new Error(`layer ${this.repr()} expects an input of shape [in] or [batch, in], got a tensor of shape [${x.shape.join(", ")}]`);
    }
    checkFeatures(this, x, this.inputSize);
  }

  protected checkState(name: string, h: unknown, x: tf.Tensor): asserts h is tf.Tensor {
    const out = this.outputSize;
    if (h instanceof tf.Tensor && h.isDisposed) throw new Error(`layer ${this.repr()}: the state ${name} is disposed`);
    if (!(h instanceof tf.Tensor) || (h.rank !== 1 && h.rank !== 2) || h.shape.at(-1) !== out) {
      const got = h instanceof tf.Tensor ? `a tensor of shape [${h.shape.join(", ")}]` : h === null ? "null" : typeof h;
      throw new Error(`layer ${this.repr()} expects the state ${name} of shape [${out}] or [batch, ${out}], got ${got}`);
    }
    if (x.rank === 2 && h.rank === 2 && x.shape[0] !== h.shape[0]) {
      throw new Error(`layer ${this.repr()}: the input has batch size ${x.shape[0]} but the state ${name} has batch size ${h.shape[0]}`);
    }
  }

  /**
   * One step of a cell whose state is one tensor h (zeros when not given): checks x and h, then
   * h′ = next(x, h) with a batch axis iff x or h has one. Returns [h′, h′] (output, state).
   */
  protected stepH(x: tf.Tensor, h: tf.Tensor | undefined, next: (h0: tf.Tensor) => tf.Tensor): [tf.Tensor, tf.Tensor] {
    this.checkInput(x);
    if (h !== undefined) this.checkState("h", h, x);
    const y = tf.tidy(() => {
      const h0 = h ?? this.zeros();
      return GatedCell.shapeLike(next(h0), x, h0);
    });
    return [y, y];
  }

  /** x as a matrix (a vector is a batch of one). */
  protected static rows(t: tf.Tensor): tf.Tensor2D {
    return (t.rank === 1 ? tf.expandDims(t, 0) : t) as tf.Tensor2D;
  }

  /** The step's result has a batch axis iff the input or the state has one (Julia's broadcasting). */
  protected static shapeLike(y: tf.Tensor, x: tf.Tensor, h: tf.Tensor): tf.Tensor {
    return x.rank === 1 && h.rank === 1 ? tf.squeeze(y, [0]) : y;
  }

  /** The gates·out pre-activations from the input, [batch or 1, gates·out]. */
  protected inputPart(x: tf.Tensor, bias: tf.Variable | false): tf.Tensor {
    const xw = tf.matMul(GatedCell.rows(x), this.Wi);
    return bias ? tf.add(xw, bias) : xw;
  }

  /** Zero state vectors of length out. */
  protected zeros(): tf.Tensor {
    return tf.zeros([this.outputSize]);
  }

  protected pairString(): string {
    return `${this.inputSize} => ${this.outputSize}`;
  }
}

/** The options every cell takes. */
export const CELL_OPTIONS = ["initKernel", "initRecurrentKernel", "bias"] as const;

/**
 * A cell's checked parameters: Wi, Wh and the bias, and GRUv3's extra [out, out] kernel when
 * `htilde`. Everything is checked first; if a user's init fails, what was made is disposed.
 */
function kernels(name: string, inOut: unknown, gates: number, options: RecurrentCellOptions, htilde = false) {
  const [nIn, nOut] = checkPair(name, inOut);
  checkOptions(name, options, CELL_OPTIONS);
  const bias = options.bias ?? true;
  checkBias(name, bias, [gates * nOut]);
  const initKernel = options.initKernel ?? glorotUniform;
  const initRecurrent = options.initRecurrentKernel ?? glorotUniform;
  const [Wi, Wh, WhHtilde] = allocate(
    () => initParam(name, initKernel, [nIn, gates * nOut]),
    () => initParam(name, initRecurrent, [nOut, gates * nOut]),
    () => (htilde ? initParam(name, initRecurrent, [nOut, nOut]) : null),
  );
  return { Wi, Wh, bias: createBias(Wi, bias, gates * nOut), WhHtilde };
}

/**
 * `new RNNCell([in, out], σ = tanh, { initKernel, initRecurrentKernel, bias = true })`:
 * h′ = σ(x·Wi + h·Wh + b). `apply(x, h = zeros)` returns [h′, h′] (Flux 0.16: output, state).
 * x is [in] or [batch, in]; h is [out] or [batch, out].
 */
export class RNNCell extends GatedCell {
  sigma: Activation;
  Wi: tf.Variable;
  Wh: tf.Variable;
  bias: tf.Variable | false;

  constructor(inOut: readonly [number, number], sigma: Activation = tanh, options: RecurrentCellOptions = {}) {
    super();
    this.sigma = checkActivation("RNNCell", sigma);
    const { Wi, Wh, bias } = kernels("RNNCell", inOut, 1, options);
    this.Wi = Wi;
    this.Wh = Wh;
    this.bias = bias;
  }

  /** The zero state h, a vector of length out. */
  initialStates(): tf.Tensor {
    return this.zeros();
  }

  apply(x: tf.Tensor, h?: tf.Tensor): [tf.Tensor, tf.Tensor] {
    return this.stepH(x, h, (h0) => this.sigma(tf.add(this.inputPart(x, this.bias), tf.matMul(GatedCell.rows(h0), this.Wh))));
  }

  repr(): string {
    return `RNNCell(${this.pairString()}, ${repr(this.sigma)})`;
  }
}
layer(RNNCell, { fields: ["sigma", "Wi", "Wh", "bias"] });

/**
 * `new LSTMCell([in, out], { initKernel, initRecurrentKernel, bias = true })`: the state is [h, c];
 * gates (input, forget, cell, output) are stacked in that order along the last axis of Wi, Wh and
 * bias. `apply(x, [h, c] = zeros)` returns [h′, [h′, c′]].
 */
export class LSTMCell extends GatedCell {
  Wi: tf.Variable;
  Wh: tf.Variable;
  bias: tf.Variable | false;

  constructor(inOut: readonly [number, number], options: RecurrentCellOptions = {}) {
    super();
    if (typeof options === "function") throw new Error(`LSTMCell: takes no activation; call it as new LSTMCell([in, out], options)`);
    const { Wi, Wh, bias } = kernels("LSTMCell", inOut, 4, options);
    this.Wi = Wi;
    this.Wh = Wh;
    this.bias = bias;
  }

  /** The zero state [h, c], two vectors of length out. */
  initialStates(): [tf.Tensor, tf.Tensor] {
    return [this.zeros(), this.zeros()];
  }

  apply(x: tf.Tensor, state?: [tf.Tensor, tf.Tensor]): [tf.Tensor, [tf.Tensor, tf.Tensor]] {
    this.checkInput(x);
    if (state !== undefined) {
      if (!Array.isArray(state) || state.length !== 2) {
        throw new Error(`layer ${this.repr()} expects the state as a pair [h, c], got ${state instanceof tf.Tensor ? "a single tensor" : typeof state}`);
      }
      this.checkState("h", state[0], x);
      this.checkState("c", state[1], x);
    }
    const [h1, c1] = tf.tidy(() => {
      const [h, c] = state ?? this.initialStates();
      const g = tf.add(this.inputPart(x, this.bias), tf.matMul(GatedCell.rows(h), this.Wh));
      const [i, f, cc, o] = tf.split(g, 4, -1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const cNew = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(cc)));
      const hNew = tf.mul(tf.sigmoid(o), tf.tanh(cNew));
      const like = (t: tf.Tensor) => (x.rank === 1 && h.rank === 1 && c.rank === 1 ? tf.squeeze(t, [0]) : t);
      return [like(hNew), like(cNew)];
    });
    return [h1, [h1, c1]];
  }

  repr(): string {
    return `LSTMCell(${this.pairString()})`;
  }
}
layer(LSTMCell, { fields: ["Wi", "Wh", "bias"] });

/**
 * `new GRUCell([in, out], { initKernel, initRecurrentKernel, bias = true })`, Flux's GRU (v1 of
 * Cho et al.): r = σ(·), z = σ(·), h̃ = tanh(x·Wi_h + r ⊙ (h·Wh_h) + b_h), h′ = (1 − z) ⊙ h̃ + z ⊙ h,
 * gates stacked (reset, update, candidate). The bias field is `b`, as in Flux.
 * `apply(x, h = zeros)` returns [h′, h′].
 */
export class GRUCell extends GatedCell {
  Wi: tf.Variable;
  Wh: tf.Variable;
  b: tf.Variable | false;

  constructor(inOut: readonly [number, number], options: RecurrentCellOptions = {}) {
    super();
    if (typeof options === "function") throw new Error(`GRUCell: takes no activation; call it as new GRUCell([in, out], options)`);
    const { Wi, Wh, bias } = kernels("GRUCell", inOut, 3, options);
    this.Wi = Wi;
    this.Wh = Wh;
    this.b = bias;
  }

  /** The zero state h, a vector of length out. */
  initialStates(): tf.Tensor {
    return this.zeros();
  }

  apply(x: tf.Tensor, h?: tf.Tensor): [tf.Tensor, tf.Tensor] {
    return this.stepH(x, h, (h0) => {
      const [xr, xz, xh] = tf.split(this.inputPart(x, this.b), 3, -1) as [tf.Tensor, tf.Tensor, tf.Tensor];
      const [hr, hz, hh] = tf.split(tf.matMul(GatedCell.rows(h0), this.Wh), 3, -1) as [tf.Tensor, tf.Tensor, tf.Tensor];
      const r = tf.sigmoid(tf.add(xr, hr));
      const z = tf.sigmoid(tf.add(xz, hz));
      const cand = tf.tanh(tf.add(xh, tf.mul(r, hh)));
      return tf.add(tf.mul(tf.sub(1, z), cand), tf.mul(z, h0));
    });
  }

  repr(): string {
    return `GRUCell(${this.pairString()})`;
  }
}
layer(GRUCell, { fields: ["Wi", "Wh", "b"] });

/**
 * `new GRUv3Cell([in, out], …)`, GRU v3 of Cho et al. (as Keras / tfjs-layers' GRU):
 * h̃ = tanh(x·Wi_h + (r ⊙ h)·WhHtilde + b_h); the rest as GRUCell. `WhHtilde` [out, out] is Flux's
 * `Wh_h̃` (transposed); the candidate third of Wh is unused, as in Flux.
 */
export class GRUv3Cell extends GatedCell {
  Wi: tf.Variable;
  Wh: tf.Variable;
  b: tf.Variable | false;
  WhHtilde: tf.Variable;

  constructor(inOut: readonly [number, number], options: RecurrentCellOptions = {}) {
    super();
    if (typeof options === "function") throw new Error(`GRUv3Cell: takes no activation; call it as new GRUv3Cell([in, out], options)`);
    const { Wi, Wh, bias, WhHtilde } = kernels("GRUv3Cell", inOut, 3, options, true);
    this.Wi = Wi;
    this.Wh = Wh;
    this.b = bias;
    this.WhHtilde = WhHtilde!;
  }

  /** The zero state h, a vector of length out. */
  initialStates(): tf.Tensor {
    return this.zeros();
  }

  apply(x: tf.Tensor, h?: tf.Tensor): [tf.Tensor, tf.Tensor] {
    const out = this.outputSize;
    return this.stepH(x, h, (h0) => {
      const rows = GatedCell.rows(h0);
      const [xr, xz, xh] = tf.split(this.inputPart(x, this.b), 3, -1) as [tf.Tensor, tf.Tensor, tf.Tensor];
      // Only the r and z thirds of Wh take part.
      const [hr, hz] = tf.split(tf.matMul(rows, tf.slice(this.Wh, [0, 0], [out, 2 * out])), 2, -1) as [tf.Tensor, tf.Tensor];
      const r = tf.sigmoid(tf.add(xr, hr));
      const z = tf.sigmoid(tf.add(xz, hz));
      const cand = tf.tanh(tf.add(xh, tf.matMul(tf.mul(r, rows), this.WhHtilde)));
      return tf.add(tf.mul(tf.sub(1, z), cand), tf.mul(z, rows));
    });
  }

  repr(): string {
    return `GRUv3Cell(${this.pairString()})`;
  }
}
layer(GRUv3Cell, { fields: ["Wi", "Wh", "b", "WhHtilde"] });
