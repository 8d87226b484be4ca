// `Stateful` wraps a cell or a Recurrence and carries its state between calls (old Flux's `Recur`).
import { tf } from "@fluxion/backend";
import { layer } from "../../core/declare.js";
import { Layer } from "../../core/layer.js";
import { repr } from "../../core/show.js";
import type { RecurrentCellLike } from "./cells.js";
import { Recurrence } from "./recurrence.js";

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

function cloneState(s: any): any {
  return Array.isArray(s) ? s.map(cloneState) : s instanceof tf.Tensor ? tf.clone(s) : s;
}
