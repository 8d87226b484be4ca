// NaiveGAflux's AutoOptimiser: a layer that updates its own parameters during the backward pass,
// so its gradients are freed at once instead of being collected into a model-sized tree.
import { tf } from "@fluxion/backend";
import { isTaping, recordSeparately, type SeparateTape } from "@fluxion/backend/internal";
import { describe, fleaves, fmapStructure, isLeaf } from "@fluxion/functors";
import { Leaf, Rule, isNumeric, setup, trainables, updateInPlace, type StateTree } from "@fluxion/optimisers";
import { Layer, call, layer as declareLayer, repr, type Callable, type GradTree } from "@fluxion/nn";

/** The message of the error thrown when an AutoOptimiser without optimiser state is run in a gradient. */
export const NO_OPTIMISER_STATE = "AutoOptimiser without optimiser state invoked. Forgot to call optimiserSetup?";

/**
 * What an AutoOptimiser does with its layer's gradient in the backward pass: given the state, the
 * layer and the gradient (a tree shaped like the layer, as `gradient` gives), it updates the layer
 * and returns the new state. The gradient is freed right after; it never reaches an outer gradient.
 */
export type GradFun<L = any> = (state: StateTree | null, layer: L, grad: GradTree) => StateTree | null;

/**
 * The default GradFun (NaiveGAflux's `MaskGradient(_updateparams_safe!)`): `updateInPlace`, unless
 * a gradient entry is NaN or infinite, when nothing changes and the same state is returned.
 */
export function updateParamsSafe(state: StateTree | null, layer: unknown, grad: GradTree): StateTree {
  if (state === null) throw new Error(NO_OPTIMISER_STATE);
  if (!allFinite(grad)) return state;
  updateInPlace(state, layer, grad);
  return state;
}

/** One sync read for all of them: x - x is 0 where x is finite and NaN where it is not. */
function allFinite(grad: GradTree): boolean {
  const ts = fleaves(grad).filter((g): g is tf.Tensor => g instanceof tf.Tensor);
  if (ts.length === 0) return true;
  const total = tf.tidy(() => tf.addN(ts.map((t) => tf.sum(tf.sub(t, t)))));
  const finite = total.dataSync()[0] === 0;
  total.dispose();
  return finite;
}

// While implicitTrainStep runs, a scalar every AutoOptimiser takes as an extra input, so the
// backward pass reaches each of them whatever the model's input is (integer indices included).
let trigger: tf.Tensor | null = null;

/** Runs `f` with `t` as the trigger (see above). */
export function withTrigger<T>(t: tf.Tensor, f: () => T): T {
  const outer = trigger;
  trigger = t;
  try {
    return f();
  } finally {
    trigger = outer;
  }
}

/**
 * `new AutoOptimiser(layer)` (no state yet: see `optimiserSetup`) or `new AutoOptimiser(gradfun,
 * layer, rule?)` (state `setup(rule, layer)`): runs `layer`, and while a gradient is taken, updates
 * the layer's parameters with its optimiser state as the backward pass goes through it
 * (NaiveGAflux's `AutoOptimiser`). The backward pass runs only along paths from what is
 * differentiated: use `implicitTrainStep`, or differentiate with respect to the input.
 */
export class AutoOptimiser<L extends Callable = Layer> extends Layer {
  gradfun: GradFun<L>;
  layer: L;
  /** The optimiser state of `layer` (null until set up); not a functor child, so fmap leaves it. */
  optstate: StateTree | null = null;

  constructor(layer: L);
  constructor(gradfun: GradFun<L>, layer: L, rule?: Rule);
  constructor(a: L | GradFun<L>, b?: L, rule?: Rule) {
    super();
    const withGradfun = b !== undefined;
    this.gradfun = withGradfun ? (a as GradFun<L>) : updateParamsSafe;
    this.layer = (withGradfun ? b : a) as L;
    if (typeof this.gradfun !== "function") throw new Error(`AutoOptimiser: gradfun must be a function, got ${describe(this.gradfun)}`);
    if (!isCallableLayer(this.layer)) throw new Error(`AutoOptimiser: expected a layer to wrap, got ${describe(this.layer)}`);
    if (rule !== undefined) {
      if (!(rule instanceof Rule)) throw new Error(`AutoOptimiser: expected a rule, got ${describe(rule)}`);
      this.optstate = setup(rule, this.layer);
    }
  }

