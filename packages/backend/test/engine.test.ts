import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { activeTape, detach, hasTrustedKernels, isTaping, recordSeparately, valueAndGradients } from "@fluxion/backend/internal";
import { assertNoLeaks } from "@fluxion/backend/testing";

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());

describe("the gradient tape", () => {
  test("isTaping is true only while a gradient is recorded", () => {
    const x = tf.scalar(3);
    expect(isTaping()).toBe(false);
    let inside = false;
    const g = tf.grad((v: tf.Tensor) => {
      inside = isTaping();
      return tf.square(v);
    })(x);
    expect(inside).toBe(true);
    expect(isTaping()).toBe(false);
    tf.dispose([x, g]);
  });

  test("activeTape is null outside, one object through nested gradients, a new one per call", () => {
    const x = tf.scalar(2);
    expect(activeTape()).toBeNull();
    const seen: (object | null)[] = [];
    const second = (v: tf.Tensor): tf.Tensor => {
      seen.push(activeTape());
      const inner = tf.grad((u: tf.Tensor) => {
        seen.push(activeTape());
        return tf.pow(u, 3);
      });
      return inner(v);
    };
    tf.dispose([tf.grad(second)(x), tf.grad(second)(x)]);
    expect(seen.every((t) => t !== null)).toBe(true);
    expect(seen[0]).toBe(seen[1]);
    expect(seen[2]).toBe(seen[3]);
    expect(seen[2]).not.toBe(seen[0]);
    expect(activeTape()).toBeNull();
    x.dispose();
  });
});

describe("detach", () => {
  test("shares the data, leaks nothing and frees the data only when both are disposed", () => {
    const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const d = assertNoLeaks(() => detach(x));
    expect(d).not.toBe(x);
    expect(d.dataId).toBe(x.dataId);
    expect(d.shape).toEqual([2, 2]);
    expect(d.dtype).toBe("float32");
    const buffers = tf.memory().numDataBuffers;
    x.dispose();
    expect(tf.memory().numDataBuffers).toBe(buffers);
    expect(values(d)).toEqual([1, 2, 3, 4]);
    d.dispose();
    expect(tf.memory().numDataBuffers).toBe(buffers - 1);
  });

  test("carries no gradient back to the original", () => {
    const x = tf.tensor1d([1, 2]);
    const g = assertNoLeaks(() => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(v, detach(v))))(x));
    // d/dv Σ v·c with c = v held constant is c, not 2v.
    expect(values(g)).toEqual([1, 2]);
    tf.dispose([x, g]);
  });
});

describe("valueAndGradients", () => {
  test("d/dx sum(x²) = 2x, with the value, leak-free", () => {
    const x = tf.tensor1d([1, -2, 3]);
    const { value, grads } = assertNoLeaks(() => valueAndGradients(() => tf.sum(tf.square(x)), [x]), 2);
    expect(values(value)).toEqual([14]);
    expect(grads).toHaveLength(1);
    expect(values(grads[0]!)).toEqual([2, -4, 6]);
    tf.dispose([x, value, grads[0]!]);
  });

  test("an x that f does not reach gets undefined, not an error", () => {
    const x = tf.tensor1d([1, 2]);
    const y = tf.tensor1d([5, 7]);
    const { value, grads } = assertNoLeaks(() => valueAndGradients(() => tf.sum(tf.mul(x, 3)), [x, y]), 2);
    expect(values(grads[0]!)).toEqual([3, 3]);
    expect(grads[1]).toBeUndefined();
    tf.dispose([x, y, value, grads[0]!]);
  });

  test("the intermediates of f are freed; with no xs f runs untaped", () => {
    const x = tf.tensor1d([1, 2]);
    let taped = true;
    const { value, grads } = assertNoLeaks(
      () =>
        valueAndGradients(() => {
          taped = isTaping();
          return tf.sum(tf.exp(tf.add(x, 1)));
        }, []),
      1,
    );
    expect(taped).toBe(false);
    expect(grads).toEqual([]);
    expect(values(value)[0]).toBeCloseTo(Math.exp(2) + Math.exp(3), 4);
    tf.dispose([x, value]);
  });
});

