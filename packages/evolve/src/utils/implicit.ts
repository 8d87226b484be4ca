// Training with implicit optimisers: setting up the AutoOptimisers of a model, checking that a
// model uses them throughout, and one training step whose backward pass does the updates.
import { tf } from "@fluxion/backend";
import { describe, fcollect, fmapStructureWithPath, isLeaf, type KeyPath } from "@fluxion/functors";
import { Rule, isNumeric, setup, trainable, type StateTree } from "@fluxion/optimisers";
import { Layer, repr, withGradient } from "@fluxion/nn";
import { AutoOptimiser, stateLeaves, withTrigger } from "./auto-optimiser.js";

/** The distinct AutoOptimisers in `model`, outermost first. */
export function autoOptimisers(model: unknown): AutoOptimiser<any>[] {
  return [...new Set(fcollect(model))].filter((x): x is AutoOptimiser<any> => x instanceof AutoOptimiser);
}

/**
 * Gives every AutoOptimiser in `model` new state: `setup(rule, layer)`, or `rule(a)` for a
 * function (NaiveGAflux's `optimisersetup!`). Old state tensors are disposed. Returns false, with
 * the warning "No implicit optimiser found! Call is a noop", when the model has none.
 */
export function optimiserSetup(rule: Rule | ((a: AutoOptimiser<any>) => StateTree), model: unknown): boolean {
  if (!(rule instanceof Rule) && typeof rule !== "function") {
    throw new Error(`optimiserSetup(rule, model): expected a rule or a function of an AutoOptimiser, got ${describe(rule)}`);
  }
  const found = autoOptimisers(model);
  if (found.length === 0) {
    console.warn("No implicit optimiser found! Call is a noop");
    return false;
  }
  for (const a of found) {
    const next = rule instanceof Rule ? setup(rule, a.layer) : rule(a);
    disposeState(a.optstate);
    a.optstate = next;
  }
  return true;
}

/** Disposes the optimiser state of every AutoOptimiser in `model` and clears it (set up again to train). */
export function clearOptimiserState(model: unknown): void {
  for (const a of autoOptimisers(model)) {
    disposeState(a.optstate);
    a.optstate = null;
  }
}

function disposeState(tree: StateTree | null): void {
  for (const l of stateLeaves(tree)) tf.dispose(l.state as tf.TensorContainer);
}

/** Thrown by `checkImplicitOptimiser` for a model where some layers are wrapped and some are not. */
export class InconsistentAutoOptimiserError extends Error {
  constructor(readonly layers: readonly { path: string; implicit: boolean; layer: string }[]) {
    super(
      "checkImplicitOptimiser: the model mixes layers wrapped in AutoOptimiser with plain ones; wrap all of them or none:\n" +
        layers.map((l) => `  ${l.path} implicit: ${l.implicit}, ${l.layer}`).join("\n"),
    );
    this.name = "InconsistentAutoOptimiserError";
  }
}

/** A layer with parameters directly in its own trainable fields. */
function ownsParameters(x: unknown): boolean {
  if (!(x instanceof Layer)) return false;
  const t = trainable(x);
  return t !== null && typeof t === "object" && Object.values(t as object).some(isNumeric);
}

/**
 * Whether `model` trains with implicit optimisers (NaiveGAflux's `check_implicit_optimiser`):
 * true when every layer with parameters is inside an AutoOptimiser, false when none is; a mix
 * throws an InconsistentAutoOptimiserError listing each layer's path and whether it is wrapped.
 */
export function checkImplicitOptimiser(model: unknown): boolean {
  const layers: { path: string; implicit: boolean; layer: string }[] = [];
  const stop = (_kp: KeyPath, x: unknown): boolean => x instanceof AutoOptimiser || ownsParameters(x) || isLeaf(x);
  fmapStructureWithPath({ exclude: stop }, (kp: KeyPath, x: unknown) => {
    if (x instanceof AutoOptimiser || ownsParameters(x)) {
      layers.push({ path: kp.isEmpty() ? "model" : `model.${kp.toString({ compact: true })}`, implicit: x instanceof AutoOptimiser, layer: repr(x) });
    }
    return null;
  }, model);
  const implicit = layers.filter((l) => l.implicit).length;
  if (implicit > 0 && implicit < layers.length) throw new InconsistentAutoOptimiserError(layers);
  return implicit > 0;
}

/** A loss: the model first, then the batch's parts, returning a scalar tensor. */
export type ImplicitLoss<M> = (model: M, ...batch: any[]) => tf.Tensor;

/**
 * One training step of a model whose layers are AutoOptimisers (NaiveGAflux's implicit
 * `trainmodel!`): the loss's backward pass runs, and each AutoOptimiser updates its layer as it
 * goes; no update is applied afterwards and no gradient tree is built. `batch` is an array of the
 * loss's arguments after the model (or one argument). Returns the loss before the update. A NaN or
 * infinite loss skips the backward pass, so nothing changes, and is returned for the caller to
 * judge (NaiveGAflux marks the candidate unfit). Throws if the model has no AutoOptimiser.
 */
export function implicitTrainStep<M>(loss: ImplicitLoss<M>, model: M, batch: unknown): number {
  if (!checkImplicitOptimiser(model)) {
    throw new Error("implicitTrainStep: the model has no AutoOptimiser, so nothing would train; wrap its layers (autoOptimiser(rule)) or use trainStep");
  }
  const parts = Array.isArray(batch) ? batch : [batch];
  let value = NaN;
  const t = tf.scalar(0);
  try {
    // Differentiated with respect to the trigger every AutoOptimiser takes, not the model: the
    // parameters are not on the tape, and the data may be integer indices.
    const { val, grad } = withTrigger(t, () =>
      withGradient((trig: tf.Tensor) => {
        const l = loss(model, ...parts);
        if (!(l instanceof tf.Tensor)) throw new Error(`implicitTrainStep: the loss must return a scalar tensor, got ${describe(l)}`);
        value = l.dataSync()[0]!;
        if (Number.isFinite(value)) return l;
        l.dispose();
        return tf.mul(trig, 0); // no backward pass through the model
      }, t),
    );
    tf.dispose([val, ...(grad as tf.Tensor[])].filter((g) => g instanceof tf.Tensor));
  } finally {
    t.dispose();
  }
  return value;
}
