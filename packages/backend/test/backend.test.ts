import { describe, expect, test } from "@jest/globals";
import { tf, useBackend, WASM_FILES } from "@fluxion/backend";
import { assertNoLeaks, countTensors, liveTensors } from "@fluxion/backend/testing";

describe("tfjs set-up", () => {
  test("gradients are registered: d/dx sum(x^2 + sin x) = 2x + cos x", () => {
    const x = tf.tensor1d([1, 2, 3]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.add(tf.square(v), tf.sin(v))))(x);
    const expected = [1, 2, 3].map((v) => 2 * v + Math.cos(v));
    const got = Array.from(g.dataSync());
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    tf.dispose([x, g]);
  });

  test("chained ops are registered on Tensor", () => {
    const x = tf.tensor1d([1, 2]);
    const y = (x as any).mul(3).add(1);
    expect(Array.from(y.dataSync())).toEqual([4, 7]);
    tf.dispose([x, y]);
  });

  test("second-order gradients work (d²/dx² x³ = 6x)", () => {
    const x = tf.tensor1d([1, -2]);
    const h = tf.grad((v: tf.Tensor) => tf.grad((u: tf.Tensor) => tf.sum(tf.pow(u, 3)))(v))(x);
    expect(Array.from(h.dataSync())).toEqual([6, -12]);
    tf.dispose([x, h]);
  });
});

describe("useBackend", () => {
  test("switches to cpu and wasm and back, awaiting readiness", async () => {
    const start = tf.getBackend();
    await useBackend("wasm");
    expect(tf.getBackend()).toBe("wasm");
    const a = tf.tensor1d([1, 2, 3]);
    expect(Array.from(tf.sum(a).dataSync())).toEqual([6]);
    await useBackend("cpu");
    expect(tf.getBackend()).toBe("cpu");
    a.dispose();
    await useBackend(start as "cpu" | "wasm");
  });

  test("an unknown backend name is a clear error", async () => {
    await expect(useBackend("tpu" as any)).rejects.toThrow("unknown backend 'tpu'; expected one of cpu, wasm, webgl");
  });

  test("a backend that cannot start throws and leaves the previous backend active", async () => {
    const before = tf.getBackend();
    // Node has no WebGL context: tfjs's setBackend would resolve false and leave 'webgl' selected.
    await expect(useBackend("webgl")).rejects.toThrow(/useBackend\('webgl'\)/);
    expect(tf.getBackend()).toBe(before);
    const t = tf.scalar(2);
    expect(t.dataSync()[0]).toBe(2);
    t.dispose();
    // tfjs would pick the broken backend again on its own; useBackend asks it again only when told to.
    expect(tf.findBackendFactory("webgl")).toBeNull();
    await expect(useBackend("webgl")).rejects.toThrow(/the webgl backend could not start/);
    expect(tf.getBackend()).toBe(before);
  });
});

describe("useBackend options", () => {
  test("an unknown option is refused before anything changes", async () => {
    const before = tf.getBackend();
    await expect(useBackend("cpu", { wasmPath: "/x/" } as any)).rejects.toThrow("unknown option(s) wasmPath; expected wasmPaths");
    expect(tf.getBackend()).toBe(before);
  });

  test("wasmPaths names the three binaries; another key is refused", async () => {
    expect(WASM_FILES).toEqual(["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm-threaded-simd.wasm"]);
    await expect(useBackend("wasm", { wasmPaths: { "tfjs-backend.wasm": "/a.wasm" } as any })).rejects.toThrow(
      "unknown wasmPaths file(s) tfjs-backend.wasm; expected tfjs-backend-wasm.wasm, tfjs-backend-wasm-simd.wasm, tfjs-backend-wasm-threaded-simd.wasm",
    );
  });

  test("wasmPaths after the wasm backend started is an error, not silently ignored", async () => {
    const before = tf.getBackend() as "cpu" | "wasm";
    await useBackend("wasm");
    await expect(useBackend("wasm", { wasmPaths: "/elsewhere/" })).rejects.toThrow("wasmPaths must be given before the wasm backend first starts");
    expect(tf.getBackend()).toBe("wasm");
    await useBackend(before);
  });
});

