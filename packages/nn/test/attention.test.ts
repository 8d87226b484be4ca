import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { dotProductAttention, makeCausalMask, MultiHeadAttention } from "../src/layers/attention/attention.js";
import { Dense } from "../src/layers/basic/dense.js";
import { dispose } from "../src/core/dispose.js";
import { gradient } from "../src/autodiff/gradient.js";
import { glorotUniform } from "../src/functions/init.js";
import { testMode, trainMode } from "../src/core/modules.js";
import { Rng } from "../src/functions/rng.js";

type M = number[][];
const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());
const close = (a: ArrayLike<number>, e: ArrayLike<number>, rtol = 1e-5, atol = 1e-6) => {
  expect(a.length).toBe(e.length);
  for (let i = 0; i < a.length; i++) {
    if (!(Math.abs(a[i]! - e[i]!) <= atol + rtol * Math.abs(e[i]!))) throw new Error(`index ${i}: ${a[i]} vs ${e[i]}\n${Array.from(a)}\n${Array.from(e)}`);
  }
};
const seq = (shape: number[], seed: number): tf.Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: n }, (_, i) => Math.sin(seed + 1.3 * i)), shape);
};

// ---- float64 reference (per batch element: rows = positions, columns = features) ----
const matmul = (a: M, b: M): M => a.map((r) => b[0]!.map((_, j) => r.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
const affine = (x: M, d: Dense): M => {
  const W = d.weight.arraySync() as M;
  const b = d.bias ? (d.bias.arraySync() as number[]) : null;
  return matmul(x, W).map((r) => r.map((v, j) => v + (b ? b[j]! : 0)));
};
const cols = (x: M, from: number, n: number): M => x.map((r) => r.slice(from, from + n));
/** Attention of one batch element: returns [y (lenQ × vdim), α (nheads × lenQ × lenK)]. */
function refAttention(q: M, k: M, v: M, nheads: number, keep?: (i: number, j: number, h: number) => boolean, bias?: (h: number, i: number, j: number) => number): [M, number[][][]] {
  const dk = q[0]!.length / nheads;
  const dv = v[0]!.length / nheads;
  const alphas: number[][][] = [];
  const y: M = q.map(() => []);
  for (let h = 0; h < nheads; h++) {
    const qh = cols(q, h * dk, dk);
    const kh = cols(k, h * dk, dk);
    const vh = cols(v, h * dv, dv);
    const a = qh.map((qi, i) => {
      const logits = kh.map((kj, j) => {
        const l = qi.reduce((s, x, t) => s + x * kj[t]!, 0) / Math.sqrt(dk) + (bias ? bias(h, i, j) : 0);
        return keep && !keep(i, j, h) ? -Infinity : l;
      });
      const m = Math.max(...logits);
      const e = logits.map((l) => Math.exp(l - m));
      const z = e.reduce((s, x) => s + x, 0);
      return e.map((x) => x / z);
    });
    alphas.push(a);
    matmul(a, vh).forEach((r, i) => y[i]!.push(...r));
  }
  return [y, alphas];
}
function refMHA(mha: MultiHeadAttention, q: number[][][], k: number[][][], v: number[][][], keep?: (i: number, j: number, h: number) => boolean) {
  const ys: M[] = [];
  const as: number[][][][] = [];
  q.forEach((_, b) => {
    const [y, a] = refAttention(affine(q[b]!, mha.qProj), affine(k[b]!, mha.kProj), affine(v[b]!, mha.vProj), mha.nheads, keep);
    ys.push(affine(y, mha.outProj));
    as.push(a);
  });
  return [ys, as] as const;
}
const arr3 = (t: tf.Tensor) => t.arraySync() as number[][][];
const withBiases = (m: MultiHeadAttention) =>
  tf.tidy(() => {
    for (const d of [m.qProj, m.kProj, m.vProj, m.outProj]) {
      const b = d.bias;
      if (b) b.assign(tf.tensor1d(Array.from({ length: b.size }, (_, i) => 0.2 * Math.cos(3 * i + b.size))));
    }
  });

describe("dotProductAttention", () => {
  test("matches a float64 reference, with heads, a mask and a bias, any batch dims", () => {
    const q = seq([2, 3, 3, 4], 1); // batch dims [2, 3], lenQ 3, 2 heads of 2
    const k = seq([2, 3, 5, 4], 2);
    const v = seq([2, 3, 5, 6], 3);
    const mask = tf.tensor([[1, 1, 0, 1, 1], [1, 0, 1, 1, 1], [0, 1, 1, 1, 0]], [3, 5], "bool");
    const bias = seq([2, 3, 5], 4); // broadcast over batch dims: [nheads, lenQ, lenK]
    const [y, alpha] = assertNoLeaks(() => dotProductAttention(q, k, v, bias, { nheads: 2, mask }));
    expect(y.shape).toEqual([2, 3, 3, 6]);
    expect(alpha.shape).toEqual([2, 3, 2, 3, 5]);
    const m = mask.arraySync() as number[][];
    const bb = bias.arraySync() as number[][][];
    const qs = q.arraySync() as number[][][][];
    const ks = k.arraySync() as number[][][][];
    const vs = v.arraySync() as number[][][][];
    const ey: number[] = [];
    const ea: number[] = [];
    for (let a = 0; a < 2; a++) {
      for (let b = 0; b < 3; b++) {
        const [yr, ar] = refAttention(qs[a]![b]!, ks[a]![b]!, vs[a]![b]!, 2, (i, j) => m[i]![j]! === 1, (h, i, j) => bb[h]![i]![j]!);
        ey.push(...yr.flat());
        ea.push(...ar.flat(2));
      }
    }
    close(values(y), ey);
    close(values(alpha), ea);
    tf.dispose([q, k, v, mask, bias, y, alpha]);
  });

  test("rank-2 inputs (no batch), one head by default; numeric masks count non-zero as kept", () => {
    const q = seq([2, 3], 5);
    const k = seq([4, 3], 6);
    const [y, alpha] = dotProductAttention(q, k, k, { mask: tf.tensor2d([[1, 0, 1, 1], [0, 0, 1, 0]]) });
    const [ey, ea] = refAttention(q.arraySync() as M, k.arraySync() as M, k.arraySync() as M, 1, (i, j) => [[1, 0, 1, 1], [0, 0, 1, 0]][i]![j] === 1);
    close(values(y), ey.flat());
    close(values(alpha), ea.flat(2));
    // the second query sees only key 2
    expect(values(alpha).slice(4)).toEqual([0, 0, 1, 0]);
    tf.dispose([q, k, y, alpha]);
  });

  test("makeCausalMask: key ≤ query", () => {
    const m = makeCausalMask(3);
    expect(m.dtype).toBe("bool");
    expect(m.arraySync()).toEqual([[1, 0, 0], [1, 1, 0], [1, 1, 1]]);
    const x = tf.zeros([2, 4, 5]);
    const m4 = makeCausalMask(x);
    expect(m4.shape).toEqual([4, 4]);
    expect(() => makeCausalMask(-1)).toThrow("makeCausalMask: expected a length");
    tf.dispose([m, x, m4]);
  });

  test("errors", () => {
    const q = tf.zeros([2, 3, 4]);
    const v = tf.zeros([2, 5, 4]);
    expect(() => dotProductAttention(q, q, q, { nheads: 3 })).toThrow("dotProductAttention: nheads = 3 must be a positive integer dividing the features of q/k (4) and of v (4)");
    expect(() => dotProductAttention(q, q, v)).toThrow("dotProductAttention: k and v must have the same length, got 3 and 5");
    expect(() => dotProductAttention(q, tf.zeros([1, 3, 4]), q)).toThrow("dotProductAttention: q, k and v must have the same batch dimensions");
    expect(() => dotProductAttention(q, q, q, { heads: 2 } as any)).toThrow("dotProductAttention: unknown option heads");
    tf.dispose([q, v]);
  });
});

describe("MultiHeadAttention", () => {
  const init = (seed: number) => glorotUniform({ rng: new Rng(seed) });

  test("self-attention matches a float64 reference; y [batch, lenQ, out], α [batch, nheads, lenQ, lenK]", () => {
    const mha = new MultiHeadAttention([4, 6, 5], { nheads: 2, bias: true, init: init(1) });
    withBiases(mha);
    const x = seq([2, 3, 4], 7);
    const [y, alpha] = assertNoLeaks(() => mha.apply(x));
    expect(y.shape).toEqual([2, 3, 5]);
    expect(alpha.shape).toEqual([2, 2, 3, 3]);
    const [ey, ea] = refMHA(mha, arr3(x), arr3(x), arr3(x));
    close(values(y), ey.flat(2));
    close(values(alpha), ea.flat(3));
    tf.dispose([x, y, alpha]);
    dispose(mha);
  });

  test("cross-attention with different input sizes and a causal-style mask", () => {
    const mha = new MultiHeadAttention([[3, 4, 5], [6, 4], 7], { nheads: 2, init: init(2) });
    const q = seq([2, 3, 3], 8);
    const k = seq([2, 4, 4], 9);
    const v = seq([2, 4, 5], 10);
    const mask = tf.tensor([[1, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0]], [3, 4], "bool");
    const [y, alpha] = assertNoLeaks(() => mha.apply(q, k, v, { mask }));
    expect(y.shape).toEqual([2, 3, 7]);
    const keep = (i: number, j: number) => j <= i;
    const [ey, ea] = refMHA(mha, arr3(q), arr3(k), arr3(v), keep);
    close(values(y), ey.flat(2));
    close(values(alpha), ea.flat(3));
    // k = v when only two arrays are given
    const mha2 = new MultiHeadAttention([[3, 4, 4], [4, 4], 2], { nheads: 1, init: init(3) });
    const [y2] = mha2.apply(q, k);
    const [ey2] = refMHA(mha2, arr3(q), arr3(k), arr3(k));
    close(values(y2), ey2.flat(2));
    tf.dispose([q, k, v, mask, y, alpha, y2]);
    dispose([mha, mha2]);
  });

  test("an additive attention bias", () => {
    const mha = new MultiHeadAttention(4, { nheads: 2, init: init(4) });
    const x = seq([1, 3, 4], 11);
    const bias = tf.tensor3d([[[5, 0, 0], [0, 0, 0], [0, 0, 0]], [[0, 0, 0], [0, 0, 0], [0, 0, -5]]]); // [nheads, lenQ, lenK]
    const [y, alpha] = mha.apply(x, { bias });
    const xs = arr3(x)[0]!;
    const b = bias.arraySync() as number[][][];
    const [ry, ra] = refAttention(affine(xs, mha.qProj), affine(xs, mha.kProj), affine(xs, mha.vProj), 2, undefined, (h, i, j) => b[h]![i]![j]!);
    close(values(y), affine(ry, mha.outProj).flat());
    close(values(alpha), ra.flat(2));
    tf.dispose([x, bias, y, alpha]);
    dispose(mha);
  });

  test("the dims forms, parameter counts and printing as Flux", () => {
    const a = new MultiHeadAttention(64);
    expect(a.repr()).toBe("MultiHeadAttention(64; nheads=8)");
    expect(a.toString()).toBe("MultiHeadAttention(64; nheads=8)  # 16_384 parameters");
    const b = new MultiHeadAttention([3, 6, 8], { nheads: 1, bias: true });
    expect(b.repr()).toBe("MultiHeadAttention(3 => 6 => 8; nheads=1, bias=true)");
    // 3·6 + 6 (q) + 3·6 + 6 (k) + 3·6 + 6 (v) + 6·8 + 8 (out)
    expect(b.toString()).toBe("MultiHeadAttention(3 => 6 => 8; nheads=1, bias=true)  # 128 parameters");
    const c = new MultiHeadAttention([4, [6, 2], 3], { nheads: 2, dropoutProb: 0.1 });
    expect(c.repr()).toBe("MultiHeadAttention(4 => (6, 2) => 3; nheads=2, dropout_prob=0.1)");
    const d = new MultiHeadAttention([[1, 2, 3], [4, 4], 5], { nheads: 4 });
    expect(d.repr()).toBe("MultiHeadAttention((1, 2, 3) => (4, 4) => 5; nheads=4)");
    expect(d.qProj.weight.shape).toEqual([1, 4]);
    expect(d.kProj.weight.shape).toEqual([2, 4]);
    expect(d.vProj.weight.shape).toEqual([3, 4]);
    expect(d.outProj.weight.shape).toEqual([4, 5]);
    dispose([a, b, c, d]);
  });

  test("errors", () => {
    expect(() => new MultiHeadAttention(6, { nheads: 4 })).toThrow("MultiHeadAttention: qk_dim should be divisible by nheads, got qk_dim = 6, nheads = 4");
    expect(() => new MultiHeadAttention([4, [4, 6], 4], { nheads: 4 })).toThrow("MultiHeadAttention: v_dim should be divisible by nheads, got v_dim = 6, nheads = 4");
    expect(() => new MultiHeadAttention([4, 4] as any)).toThrow("MultiHeadAttention: dims must be a positive integer, [in, qkv, out]");
    expect(() => new MultiHeadAttention(4, { heads: 2 } as any)).toThrow("MultiHeadAttention: unknown option heads");
    expect(() => new MultiHeadAttention(4, { nheads: 1, dropoutProb: 2 })).toThrow("Dropout expects 0 ≤ p ≤ 1, got p = 2");
    const mha = new MultiHeadAttention(4, { nheads: 2 });
    const bad = tf.zeros([2, 3, 5]);
    expect(() => mha.apply(bad)).toThrow("layer MultiHeadAttention(4; nheads=2) expects size(input, -1) == 4 (features last), but got a tensor of shape [2, 3, 5]");
    const q = tf.zeros([2, 3, 4]);
    const k = tf.zeros([2, 5, 4]);
    const v = tf.zeros([2, 4, 4]);
    expect(() => mha.apply(q, k, v)).toThrow("the keys and values must have the same length");
    expect(() => mha.apply(q, { mask: null, foo: 1 } as any)).toThrow("unknown option foo");
    tf.dispose([bad, q, k, v]);
    dispose(mha);
  });

  test("attention dropout acts only in train mode (or inside a gradient)", () => {
    const mha = new MultiHeadAttention(4, { nheads: 2, dropoutProb: 0.5, init: init(5) });
    const x = seq([2, 6, 4], 12);
    const [, a0] = mha.apply(x);
    trainMode(mha);
    const [, a1] = mha.apply(x);
    const v0 = values(a0);
    const v1 = values(a1);
    expect(v1.some((e) => e === 0)).toBe(true);
    v1.forEach((e, i) => (e === 0 ? undefined : expect(e).toBeCloseTo(2 * v0[i]!, 5)));
    testMode(mha);
    const [, a2] = mha.apply(x);
    close(values(a2), v0);
    tf.dispose([x, a0, a1, a2]);
    dispose(mha);
  });

  test("gradients: finite differences in the weights and the input", () => {
    const mha = new MultiHeadAttention([3, 4, 2], { nheads: 2, bias: true, init: init(6) });
    withBiases(mha);
    const x = seq([2, 3, 3], 13);
    const w = seq([2, 3, 2], 14);
    const loss = (m: MultiHeadAttention, input: tf.Tensor) => tf.tidy(() => tf.sum(tf.mul(m.apply(input)[0], w)));
    const [g, gx] = assertNoLeaks(() => gradient(loss, mha, x)) as any[];
    const scalar = (t: tf.Tensor) => {
      const v = t.dataSync()[0]!;
      t.dispose();
      return v;
    };
    const fd = (v: tf.Variable, i: number, h = 1e-2) => {
      const base = values(v);
      const at = (d: number) => {
        const b = base.slice();
        b[i]! += d;
        tf.tidy(() => v.assign(tf.tensor(b, v.shape)));
        return scalar(loss(mha, x));
      };
      const r = (at(h) - at(-h)) / (2 * h);
      tf.tidy(() => v.assign(tf.tensor(base, v.shape)));
      return r;
    };
    for (const p of ["qProj", "kProj", "vProj", "outProj"] as const) {
      for (const f of ["weight", "bias"] as const) {
        const v = mha[p][f] as tf.Variable;
        const grad = values(g[p][f]);
        for (const i of [0, v.size - 1]) {
          const num = fd(v, i);
          expect(Math.abs(grad[i]! - num)).toBeLessThan(2e-3 + 1e-2 * Math.abs(num));
        }
      }
    }
    expect(g.nheads).toBeNull();
    const xs = values(x);
    const at = (d: number) => {
      const b = xs.slice();
      b[7]! += d;
      const t = tf.tensor(b, x.shape);
      const l = scalar(loss(mha, t));
      t.dispose();
      return l;
    };
    const num = (at(1e-2) - at(-1e-2)) / 2e-2;
    expect(Math.abs(values(gx)[7]! - num)).toBeLessThan(2e-3 + 1e-2 * Math.abs(num));
    tf.dispose([g, gx, x, w]);
    dispose(mha);
  });

  test("a masked gradient has no NaN", () => {
    const mha = new MultiHeadAttention(4, { nheads: 1, init: init(7) });
    const x = seq([1, 3, 4], 15);
    const mask = makeCausalMask(3);
    const [g] = gradient((m: MultiHeadAttention) => tf.sum(m.apply(x, { mask })[0]), mha) as any[];
    for (const p of ["qProj", "kProj", "vProj", "outProj"]) expect(values(g[p].weight).every(Number.isFinite)).toBe(true);
    tf.dispose([x, mask, g]);
    dispose(mha);
  });
});
