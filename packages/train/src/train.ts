import { tf } from "@fluxion/backend";
import { fleaves, isLeaf } from "@fluxion/functors";
import { Leaf, Rule, updateInPlace, type StateTree } from "@fluxion/optimisers";
import { trainMode, withGradient } from "@fluxion/nn";
import { progressReporter, type ProgressOptions } from "./progress.js";
import { setup } from "./setup.js";

/** Julia's DomainError: a value outside what the operation accepts (here, a non-finite loss). */
export class DomainError extends Error {
  constructor(
    readonly value: number,
    message: string,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

/** A loss: the model first, then the batch's parts. Returns a scalar tensor (or [loss, ...aux]). */
export type Loss<M> = (model: M, ...batch: any[]) => tf.Tensor | [tf.Tensor, ...unknown[]];

export interface TrainOptions extends ProgressOptions {
  /** Flux's `cb` is not supported: write a loop with `trainStep` instead. */
  cb?: never;
}

export interface TrainResult {
  /** Steps taken. */
  steps: number;
  /** The loss of the last step (NaN if there was none). */
  loss: number;
}

/**
 * One step of `train` (Flux's `trainstep!`): the gradient of `loss(model, ...batch)` (or
 * `loss(model, batch)` when the batch is not an array), then `updateInPlace`. Returns the loss
 * measured before the update. A NaN or infinite loss throws a DomainError and changes nothing.
 */
export function trainStep<M>(loss: Loss<M>, model: M, batch: unknown, optState: StateTree, index = 0): number {
  const parts = Array.isArray(batch) ? batch : [batch];
  const { val, grad } = withGradient((m: M) => loss(m, ...parts), model);
  const lossTensor = (Array.isArray(val) ? val[0] : val) as tf.Tensor;
  const value = lossTensor.dataSync()[0]!;
  tf.dispose(val as tf.TensorContainer);
  try {
    if (!Number.isFinite(value)) {
      throw new DomainError(value, `Loss is ${value} on data item ${index} (0-based), stopping training; the parameters are as they were before this item`);
    }
    updateInPlace(optState, model, grad[0]);
  } finally {
    tf.dispose(grad as tf.TensorContainer);
  }
  return value;
}

/**
 * Flux's `train!`: for each item of `data` (sync or async iterable) takes one `trainStep`, with a
 * progress bar (a terminal bar on a TTY, `onProgress` events anywhere). Puts the model in train
 * mode first, as Flux does. Stops with a DomainError naming the item on a NaN/Inf loss, before
 * that item touches the parameters. Passing a rule instead of a state sets one up (and warns if
 * the rule has state, which is then thrown away).
 */
export async function train<M>(loss: Loss<M>, model: M, data: Iterable<unknown> | AsyncIterable<unknown>, optState: StateTree | Rule, options: TrainOptions = {}): Promise<TrainResult> {
  if ((options as { cb?: unknown }).cb !== undefined) {
    throw new Error("train does not support callback functions.\nFor more control use a loop with `trainStep`, or `withGradient` and `updateInPlace`.");
  }
  if (data === null || typeof data !== "object" || (!(Symbol.iterator in data) && !(Symbol.asyncIterator in data))) {
    throw new Error(`train: data must be an iterable of batches (an array, a DataLoader, a generator), got ${data === null ? "null" : typeof data}`);
  }
  const state = optState instanceof Rule ? stateFromRule(optState, model) : optState;
  trainMode(model);
  const total = "length" in data && typeof data.length === "number" ? data.length : undefined;
  const progress = await progressReporter(options, total);
  let steps = 0;
  let last = NaN;
  try {
    for await (const batch of data as AsyncIterable<unknown>) {
      last = trainStep(loss, model, batch, state, steps);
      steps += 1;
      progress.step(last);
    }
  } finally {
    progress.stop();
  }
  return { steps, loss: last };
}

function stateFromRule(rule: Rule, model: unknown): StateTree {
  const state = setup(rule, model);
  // Stop at Leafs explicitly: a Leaf may itself be a functor over its state.
  const leaves = fleaves(state, { exclude: (x) => x instanceof Leaf || isLeaf(x) });
  const stateful = leaves.some((t) => t instanceof Leaf && t.state !== null && !(Array.isArray(t.state) && t.state.length === 0));
  if (stateful) {
    console.warn(`Optimiser ${rule.constructor.name} has state which will be discarded after train finishes.\nPlease run \`const opt = setup(new ${rule.constructor.name}(), model)\` and pass this opt to train.`);
  }
  return state;
}