describe("leak checks", () => {
  test("assertNoLeaks passes for a tidy operation and counts the returned tensors", () => {
    const x = tf.tensor1d([1, 2]);
    const out = assertNoLeaks(() => tf.tidy(() => [tf.add(x, 1), tf.mul(x, 2)]));
    expect(out).toHaveLength(2);
    tf.dispose([x, ...out]);
  });

  test("assertNoLeaks reports a leaked intermediate", () => {
    const x = tf.tensor1d([1, 2]);
    const made: tf.Tensor[] = [];
    expect(() =>
      assertNoLeaks(() => {
        made.push(tf.add(x, 1));
        made.push(tf.mul(made[0]!, 2));
        return made[1];
      }),
    ).toThrow("tensor leak: expected 1 new live tensor(s) (the result), found 2");
    tf.dispose([x, ...made]);
  });

  test("assertNoLeaks works with async functions", async () => {
    const before = liveTensors();
    await expect(assertNoLeaks(async () => tf.scalar(1), 0)).rejects.toThrow("expected 0 new live tensor(s)");
    expect(liveTensors()).toBe(before + 1);
  });

  test("countTensors counts distinct live tensors in nested containers", () => {
    const a = tf.scalar(1);
    const b = tf.scalar(2);
    const c = tf.scalar(3);
    c.dispose();
    expect(countTensors({ x: [a, a], y: new Map([["k", b]]), z: c, n: 3 })).toBe(2);
    tf.dispose([a, b]);
  });
});

describe("second derivatives through ops whose gradients use their outputs", () => {
  // Each case: f, its exact second derivative at x (elementwise functions, so the Hessian is diagonal).
  const cases: [string, (u: tf.Tensor) => tf.Tensor, (x: number) => number][] = [
    ["tanh", (u) => tf.tanh(u), (x) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2)],
    ["sigmoid", (u) => tf.sigmoid(u), (x) => { const s = 1 / (1 + Math.exp(-x)); return s * (1 - s) * (1 - 2 * s); }],
    ["exp", (u) => tf.exp(u), (x) => Math.exp(x)],
    ["elu", (u) => tf.elu(u), (x) => (x >= 0 ? 0 : Math.exp(x))],
    ["pow(x, 3)", (u) => tf.pow(u, tf.scalar(3)), (x) => 6 * x],
    ["pow(2, x)", (u) => tf.pow(tf.scalar(2), u), (x) => Math.LN2 ** 2 * 2 ** x],
  ];
  test.each(cases)("%s", (_name, f, second) => {
    const x = tf.tensor1d([0.3, -0.5, 1.2]);
    const before = tf.memory().numTensors;
    const d2 = tf.tidy(() => tf.grad((v: tf.Tensor) => tf.sum(tf.grad((u: tf.Tensor) => tf.sum(f(u)))(v)))(x));
    expect(tf.memory().numTensors).toBe(before + 1);
    Array.from(d2.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(second([0.3, -0.5, 1.2][i]!), 4));
    tf.dispose([x, d2]);
  });

  test("softmax, and x - logSumExp(x) for log-softmax: Hessian-vector products match finite differences", () => {
    const x = tf.tensor1d([0.2, -0.4, 0.9]);
    const w = tf.tensor1d([1, -2, 0.5]);
    for (const f of [(u: tf.Tensor) => tf.softmax(u), (u: tf.Tensor) => tf.sub(u, tf.logSumExp(u))]) {
      const loss = (u: tf.Tensor) => tf.sum(tf.mul(tf.square(f(u)), w));
      const gradAt = (u: tf.Tensor) => tf.grad(loss)(u);
      const e = tf.tensor1d([1, 0, 0]);
      const hv = tf.grad((u: tf.Tensor) => tf.sum(tf.mul(gradAt(u), e)))(x);
      const h = 1e-2;
      const [xp, xm] = [tf.tensor1d([0.2 + h, -0.4, 0.9]), tf.tensor1d([0.2 - h, -0.4, 0.9])];
      const [gp, gm] = [gradAt(xp), gradAt(xm)];
      const fd = Array.from(gp.dataSync()).map((v, i) => (v - gm.dataSync()[i]!) / (2 * h));
      Array.from(hv.dataSync()).forEach((v, i) => expect(Math.abs(v - fd[i]!)).toBeLessThan(2e-3 * (1 + Math.abs(fd[i]!))));
      tf.dispose([e, hv, xp, xm, gp, gm]);
    }
    tf.dispose([x, w]);
  });
});
