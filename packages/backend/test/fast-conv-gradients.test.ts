// fluxion's Conv2D gradients (conv-gradients.ts): the filter gradient as a convolution on cpu and
// wasm (wasm has no Conv2DBackpropFilter kernel, so tfjs's own gradient cannot run there), checked
// against float64 loops, against tfjs's stock gradient where it runs, and to second order.
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { hasTrustedKernels, valueAndGradients } from "@fluxion/backend/internal";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { seeded } from "./seeded.js";

interface Conv {
  x: [number, number, number, number];
  w: [number, number, number, number];
  stride: number;
}

const outSize = (c: Conv): [number, number] => [Math.floor((c.x[1] - c.w[0]) / c.stride) + 1, Math.floor((c.x[2] - c.w[1]) / c.stride) + 1];

/**
 * y[b, r, s, o] = Σ x[b, r·st + p, s·st + q, i]·w[p, q, i, o]; calls `term(b, r, s, o, xIndex, wIndex)` for every product.
 */
function eachTerm(c: Conv, term: (yIndex: number, xi: number, wi: number) => void): void {
  const [nb, h, wd, ci] = c.x;
  const [kh, kw, , co] = c.w;
  const [oh, ow] = outSize(c);
  for (let b = 0; b < nb; b++)
    for (let r = 0; r < oh; r++)
      for (let s = 0; s < ow; s++)
        for (let o = 0; o < co; o++)
          for (let p = 0; p < kh; p++)
            for (let q = 0; q < kw; q++)
              for (let i = 0; i < ci; i++) {
                const xi = ((b * h + r * c.stride + p) * wd + s * c.stride + q) * ci + i;
                term(((b * oh + r) * ow + s) * co + o, xi, ((p * kw + q) * ci + i) * co + o);
              }
}

function expectClose(got: tf.Tensor, want: number[], tol = 2e-6): void {
  const g = got.dataSync();
  expect(g.length).toBe(want.length);
  const scale = 1 + Math.max(...want.map(Math.abs));
  expect(Math.max(...want.map((v, i) => Math.abs(g[i]! - v)))).toBeLessThanOrEqual(tol * scale);
}

const CASES: Conv[] = [
  { x: [2, 6, 5, 3], w: [3, 2, 3, 4], stride: 1 },
  { x: [3, 9, 9, 1], w: [3, 3, 1, 16], stride: 1 },
  { x: [2, 7, 6, 2], w: [3, 2, 2, 3], stride: 2 },
  { x: [1, 8, 9, 2], w: [2, 3, 2, 2], stride: 3 },
];

