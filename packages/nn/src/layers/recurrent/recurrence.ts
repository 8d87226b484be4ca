// Whole-sequence recurrent layers (Flux 0.16's Recurrence, RNN, LSTM, GRU, GRUv3).
// See stateful.ts for the wrapper that carries the state between calls.
// Sequences are batch-first: [batch, time, features], or [time, features] for one sequence.
import { tf } from "@fluxion/backend";
import { fleaves, fmap } from "@fluxion/functors";
import { type Activation, tanh } from "../../functions/activations.js";
import { layer } from "../../core/declare.js";
import { Layer } from "../../core/layer.js";
import { CELL_OPTIONS, GRUCell, GRUv3Cell, LSTMCell, RNNCell, type RecurrentCellLike, type RecurrentCellOptions } from "./cells.js";
import { repr } from "../../core/show.js";
import { checkOptions, checkTensor } from "../../core/checks.js";

/** Options of `Recurrence` and of a recurrent layer wrapping a given cell. */
export interface RecurrenceOptions {
  /** Also return the last state: `apply` gives [output, lastState]. Default false. */
  returnState?: boolean;
}

function checkReturnState(name: string, returnState: unknown): void {
  if (returnState !== undefined && typeof returnState !== "boolean") throw new Error(`${name}: returnState must be true or false, got ${String(returnState)}`);
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
    checkReturnState(new.target.name, options.returnState);
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
      const given = new Set<unknown>(state === undefined ? [] : fleaves(state));
      return [out, fmap((t: unknown) => (given.has(t) ? tf.clone(t as tf.Tensor) : t), s)] as [tf.Tensor, any];
    }) as [tf.Tensor, any];
  }

  repr(): string {
    return `Recurrence(${repr(this.cell)}${this.returnState ? "; return_state=true" : ""})`;
  }
}
layer(Recurrence, { fields: ["cell"] });

/** The options of RNN, LSTM, GRU and GRUv3: the Recurrence's and the cell's. */
type RecurrentLayerOptions = RecurrenceOptions & RecurrentCellOptions;

/** A Recurrence over a built-in cell: what RNN, LSTM, GRU and GRUv3 construct. */
type CellLayer<C> = Recurrence & { cell: C };

/** `new L([in, out], options)` or `new L(cell, { returnState })`. */
interface CellLayerClass<C> {
  new (inOut: readonly [number, number], options?: RecurrentLayerOptions): CellLayer<C>;
  new (cell: C, options?: RecurrenceOptions): CellLayer<C>;
}

/** RNN's form: σ comes after [in, out]. */
interface SigmaCellLayerClass<C> {
  new (inOut: readonly [number, number], sigma?: Activation, options?: RecurrentLayerOptions): CellLayer<C>;
  new (cell: C, options?: RecurrenceOptions): CellLayer<C>;
}

interface BuiltinCell extends RecurrentCellLike {
  inputSize: number;
  outputSize: number;
  sigma?: Activation;
}

/**
 * The base class of a Recurrence over `Cell`, built from a given cell or from [in, out] (then σ
 * = tanh when `withSigma`) and options, which it splits between the Recurrence and the cell. It
 * prints on one line as `name(in => out)` (with σ when `withSigma`).
 */
function cellLayer<C extends BuiltinCell>(name: string, Cell: new (inOut: readonly [number, number], ...rest: any[]) => C): CellLayerClass<C>;
function cellLayer<C extends BuiltinCell>(name: string, Cell: new (inOut: readonly [number, number], ...rest: any[]) => C, withSigma: true): SigmaCellLayerClass<C>;
function cellLayer<C extends BuiltinCell>(name: string, Cell: new (inOut: readonly [number, number], ...rest: any[]) => C, withSigma = false) {
  return class extends Recurrence {
    declare cell: C;

    constructor(a: readonly [number, number] | C, ...rest: unknown[]) {
      if (a instanceof Cell) {
        super(a, (rest[0] ?? {}) as RecurrenceOptions);
      } else {
        const sigma = withSigma ? [(rest[0] as Activation | undefined) ?? tanh] : [];
        const options = (rest[sigma.length] ?? {}) as RecurrentLayerOptions;
        checkOptions(name, options, ["returnState", ...CELL_OPTIONS]);
        const { returnState, ...cellOptions } = options;
        checkReturnState(name, returnState); // before the cell's parameters are made
        super(new Cell(a as readonly [number, number], ...sigma, cellOptions), returnState === undefined ? {} : { returnState });
      }
    }

    override repr(): string {
      return `${name}(${this.cell.inputSize} => ${this.cell.outputSize}${withSigma ? `, ${repr(this.cell.sigma)}` : ""})`;
    }
  };
}

/** They print on one line, as Flux's. */
const CELL_LAYER = { fields: ["cell"], show: "noexpand" } as const;

/**
 * `new RNN([in, out], σ = tanh, { returnState = false, initKernel, initRecurrentKernel, bias })`,
 * or `new RNN(cell, { returnState })`: an RNNCell scanned over the sequence.
 */
export class RNN extends cellLayer("RNN", RNNCell, true) {}
layer(RNN, CELL_LAYER);

/**
 * `new LSTM([in, out], { returnState = false, initKernel, initRecurrentKernel, bias })`, or
 * `new LSTM(cell, { returnState })`: the output is h at every step; the state is [h, c].
 */
export class LSTM extends cellLayer("LSTM", LSTMCell) {}
layer(LSTM, CELL_LAYER);

/** `new GRU([in, out], { returnState = false, initKernel, initRecurrentKernel, bias })`: a GRUCell scanned. */
export class GRU extends cellLayer("GRU", GRUCell) {}
layer(GRU, CELL_LAYER);

/** `new GRUv3([in, out], { returnState = false, … })`: a GRUv3Cell scanned. */
export class GRUv3 extends cellLayer("GRUv3", GRUv3Cell) {}
layer(GRUv3, CELL_LAYER);
