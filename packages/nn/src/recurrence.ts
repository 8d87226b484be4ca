// Whole-sequence recurrent layers (Flux 0.16's Recurrence, RNN, LSTM, GRU, GRUv3) and a
// `Stateful` wrapper that carries the state between calls (old Flux's `Recur`).
// Sequences are batch-first: [batch, time, features], or [time, features] for one sequence.
import { tf } from "@fluxion/backend";
import { type Activation, tanh } from "./activations.js";
import { layer } from "./declare.js";
import { Layer } from "./layer.js";
import {
  GRUCell,
  GRUv3Cell,
  LSTMCell,
  RNNCell,
  type RecurrentCellLike,
  type RecurrentCellOptions,
} from "./recurrent-cells.js";
import { repr } from "./show.js";
import { checkTensor } from "./size-check.js";

export interface RecurrenceOptions {
  /** Also return the last state: `apply` gives [output, lastState]. Default false. */
  returnState?: boolean;
}

function checkOptions(name: string, options: object, known: readonly string[]): void {
  if (options === null || typeof options !== "object") throw new Error(`${name}: expected an options object, got ${options === null ? "null" : typeof options}`);
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length) throw new Error(`${name}: unknown option ${unknown.join(", ")}; the options are ${known.join(", ")}`);
}

/**
 * `new Recurrence(cell, { returnState = false })` runs `cell` over the time axis of a sequence:
 * x [batch, time, in] → y [batch, time, out] (or [time, in] → [time, out]), the output at each step
 * being the cell's output (h for LSTM). `apply(x, state = initialStates())`; with `returnState`
 * it returns [y, lastState].
 */
export class Recurrence extends Layer {
  cell: RecurrentCellLike;
  returnState: boolean;

  constructor(cell: RecurrentCellLike, options: RecurrenceOptions = {}) {
    super();
    if (cell === null || typeof cell !== "object" || typeof cell.apply !== "function" || typeof cell.initialStates !== "function") {
      throw new Error(`${new.target.name}: expected a recurrent cell (with apply(x, state) and initialStates()), got ${cell === null ? "null" : typeof cell}`);
    }
    checkOptions(new.target.name, options, ["returnState"]);
    this.cell = cell;
    this.returnState = options.returnState ?? false;
  }

  /** The cell's zero state (Flux's `initialstates`). */
  initialStates(): any {
    return this.cell.initialStates();
  }

  apply(x: tf.Tensor, state?: any): any {
    const [y, last] = this.scan(x, state);
    if (this.returnState) return [y, last];
    tf.dispose(last);
    return y;
  }

  /**
   * [output sequence, last state], whatever `returnState` says. The caller owns both (the state is
   * never one of the caller's own tensors).
   */
  scan(x: tf.Tensor, state?: any): [tf.Tensor, any] {
    checkTensor(this, x);
    if (x.rank !== 2 && x.rank !== 3) {
      throw new Error(`layer ${this.repr()} expects a sequence of shape [batch, time, features] or [time, features], got a tensor of shape [${x.shape.join(", ")}]`);
    }
    const timeAxis = x.rank - 2;
    if (x.shape[timeAxis] === 0) throw new Error(`layer ${this.repr()}: the sequence has no time steps (shape [${x.shape.join(", ")}])`);
    return tf.tidy(() => {
      let s = state ?? this.initialStates();
      const ys: tf.Tensor[] = [];
      for (const xt of tf.unstack(x, timeAxis)) {
        const [y, next] = this.cell.apply(xt, s);
        ys.push(y);
        s = next;
      }
      // The time axis sits just before the features of each step's output.
      const out = tf.stack(ys, ys[0]!.rank - 1);
      // A cell may pass (part of) the caller's state straight through: copy it, so the caller
      // owns every tensor returned and `apply` may dispose the state.
      const given = new Set<unknown>(state === undefined ? [] : [state].flat(Infinity));
      const own = (t: any): any => (Array.isArray(t) ? t.map(own) : given.has(t) ? tf.clone(t) : t);
      return [out, own(s)] as [tf.Tensor, any];
    }) as [tf.Tensor, any];
  }