  apply(...inputs: unknown[]): tf.Tensor {
    if (!isTaping()) return checkedOutput(call(this.layer, ...inputs));
    if (this.optstate === null && this.gradfun === updateParamsSafe) throw new Error(NO_OPTIMISER_STATE);
    const xs = [...new Set(fleaves(inputs).filter(isNumeric))] as tf.Tensor[];
    const params = trainables(this.layer);
    const tape = recordSeparately(() => checkedOutput(call(this.layer, ...inputs)), [...xs, ...params]);
    const opInputs = trigger === null ? xs : [...xs, trigger];
    if (opInputs.length === 0) return tape.value; // no path can reach it; its tape goes with the outer one
    const op = tf.customGrad((..._args: unknown[]) => ({
      value: tape.value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => this.backward(tape, dy as tf.Tensor, opInputs, xs.length, params),
    }));
    return op(...opInputs) as tf.Tensor;
  }

  /** The update, then the inputs' gradients; the layer's own gradients are freed here. */
  private backward(tape: SeparateTape, dy: tf.Tensor, opInputs: tf.Tensor[], nx: number, params: tf.Tensor[]): tf.Tensor[] {
    return tf.tidy(() => {
      const grads = tape.backward(dy);
      const byParam = new Map(params.map((p, i) => [p, grads[nx + i]]));
      const grad = fmapStructure((v: unknown) => (v instanceof tf.Tensor ? (byParam.get(v) ?? null) : null), this.layer) as GradTree;
      const next = this.gradfun(this.optstate, this.layer, grad);
      keepState(next); // it outlives this tidy
      this.optstate = next;
      return opInputs.map((x, i) => (i < nx ? grads[i] : undefined) ?? tf.zeros(x.shape));
    });
  }

  repr(): string {
    return `AutoOptimiser(${repr(this.layer)})`;
  }
}
declareLayer(AutoOptimiser, { fields: ["layer"] });

function isCallableLayer(x: unknown): boolean {
  return typeof x === "function" || (x !== null && typeof x === "object" && typeof (x as { apply?: unknown }).apply === "function");
}

function checkedOutput(y: unknown): tf.Tensor {
  if (!(y instanceof tf.Tensor)) throw new Error(`AutoOptimiser: the wrapped layer must return one tensor, got ${describe(y)}`);
  return y;
}

/** The Leafs of a state tree. */
export function stateLeaves(tree: unknown): Leaf[] {
  return fleaves(tree, { exclude: (x) => x instanceof Leaf || isLeaf(x) }).filter((l): l is Leaf => l instanceof Leaf);
}

function keepState(tree: StateTree | null): void {
  for (const l of stateLeaves(tree)) for (const t of fleaves(l.state)) if (t instanceof tf.Tensor) tf.keep(t);
}

/** Whether a layer has trainable parameters of its own or inside it. */
export function hasParameters(l: unknown): boolean {
  return trainables(l).length > 0;
}

/**
 * NaiveGAflux's `AutoOptimiser(rule)` and `AutoOptimiser(gradfun, rule)`: a function that wraps a
 * layer with state `setup(rule, layer)`. `autoOptimiser(layer)` wraps without state. A layer
 * without parameters (an activation, pooling) is returned as it is.
 */
export function autoOptimiser(rule: Rule): <L extends Callable>(layer: L) => AutoOptimiser<L> | L;
export function autoOptimiser<L extends Callable>(gradfun: GradFun<L>, rule: Rule): (layer: L) => AutoOptimiser<L> | L;
export function autoOptimiser<L extends Callable>(layer: L): AutoOptimiser<L> | L;
export function autoOptimiser(a: unknown, b?: Rule): unknown {
  if (a instanceof Rule) return (l: Callable) => (hasParameters(l) ? new AutoOptimiser(updateParamsSafe, l, a) : l);
  if (b !== undefined) {
    if (!(b instanceof Rule)) throw new Error(`autoOptimiser(gradfun, rule): expected a rule, got ${describe(b)}`);
    return (l: Callable) => (hasParameters(l) ? new AutoOptimiser(a as GradFun, l, b) : l);
  }
  return hasParameters(a) ? new AutoOptimiser(a as Callable) : a;
}