describe("fluxion's Conv2D gradient", () => {
  for (const c of CASES) {
    test(`x [${c.x}], filter [${c.w}], stride ${c.stride}: float64 loops (and tfjs's stock gradient where it runs)`, () => {
      const xv = seeded(c.x.reduce((a, b) => a * b), 3);
      const wv = seeded(c.w.reduce((a, b) => a * b), 4);
      const [oh, ow] = outSize(c);
      const weights = seeded(c.x[0] * oh * ow * c.w[3], 5);
      const [x, w, wt] = [tf.tensor4d(xv, c.x), tf.tensor4d(wv, c.w), tf.tensor4d(weights, [c.x[0], oh, ow, c.w[3]])];
      const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(wt, tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, "valid")));
      const [dx, dw] = [new Array<number>(xv.length).fill(0), new Array<number>(wv.length).fill(0)];
      eachTerm(c, (yi, xi, wi) => {
        dx[xi]! += weights[yi]! * wv[wi]!;
        dw[wi]! += weights[yi]! * xv[xi]!;
      });
      const ours = assertNoLeaks(() => valueAndGradients(() => loss(x, w), [x, w]), 3);
      expectClose(ours.grads[0]!, dx);
      expectClose(ours.grads[1]!, dw);
      if (tf.getBackend() === "cpu") {
        const stock = tf.grads(loss)([x, w]);
        expectClose(ours.grads[1]!, Array.from(stock[1]!.dataSync()));
        expectClose(ours.grads[0]!, Array.from(stock[0]!.dataSync()));
        tf.dispose(stock);
      }
      tf.dispose([x, w, wt, ours.value, ...ours.grads]);
    });
  }

  test("hasTrustedKernels counts Conv2DBackpropFilter as there inside fluxion's gradient calls only", () => {
    const x = tf.scalar(1);
    let inside = false;
    const r = valueAndGradients(() => {
      inside = hasTrustedKernels("Conv2D", "Conv2DBackpropFilter");
      return tf.square(x);
    }, [x]);
    expect(inside).toBe(true);
    // Outside, tfjs's own gradient would run: wasm has no kernel for it.
    expect(hasTrustedKernels("Conv2D", "Conv2DBackpropFilter")).toBe(tf.getBackend() !== "wasm");
    tf.dispose([x, r.value, ...(r.grads as tf.Tensor[])]);
  });

  test("no Conv2DBackpropFilter kernel runs in fluxion's gradient of a conv", async () => {
    const x = tf.tensor4d(seeded(2 * 6 * 6 * 2, 7), [2, 6, 6, 2]);
    const w = tf.tensor4d(seeded(3 * 3 * 2 * 4, 8), [3, 3, 2, 4]);
    const info = await tf.profile(() => {
      const r = valueAndGradients(() => tf.sum(tf.conv2d(x, w, 2, "valid")), [w]);
      return [r.value, ...(r.grads as tf.Tensor[])];
    });
    tf.dispose(info.result as tf.Tensor[]);
    const names = info.kernels.map((k) => k.name);
    expect(names).toContain("Conv2D");
    expect(names).not.toContain("Conv2DBackpropFilter");
    tf.dispose([x, w]);
  });

  for (const stride of [1, 2]) {
    test(`second order, stride ${stride}: the Hessian of Σ conv(x, w)² in w is 2·PᵀP (P: the input's patches)`, () => {
      const c: Conv = { x: [2, 5, 5, 1], w: [2, 2, 1, 2], stride };
      const xv = seeded(50, 9);
      const wv = seeded(8, 10);
      const [x, w] = [tf.tensor4d(xv, c.x), tf.tensor4d(wv, c.w)];
      const n = 8;
      const h = assertNoLeaks(
        () =>
          tf.tidy(() => {
            const f = () => tf.sum(tf.square(tf.conv2d(x, w as tf.Tensor4D, stride, "valid")));
            const g = () => tf.reshape(valueAndGradients(f, [w]).grads[0]!, [n]);
            return tf.stack(Array.from({ length: n }, (_, i) => tf.reshape(valueAndGradients(() => tf.reshape(tf.slice(g(), [i], [1]), []), [w]).grads[0]!, [n])));
          }),
        1,
      );
      // ∂y_j/∂w_k = P[j, k]; each output y_j depends on the filter entries of its own output channel.
      const P = new Map<number, Map<number, number>>();
      eachTerm(c, (yi, xi, wi) => {
        const row = P.get(yi) ?? new Map<number, number>();
        row.set(wi, (row.get(wi) ?? 0) + xv[xi]!);
        P.set(yi, row);
      });
      const want = new Array<number>(n * n).fill(0);
      for (const row of P.values()) for (const [k, pk] of row) for (const [l, pl] of row) want[k * n + l]! += 2 * pk * pl;
      expectClose(h, want);
      tf.dispose([x, w, h]);
    });
  }

  test("the filter gradient of an input gradient (Conv2DBackpropInput), stride 2: d/dw Σ G ⊙ ∂/∂x Σ V ⊙ conv(x, w) = Σ V[y]·G[x]", () => {
    const c: Conv = { x: [2, 7, 6, 2], w: [3, 2, 2, 3], stride: 2 };
    const [oh, ow] = outSize(c);
    const xv = seeded(2 * 7 * 6 * 2, 12);
    const gv = seeded(2 * 7 * 6 * 2, 13);
    const vv = seeded(2 * oh * ow * 3, 14);
    const [x, w, gt, vt] = [tf.tensor4d(xv, c.x), tf.tensor4d(seeded(36, 15), c.w), tf.tensor4d(gv, c.x), tf.tensor4d(vv, [2, oh, ow, 3])];
    const r = assertNoLeaks(
      () =>
        valueAndGradients(() => {
          const dx = valueAndGradients(() => tf.sum(tf.mul(vt, tf.conv2d(x, w as tf.Tensor4D, 2, "valid"))), [x]).grads[0]!;
          return tf.sum(tf.mul(gt, dx));
        }, [w]),
      2,
    );
    const want = new Array<number>(36).fill(0);
    eachTerm(c, (yi, xi, wi) => (want[wi]! += vv[yi]! * gv[xi]!));
    expectClose(r.grads[0]!, want);
    tf.dispose([x, w, gt, vt, r.value, ...r.grads]);
  });
});