  repr(): string {
    return `Recurrence(${repr(this.cell)}${this.returnState ? "; return_state=true" : ""})`;
  }
}
layer(Recurrence, { fields: ["cell"] });

function cloneState(s: any): any {
  return Array.isArray(s) ? s.map(cloneState) : s instanceof tf.Tensor ? tf.clone(s) : s;
}

/** Splits the shared (σ?, options) tail of RNN's constructor. */
type RecurrentLayerOptions = RecurrenceOptions & RecurrentCellOptions;

function splitOptions(name: string, options: RecurrentLayerOptions): [RecurrenceOptions, RecurrentCellOptions] {
  checkOptions(name, options, ["returnState", "initKernel", "initRecurrentKernel", "bias"]);
  const { returnState, ...cellOptions } = options;
  return [returnState === undefined ? {} : { returnState }, cellOptions];
}

/**
 * `new RNN([in, out], σ = tanh, { returnState = false, initKernel, initRecurrentKernel, bias })`,
 * or `new RNN(cell, { returnState })`: an RNNCell scanned over the sequence.
 */
export class RNN extends Recurrence {
  declare cell: RNNCell;

  constructor(inOut: readonly [number, number], sigma?: Activation, options?: RecurrentLayerOptions);
  constructor(cell: RNNCell, options?: RecurrenceOptions);
  constructor(a: readonly [number, number] | RNNCell, b?: Activation | RecurrenceOptions, c: RecurrentLayerOptions = {}) {
    if (a instanceof RNNCell) {
      super(a, (b ?? {}) as RecurrenceOptions);
    } else {
      const [own, cellOptions] = splitOptions("RNN", c);
      super(new RNNCell(a, (b as Activation | undefined) ?? tanh, cellOptions), own);
    }
  }

  override repr(): string {
    return `RNN(${this.cell.inputSize} => ${this.cell.outputSize}, ${repr(this.cell.sigma)})`;
  }
}
layer(RNN, { fields: ["cell"], show: "noexpand" });

/**
 * `new LSTM([in, out], { returnState = false, initKernel, initRecurrentKernel, bias })`, or
 * `new LSTM(cell, { returnState })`: the output is h at every step; the state is [h, c].
 */
export class LSTM extends Recurrence {
  declare cell: LSTMCell;

  constructor(inOut: readonly [number, number] | LSTMCell, options: RecurrentLayerOptions = {}) {
    if (inOut instanceof LSTMCell) {
      super(inOut, options);
    } else {
      const [own, cellOptions] = splitOptions("LSTM", options);
      super(new LSTMCell(inOut, cellOptions), own);
    }
  }

  override repr(): string {
    return `LSTM(${this.cell.inputSize} => ${this.cell.outputSize})`;
  }
}
layer(LSTM, { fields: ["cell"], show: "noexpand" });

/** `new GRU([in, out], { returnState = false, initKernel, initRecurrentKernel, bias })`: a GRUCell scanned. */
export class GRU extends Recurrence {
  declare cell: GRUCell;

  constructor(inOut: readonly [number, number] | GRUCell, options: RecurrentLayerOptions = {}) {
    if (inOut instanceof GRUCell) {
      super(inOut, options);
    } else {
      const [own, cellOptions] = splitOptions("GRU", options);
      super(new GRUCell(inOut, cellOptions), own);
    }
  }

  override repr(): string {
    return `GRU(${this.cell.inputSize} => ${this.cell.outputSize})`;
  }
}
layer(GRU, { fields: ["cell"], show: "noexpand" });

/** `new GRUv3([in, out], { returnState = false, … })`: a GRUv3Cell scanned. */
export class GRUv3 extends Recurrence {
  declare cell: GRUv3Cell;

  constructor(inOut: readonly [number, number] | GRUv3Cell, options: RecurrentLayerOptions = {}) {
    if (inOut instanceof GRUv3Cell) {
      super(inOut, options);
    } else {
      const [own, cellOptions] = splitOptions("GRUv3", options);
      super(new GRUv3Cell(inOut, cellOptions), own);
    }
  }

  override repr(): string {
    return `GRUv3(${this.cell.inputSize} => ${this.cell.outputSize})`;
  }
}
layer(GRUv3, { fields: ["cell"], show: "noexpand" });

