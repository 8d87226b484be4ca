// Zygote-style structural gradients on tfjs's tape: one gradient tree per argument, mirroring it
// (registered classes as plain objects of their children), with null where there is no gradient.
import { tf } from "@fluxion/backend";
import { valueAndGradients } from "@fluxion/backend/internal";
import { CachedWalk, ExcludeWalk, NO_PRUNE, StructuralWalk, describe, execute, fleaves, isLeaf, type Recurse, type Walk } from "@fluxion/functors";
import { isNumeric } from "@fluxion/optimisers";

let depth = 0;

/** True while a gradient is being taken: layers in automatic mode (Dropout, norms) are active. */
export function withinGradient(): boolean {
  return depth > 0;
}

/** A gradient tree: tensors where the argument has differentiable tensors, null elsewhere. */
export type GradTree = tf.Tensor | null | GradTree[] | { [key: string]: GradTree } | Map<unknown, GradTree>;

/** What `withGradient` returns: the value and one gradient tree per argument. */
export interface WithGradient<V> {
  /** What `f` returned (its tensors are the caller's to dispose). */
  val: V;
  /** One gradient tree per argument. */
  grad: GradTree[];
}

/**
 * The value of `f(...args)` and its gradient with respect to every float tensor in `args` (Flux's
 * `withgradient`). `f` returns a scalar tensor, or an array / object whose first entry is one (the
 * rest is passed through in `val`). A tensor reached twice (tied weights) gets its total gradient,
 * the same tensor at each place, so `update` counts it once.
 */
export function withGradient<A extends unknown[], V>(f: (...args: A) => V, ...args: A): WithGradient<V> {
  const xs = [...new Set(fleaves(args).filter(isNumeric))] as tf.Tensor[];
  let out: V | undefined;
  let failure: { error: unknown } | null = null;
  // An error thrown inside the taped forward pass would strand the tape's saved tensors, so it is
  // caught there, the (empty) backward pass runs to clean up, and the error is rethrown after.
  const forward = (): tf.Tensor => {
    try {
      out = f(...args);
      const loss = lossOf(out);
      keepAux(out, loss);
      return loss;
    } catch (error) {
      if (out !== undefined) tf.dispose(out as tf.TensorContainer);
      failure = { error };
      return tf.scalar(0);
    }
  };
  depth += 1;
  let grads: (tf.Tensor | undefined)[] = [];
  try {
    const result = valueAndGradients(forward, xs);
    grads = result.grads;
    if (failure !== null) result.value.dispose();
  } finally {
    depth -= 1;
  }
  if (failure !== null) {
    tf.dispose(grads.filter((g): g is tf.Tensor => g !== undefined));
    throw (failure as { error: unknown }).error;
  }
  const byTensor = new Map<tf.Tensor, tf.Tensor>();
  xs.forEach((x, i) => grads[i] && byTensor.set(x, grads[i]!));
  const cache = new Map<unknown, unknown>();
  const grad = args.map((a) => structure(a, byTensor, cache));
  // A tensor that `f` replaced inside an argument (a layer's carried state, say) is no longer in
  // the tree, so nothing would hold its gradient: free it here.
  const placed = new Set(fleaves(grad));
  tf.dispose([...byTensor.values()].filter((g) => !placed.has(g)));
  return { val: out as V, grad };
}

/** The gradient of `f(...args)` with respect to each argument (Flux's `gradient`). */
export function gradient<A extends unknown[]>(f: (...args: A) => unknown, ...args: A): GradTree[] {
  const { val, grad } = withGradient(f, ...args);
  tf.dispose(val as tf.TensorContainer);
  return grad;
}

/**
 * The Hessian of scalar `f` at tensor `x`, as an [n, n] tensor for n = x.size (Zygote's
 * `hessian`): row i is the gradient of ∂f/∂xᵢ, from n second-order backward passes. Where the
 * gradient does not depend on x (`sum(x)`, say) the rows are zeros, as in Zygote.
 */
export function hessian(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor): tf.Tensor {
  if (!isNumeric(x)) throw new Error(`hessian: x must be a float tensor, got ${describe(x)}`);
  const n = x.size;
  depth += 1;
  try {
    return tf.tidy(() => {
      const g = (): tf.Tensor => tf.reshape(gradientOrZeros(() => checkedScalar(f(x)), x), [n]);
      const rows = Array.from({ length: n }, (_, i) => tf.tidy(() => tf.reshape(gradientOrZeros(() => tf.reshape(tf.slice(g(), [i], [1]), []), x), [n])));
      return tf.stack(rows);
    });
  } finally {
    depth -= 1;
  }
}

/** ∂y/∂x, recorded on any enclosing tape; zeros where y does not depend on x (tf.grad throws). */
function gradientOrZeros(y: () => tf.Tensor, x: tf.Tensor): tf.Tensor {
  // The value is left to the caller's tidy: an outer backward pass may still need it.
  return valueAndGradients(y, [x]).grads[0] ?? tf.zerosLike(x);
}

function lossOf(out: unknown): tf.Tensor {
  let loss = out;
  if (Array.isArray(out)) loss = out[0];
  else if (out !== null && typeof out === "object" && !(out instanceof tf.Tensor)) loss = Object.values(out)[0];
  return checkedScalar(loss);
}

function checkedScalar(loss: unknown): tf.Tensor {
  if (!(loss instanceof tf.Tensor)) {
    throw new Error(`gradient: the function must return a scalar tensor (or an array/object whose first entry is one), got ${loss === null ? "null" : typeof loss}`);
  }
  if (loss.size !== 1) throw new Error(`gradient: the function must return a scalar loss, got a tensor of shape [${loss.shape.join(", ")}]`);
  if (loss.dtype !== "float32") throw new Error(`gradient: the loss must be float32, got ${loss.dtype}`);
  return loss;
}

// Tensors returned beside the loss survive the forward pass's tidy.
function keepAux(out: unknown, loss: tf.Tensor): void {
  for (const t of fleaves(out)) if (t instanceof tf.Tensor && t !== loss) tf.keep(t);
}

/** Where a whole subtree has no gradient, the subtree's gradient is null (Zygote's `nothing`). */
class NullCollapsingWalk implements Walk {
  private readonly inner = new StructuralWalk();
  walk(recurse: Recurse, x: unknown): GradTree {
    const g = this.inner.walk(recurse, x) as GradTree[] | Map<unknown, GradTree> | Record<string, GradTree>;
    const values = Array.isArray(g) ? g : g instanceof Map ? [...g.values()] : Object.values(g);
    return values.every((v) => v === null) ? null : (g as GradTree);
  }
}

/**
 * The gradient tree of `x`: registered classes as plain objects, a shared node's tree computed
 * once (`cache` spans the arguments). Leaves are excluded before the cache is consulted: tensors
 * are looked up directly, which keeps this walk cheap next to the backward pass.
 */
function structure(x: unknown, grads: Map<tf.Tensor, tf.Tensor>, cache: Map<unknown, unknown>): GradTree {
  const leaf = (v: unknown): GradTree => (v instanceof tf.Tensor ? (grads.get(v) ?? null) : null);
  return execute(new ExcludeWalk(new CachedWalk(new NullCollapsingWalk(), NO_PRUNE, cache), leaf, isLeaf), x);
}
