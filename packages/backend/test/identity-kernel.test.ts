// fluxion's Identity kernel on wasm (identity-kernel.ts): inside fluxion's calls a clone is a second
// reference to the same memory, counted by the backend; outside them tfjs's copy runs. And what
// sharing must not break: a fused in-place rewrite refuses a tensor whose memory a clone shares.
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { rewriteProblem, withFluxionKernels } from "@fluxion/backend/internal";

const onWasm = () => tf.getBackend() === "wasm";
const refs = (t: tf.Tensor): number => (tf.engine().backend as unknown as { refCount(id: object): number }).refCount(t.dataId);

describe("fluxion's Identity kernel", () => {
  test("on wasm a clone inside fluxion's calls shares memory; outside, tfjs copies", () => {
    if (!onWasm()) return;
    const x = tf.tensor([1.5, -2, 3]);
    const inside = withFluxionKernels(() => tf.clone(x));
    expect(inside.dataId).toBe(x.dataId);
    expect(refs(x)).toBe(2);
    expect(Array.from(inside.dataSync())).toEqual([1.5, -2, 3]);
    // While the clone lives, x's memory is shared: an in-place rewrite of x is refused.
    expect(rewriteProblem([x], [])).toBe("written tensor 1 shares its data with another tensor");
    inside.dispose();
    expect(refs(x)).toBe(1);
    expect(rewriteProblem([x], [])).toBeNull();
    expect(Array.from(x.dataSync())).toEqual([1.5, -2, 3]);
    const outside = tf.clone(x);
    expect(refs(x)).toBe(1);
    expect(Array.from(outside.dataSync())).toEqual([1.5, -2, 3]);
    tf.dispose([x, outside]);
  });

  test("string tensors are cloned by the stock kernel", () => {
    const s = tf.tensor(["a", "bc"]);
    const c = withFluxionKernels(() => tf.clone(s));
    expect(c.dataSync()).toEqual(["a", "bc"]);
    tf.dispose([s, c]);
  });
});