/**
 * `new Stateful(cellOrRecurrence, initialState?)` keeps the recurrent state between calls (old
 * Flux's `Recur`): wrapping a cell, `apply(x)` takes one time step x [batch, in] (or [in]);
 * wrapping a Recurrence / RNN / LSTM / GRU, a whole sequence, continuing from where the last call
 * stopped. It returns the output only; `reset()` goes back to the initial state (zeros unless one
 * was given).
 *
 * The wrapper owns its state tensors (copies of what it is given; the replaced ones are disposed),
 * so memory stays flat over many calls. Within one `gradient` / `withGradient` call the gradient
 * flows through the carried state across successive `apply` calls. A state left by an earlier
 * call (outside this gradient call) enters detached, as a constant: each gradient call is
 * truncated backpropagation through time, and the `state` field never gets a gradient.
 */
export class Stateful extends Layer {
  cell: RecurrentCellLike | Recurrence;
  /** The current state (non-trainable). */
  state: any;
  /** The state `reset()` restores: a copy of the one given, or null for the cell's zeros. */
  state0: any;
  /** The gradient call (tfjs tape) in which `state` was computed, if any. */
  private stateTape: object | null = null;

  constructor(cell: RecurrentCellLike | Recurrence, initialState?: any) {
    super();
    if (cell === null || typeof cell !== "object" || typeof cell.apply !== "function" || typeof cell.initialStates !== "function") {
      throw new Error(`Stateful: expected a recurrent cell or a Recurrence, got ${cell === null ? "null" : typeof cell}`);
    }
    if (initialState !== undefined && !isState(initialState)) {
      throw new Error(`Stateful: the initial state must be a tensor or an array of tensors (LSTM's [h, c])`);
    }
    this.cell = cell;
    this.state0 = initialState === undefined ? null : keepState(tf.tidy(() => cloneState(initialState)));
    this.state = this.freshState();
    Object.defineProperty(this, "stateTape", { enumerable: false });
  }

  private freshState(): any {
    return keepState(tf.tidy(() => (this.state0 === null ? this.cell.initialStates() : cloneState(this.state0))));
  }

  apply(x: tf.Tensor): tf.Tensor {
    const inner = this.cell;
    const tape = currentTape();
    // Only a state computed in this same gradient call carries the gradient back.
    const connected = tape === null || tape === this.stateTape;
    const [y, next] = tf.tidy(() => {
      const from = connected ? this.state : detachState(this.state);
      const [out, s] = inner instanceof Recurrence ? inner.scan(x, from) : inner.apply(x, from);
      // Our copy of the new state: separate tensors from the output the caller will own.
      return [out, cloneState(s)] as [tf.Tensor, any];
    }) as [tf.Tensor, any];
    const old = this.state;
    this.state = keepState(next);
    this.stateTape = tape;
    // Safe even inside a gradient: the tape keeps its own copies of what the backward pass needs.
    tf.dispose(old);
    return y;
  }

  /** Restores the initial state (Flux's old `reset!`). */
  reset(): void {
    const old = this.state;
    this.state = this.freshState();
    this.stateTape = null;
    tf.dispose(old);
  }

  repr(): string {
    return `Stateful(${repr(this.cell)})`;
  }
}
layer(Stateful, { fields: ["cell", "state", "state0"], trainable: ["cell"] });

/** The tape of the outermost gradient being taken now (one per gradient call), or null. */
function currentTape(): object | null {
  return tf.engine().state.activeTape ?? null;
}

/**
 * New tensors on the same data that the gradient tape does not connect to the originals (what
 * tf.clone does — a reference-counted view — minus the tape record).
 */
function detachState(s: any): any {
  if (Array.isArray(s)) return s.map(detachState);
  const t = s as tf.Tensor;
  const engine = tf.engine();
  engine.backend.incRef(t.dataId);
  return engine.makeTensorFromDataId(t.dataId, t.shape, t.dtype);
}

function isState(s: unknown): boolean {
  return s instanceof tf.Tensor || (Array.isArray(s) && s.length > 0 && s.every(isState));
}

function keepState<S>(s: S): S {
  if (Array.isArray(s)) s.forEach(keepState);
  else if (s instanceof tf.Tensor) tf.keep(s);
  return s;
}
