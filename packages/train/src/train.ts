import { tf } from "@fluxion/backend";
import { fleaves, isLeaf } from "@fluxion/functors";
import { Leaf, Rule, type StateTree } from "@fluxion/optimisers";
import { trainMode } from "@fluxion/nn";
import { DomainError } from "./errors.js";
import { progressReporter, type ProgressOptions } from "./progress.js";
import { setup } from "./setup.js";
import { takeStep, type Loss } from "./step.js";

/** Options of `train`: progress reporting and the gradient check. */
export interface TrainOptions extends ProgressOptions {
  /** Flux's `cb` is not supported: write a loop with `trainStep` instead. */
  cb?: never;
  /** Check that every gradient is finite before each update (default true; see the README's Errors). */
  checkGradients?: boolean;
}

/** What `train` returns. */
export interface TrainResult {
  /** Steps taken. */
  steps: number;
  /** The loss of the last step (NaN if there was none). */
  loss: number;
}

/**
 * Flux's `train!`: for each item of `data` (sync or async iterable) takes one `trainStep`, with a
 * progress bar (a terminal bar on a TTY, `onProgress` events anywhere). Puts the model in train
 * mode first, as Flux does. Stops with a DomainError naming the item on a NaN/Inf loss or gradient,
 * before that item touches the parameters. Passing a rule instead of a state sets one up (and warns
 * if the rule has state, which is then thrown away). What the loss returns beside the loss is disposed.
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
  const checkGradients = options.checkGradients ?? true;
  let steps = 0;
  let last = NaN;
  try {
    for await (const batch of data as AsyncIterable<unknown>) {
      const taken = takeStep(loss, model, batch, state, { index: steps, checkGradients });
      tf.dispose([taken.val, taken.grad] as tf.TensorContainer);
      // The step skipped the update on a non-finite loss; train stops there, as Flux's train! does.
      if (!Number.isFinite(taken.loss)) {
        throw new DomainError(taken.loss, `Loss is ${taken.loss} on data item ${steps} (0-based), stopping training; the parameters are as they were before this item`);
      }
      last = taken.loss;
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
