// Shared by the issue-13 error tests: a small layer class, snapshots of trees, and a check that a
// call fails with a fluxion Error, leaking nothing.
import { expect } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { liveTensors, refusal } from "@fluxion/backend/testing";
import { registerFunctor } from "@fluxion/functors";
import { Leaf } from "@fluxion/optimisers";

/** A Dense-like layer: `weight [in, out]`, `bias [out]`, an activation; a registered functor. */
export class Lin {
  constructor(
    public weight: tf.Tensor,
    public bias: tf.Tensor,
    public act: (x: number) => number = Math.tanh,
  ) {}
  static make(inputs: number, outputs: number, variables = true): Lin {
    const w = tf.tidy(() => tf.reshape(tf.add(tf.mul(tf.range(0, inputs * outputs), 0.1), 1), [inputs, outputs]));
    const b = tf.fill([outputs], 0.5);
    if (!variables) return new Lin(w, b);
    const lin = new Lin(tf.variable(w), tf.variable(b));
    tf.dispose([w, b]);
    return lin;
  }
}
registerFunctor(Lin, ["weight", "bias", "act"]);

/** Every tensor's values (or "disposed"), rule, step and frozen flag of a tree, by path. */
export function snapshot(x: unknown, path = "", out: Record<string, unknown> = {}, seen = new Set<unknown>()): Record<string, unknown> {
  if (x instanceof tf.Tensor) out[path] = x.isDisposed ? "disposed" : [x.dtype, x.shape, Array.from(x.dataSync() as ArrayLike<unknown>)];
  else if (x === null || typeof x !== "object" || seen.has(x)) return out;
  else if (x instanceof Leaf) {
    seen.add(x);
    out[path] = [x.rule.toString(), x.step, x.frozen];
    snapshot(x.state, `${path}.state`, out, seen);
  } else {
    seen.add(x);
    const entries = x instanceof Map ? [...x] : Object.entries(x);
    for (const [k, v] of entries) snapshot(v, `${path}.${String(k)}`, out, seen);
  }
  return out;
}

/** Runs `f`, which must throw a plain Error whose message contains `text`; nothing may be left behind. */
export function expectRefused(f: () => unknown, text: string | RegExp): Error {
  const err = refusal(f);
  if (typeof text === "string") expect(err.message).toContain(text);
  else expect(err.message).toMatch(text);
  return err;
}

/** Whether this backend has complex numbers (wasm has none). */
export const complexOk = (): boolean => tf.getKernel("Complex", tf.getBackend()) !== undefined;
