import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import * as A from "../src/functions/activations.js";
import { gradient, hessian } from "../src/autodiff/gradient.js";

const xs = [-30, -3, -1, -0.5, -0.01, 0.01, 0.5, 1, 3, 30];
const sig = (x: number) => 1 / (1 + Math.exp(-x));
const sp = (x: number) => Math.log1p(Math.exp(-Math.abs(x))) + Math.max(x, 0);
const L = 1.0507009873554804934193349852946;
const AL = 1.6732632423543772848170429916717;

// Float64 reference formulas (NNlib's definitions).
const reference: [string, (x: tf.Tensor) => tf.Tensor, (x: number) => number][] = [
  ["identity", A.identity, (x) => x],
  ["relu", A.relu, (x) => Math.max(x, 0)],
  ["sigmoid", A.sigmoid, sig],
  ["tanh", A.tanh, Math.tanh],
  ["leakyrelu", A.leakyrelu, (x) => (x > 0 ? x : 0.01 * x)],
  ["elu", A.elu, (x) => (x > 0 ? x : Math.exp(x) - 1)],
  ["selu", A.selu, (x) => (x > 0 ? L * x : L * AL * (Math.exp(x) - 1))],
  ["celu", A.celu, (x) => (x >= 0 ? x : Math.exp(x) - 1)],
  ["softplus", A.softplus, (x) => Math.log(1 + Math.exp(x))],
  ["logsigmoid", A.logsigmoid, (x) => Math.log(sig(x))],
  ["softsign", A.softsign, (x) => x / (1 + Math.abs(x))],
  ["swish", A.swish, (x) => x * sig(x)],
  ["gelu", A.gelu, (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)))],
  ["mish", A.mish, (x) => x * Math.tanh(sp(x))],
  ["relu6", A.relu6, (x) => Math.min(Math.max(x, 0), 6)],
  ["hardsigmoid", A.hardsigmoid, (x) => Math.max(0, Math.min(1, (x + 3) / 6))],
  ["hardtanh", A.hardtanh, (x) => Math.max(-1, Math.min(1, x))],
  ["lisht", A.lisht, (x) => x * Math.tanh(x)],
  ["tanhshrink", A.tanhshrink, (x) => x - Math.tanh(x)],
];

describe("activations", () => {
  test.each(reference)("%s matches its formula, leaks nothing, and has finite-difference-true gradients", (_, f, ref) => {
    const x = tf.tensor1d(xs);
    const y = assertNoLeaks(() => f(x), _ === "identity" ? 0 : 1);
    const got = Array.from(y.dataSync());
    xs.forEach((v, i) => {
      const e = ref(v);
      expect(Math.abs(got[i]! - e)).toBeLessThanOrEqual(2e-6 * Math.max(1, Math.abs(e)));
    });
    const [g] = gradient((t: tf.Tensor) => tf.sum(f(t)), x);
    const dg = Array.from((g as tf.Tensor).dataSync());
    xs.forEach((v, i) => {
      const kinks = _ === "hardsigmoid" ? [-3, 3] : _ === "hardtanh" ? [-1, 1] : ["relu", "leakyrelu", "relu6", "celu", "elu", "selu"].includes(_) ? [0] : [];
      if (kinks.some((k) => Math.abs(v - k) < 0.05)) return;
      const h = 1e-4;
      const fd = (ref(v + h) - ref(v - h)) / (2 * h);
      expect(Number.isFinite(dg[i]!)).toBe(true);
      expect(Math.abs(dg[i]! - fd)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(fd)));
    });
    tf.dispose([x, y, g as tf.Tensor]);
  });

  test("softmax and logsoftmax act on the last axis", () => {
    const x = tf.tensor2d([[1, 2, 3], [-1, 0, 1000]]);
    const s = A.softmax(x);
    const ls = A.logsoftmax(x);
    const row = [1, 2, 3].map(Math.exp);
    const z = row.reduce((a, b) => a + b);
    const expected = [...row.map((v) => v / z), 0, 0, 1];
    Array.from(s.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
    const lexp = [...[1, 2, 3].map((v) => v - Math.log(z)), -1001, -1000, 0];
    Array.from(ls.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(lexp[i]!, 4));
    tf.dispose([x, s, ls]);
  });

  test("logsoftmax has the right Hessian: −(Σw)(diag(p) − ppᵀ)", () => {
    const w = [0.2, 0.5, 0.3];
    const xv = [0.1, -0.4, 0.7];
    const x = tf.tensor1d(xv);
    const wt = tf.tensor1d(w);
    const h = hessian((v) => tf.sum(tf.mul(wt, A.logsoftmax(v))), x);
    const e = xv.map(Math.exp);
    const p = e.map((v) => v / e.reduce((a, b) => a + b));
    const got = h.arraySync() as number[][];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(got[i]![j]).toBeCloseTo(-1 * ((i === j ? p[i]! : 0) - p[i]! * p[j]!), 5);
    tf.dispose([x, wt, h]);
  });

  test("softplus and logsigmoid have the right second derivatives", () => {
    const xv = [-2, 0.3, 1.5];
    const x = tf.tensor1d(xv);
    const h1 = hessian((v) => tf.sum(A.softplus(v)), x);
    const h2 = hessian((v) => tf.sum(A.logsigmoid(v)), x);
    const d1 = xv.map((v) => sig(v) * (1 - sig(v)));
    Array.from(h1.dataSync()).forEach((v, k) => expect(v).toBeCloseTo(k % 4 === 0 ? d1[k / 4]! : 0, 5));
    Array.from(h2.dataSync()).forEach((v, k) => expect(v).toBeCloseTo(k % 4 === 0 ? -d1[k / 4]! : 0, 5));
    tf.dispose([x, h1, h2]);
  });

  test("names as Flux prints them", () => {
    expect(A.activationName(A.sigmoid)).toBe("σ");
    expect(A.activationName(A.relu)).toBe("relu");
    expect(A.activationName(A.hardsigmoid)).toBe("hardσ");
    expect(A.activationName(A.logsigmoid)).toBe("logσ");
    const myact = (x: tf.Tensor) => x;
    expect(A.activationName(myact)).toBe("myact");
  });
});
