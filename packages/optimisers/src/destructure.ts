import { tf } from "@fluxion/backend";
import { fmap } from "@fluxion/functors";
import { isNumeric, trainableWalk, trainablesWithPath } from "./trainable.js";

/** Rebuilds the model from a flat vector (`re(flat)`); `re.length` is the vector's length. */
export interface Restructure<M> {
  (flat: tf.Tensor): M;
  readonly length: number;
  readonly model: M;
  /** `Restructure(Chain, ..., 26)`, as Julia prints it. */
  toString(): string;
}

/**
 * Flattens the trainable tensors of `model` into one 1-D tensor (tree order, each tensor
 * row-major, a tied tensor once) and returns it with `re`, which rebuilds a model like this one
 * from such a vector: new tensors in the trainable places (ties re-tied), everything else as it
 * was. Both directions are tfjs ops, so gradients flow through them (including second order).
 * Complex and disposed parameters are refused; `re` takes a float, int or bool vector.
 */
export function destructure<M>(model: M): [tf.Tensor1D, Restructure<M>] {
  const found = trainablesWithPath(model, "destructure");
  const disposed = found.find(([, t]) => t.isDisposed);
  if (disposed) throw new Error(`destructure: the parameter at ${disposed[0].toString()} is a disposed tensor`);
  const parts = found.map(([, t]) => t);
  const offsets = new Map<tf.Tensor, number>();
  let length = 0;
  for (const t of parts) {
    offsets.set(t, length);
    length += t.size;
  }

  const flat = tf.tidy(() => (parts.length === 0 ? tf.zeros([0]) : tf.concat(parts.map((p) => tf.reshape(p, [-1])))));
  const rebuild = (v: tf.Tensor): M => {
    if (!(v instanceof tf.Tensor) || v.rank !== 1) {
      throw new Error(`Restructure expected a 1-D tensor of length ${length}, got ${v instanceof tf.Tensor ? `shape [${v.shape}]` : typeof v}`);
    }
    if (v.size !== length) throw new Error(`Restructure expected a vector of length ${length}, got ${v.size}`);
    if (v.isDisposed) throw new Error("Restructure was given a disposed tensor");
    if (v.dtype === "string" || v.dtype === "complex64") throw new Error(`Restructure expected a float32 vector (int32 and bool are converted), got a ${v.dtype} tensor`);
    const piece = (t: tf.Tensor): tf.Tensor =>
      tf.tidy(() => {
        const s = tf.reshape(tf.slice(v, [offsets.get(t)!], [t.size]), t.shape);
        return s.dtype === t.dtype ? s : tf.cast(s, t.dtype);
      });
    return fmap({ walk: trainableWalk() }, (x) => (isNumeric(x) ? piece(x) : x), model) as M;
  };
  const re = Object.defineProperties(rebuild, {
    length: { value: length },
    model: { value: model },
    toString: { value: () => `Restructure(${typeName(model)}, ..., ${length})` },
  }) as Restructure<M>;
  return [flat as tf.Tensor1D, re];
}

function typeName(x: unknown): string {
  if (Array.isArray(x)) return "Array";
  if (x instanceof tf.Tensor) return "Tensor";
  if (x !== null && typeof x === "object") return x.constructor?.name ?? "Object";
  return typeof x;
}
