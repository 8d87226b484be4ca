// Whole-sequence recurrent layers (Flux 0.16's Recurrence, RNN, LSTM, GRU, GRUv3).
// See stateful.ts for the wrapper that carries the state between calls.
// Sequences are batch-first: [batch, time, features], or [time, features] for one sequence.
import { tf } from "@fluxion/backend";
import { type Activation, tanh } from "../../functions/activations.js";
import { layer } from "../../core/declare.js";
import { Layer } from "../../core/layer.js";
import {
  GRUCell,
  GRUv3Cell,
  LSTMCell,
  RNNCell,
  type RecurrentCellLike,
  type RecurrentCellOptions,
} from "./cells.js";
import { repr } from "../../core/show.js";
import { checkTensor } from "../../core/size-check.js";

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