describe("recordSeparately", () => {
  // y = tanh(x·w); a customGrad op around it back-propagates through the separate tape in its
  // gradFunc, as evolve's AutoOptimiser does, and reports dL/dw from there.
  const layer = (x: tf.Tensor, w: tf.Tensor, seen: tf.Tensor[]): tf.Tensor => {
    // Recorded before the op: inside customGrad's forward function nothing is taped.
    const tape = recordSeparately(() => tf.tanh(tf.matMul(x, w)), [x, w]);
    return tf.customGrad(() => {
      return {
        value: tape.value,
        gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
          const [dx, dw] = tape.backward(dy as tf.Tensor);
          seen.push(tf.keep(dw!));
          return [dx!];
        },
      };
    })(x);
  };

  test("gives the same gradients as the ordinary tape, inside the outer backward pass", () => {
    const x = tf.tensor2d([[0.5, -1]]);
    const w = tf.tensor2d([[0.3], [0.7]]);
    const loss = (v: tf.Tensor, u: tf.Tensor, f: (a: tf.Tensor) => tf.Tensor): tf.Tensor => tf.sum(tf.square(f(tf.mul(v, 2))));
    const seen: tf.Tensor[] = [];
    const dx = assertNoLeaks(() => tf.grad((v: tf.Tensor) => loss(v, w, (a) => layer(a, w, seen)))(x), 2);
    const [refDx, refDw] = tf.grads((v: tf.Tensor, u: tf.Tensor) => loss(v, u, (a) => tf.tanh(tf.matMul(a, u))))([x, w]);
    expect(values(dx)).toEqual(values(refDx!));
    expect(values(seen[0]!)).toEqual(values(refDw!));
    expect(activeTape()).toBeNull();
    tf.dispose([x, w, dx, refDx!, refDw!, ...seen]);
  });

  test("frees its tape with the outer one when no path reaches it", () => {
    const x = tf.tensor2d([[1, 2]]);
    const w = tf.tensor2d([[1], [1]]);
    const seen: tf.Tensor[] = [];
    const dx = assertNoLeaks(
      () =>
        tf.grad((v: tf.Tensor) => {
          layer(tf.mul(v, 1), w, seen); // unused output: its gradFunc never runs
          return tf.sum(tf.mul(v, 3));
        })(x),
      1,
    );
    expect(seen).toHaveLength(0);
    expect(values(dx)).toEqual([3, 3]);
    tf.dispose([x, w, dx]);
  });

  test("refuses outside a gradient and a second backward call", () => {
    expect(() => recordSeparately(() => tf.scalar(1), [])).toThrow("recordSeparately: no gradient is being recorded here");
    const x = tf.scalar(2);
    const g = tf.grad((v: tf.Tensor) => {
      const tape = recordSeparately(() => tf.square(v), [v]);
      return tf.customGrad(() => {
        return {
          value: tape.value,
          gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
            const [d] = tape.backward(dy as tf.Tensor);
            expect(() => tape.backward(dy as tf.Tensor)).toThrow("backward was called twice");
            return [d!];
          },
        };
      })(v);
    })(x);
    expect(values(g)).toEqual([4]);
    tf.dispose([x, g]);
  });
});

describe("hasTrustedKernels", () => {
  test("true for kernels every backend has", () => {
    expect(hasTrustedKernels("Add", "BatchMatMul", "Conv2D")).toBe(true);
    expect(hasTrustedKernels()).toBe(true);
  });

  test("false for a kernel name no backend registers", () => {
    expect(hasTrustedKernels("Add", "NoSuchKernel")).toBe(false);
  });

  test("on wasm, false for a kernel registered but known to be wrong", () => {
    const maxPool3d = tf.getKernel("MaxPool3D", tf.getBackend()) !== undefined;
    expect(hasTrustedKernels("MaxPool3D")).toBe(tf.getBackend() === "wasm" ? false : maxPool3d);
    if (tf.getBackend() === "wasm") expect(maxPool3d).toBe(true);
    if (tf.getBackend() === "cpu") expect(hasTrustedKernels("MaxPool3D", "MaxPoolGrad", "Conv3DBackpropInputV2")).toBe(true);
  });
});
