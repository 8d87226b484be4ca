// `Stateful` wraps a cell or a Recurrence and carries its state between calls (old Flux's `Recur`).
import { tf } from "@fluxion/backend";
import { activeTape, detach } from "@fluxion/backend/internal";
import { fleaves, fmap } from "@fluxion/functors";
import { layer } from "../../core/declare.js";
import { Layer } from "../../core/layer.js";
import { repr } from "../../core/show.js";
import { checkInputsLive } from "../../core/checks.js";
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
    this.state0 = initialState === undefined ? null : ownCopy(initialState);
    this.state = this.freshState();
    Object.defineProperty(this, "stateTape", { enumerable: false });
  }

  private freshState(): any {
    return this.state0 === null ? keepState(tf.tidy(() => this.cell.initialStates())) : ownCopy(this.state0);
  }

  apply(x: tf.Tensor): tf.Tensor {
    checkInputsLive(this, [x]);
    if (fleaves(this.state).some((t) => t instanceof tf.Tensor && t.isDisposed)) {
      throw new Error(`${this.repr()}: its state is disposed (was the model disposed?)`);
    }
    const inner = this.cell;
    const tape = activeTape();
    // Only a state computed in this same gradient call carries the gradient back.
    const connected = tape === null || tape === this.stateTape;
    const [y, next] = tf.tidy(() => {
      const from = connected ? this.state : detachState(this.state);
      const [out, s] = inner instanceof Recurrence ? inner.scan(x, from) : inner.apply(x, from);
      // Our copy of the new state: separate tensors from the output the caller will own.
      return [out, ownCopy(s)] as [tf.Tensor, any];
    }) as [tf.Tensor, any];
    const old = this.state;
    this.state = next;
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

// A state is a tensor or a non-empty array of states (LSTM's [h, c]): arrays are its only nodes.
const notArrayNode = (x: unknown): boolean => !Array.isArray(x) || x.length === 0;

function isState(s: unknown): boolean {
  return fleaves(s, { exclude: notArrayNode }).every((t) => t instanceof tf.Tensor);
}

function keepState<S>(s: S): S {
  for (const t of fleaves(s)) if (t instanceof tf.Tensor) tf.keep(t);
  return s;
}

/**
 * A copy of the state that the wrapper owns, kept from any enclosing tidy: one copy per place,
 * even of a tensor given twice ([h, h]). A clone is a view on the same data, not a copy of it.
 */
function ownCopy(s: any): any {
  return fmap({ cache: null }, (t) => (t instanceof tf.Tensor ? tf.keep(tf.clone(t)) : t), s);
}

/** The state cut off the gradient tape: a constant in the gradient call now running. */
function detachState(s: any): any {
  return fmap((t) => (t instanceof tf.Tensor ? detach(t) : t), s);
}
