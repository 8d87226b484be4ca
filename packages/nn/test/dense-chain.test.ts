import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import * as tfl from "@tensorflow/tfjs-layers";
import { Chain, Dense, dispose, gradient, ones32, relu, Rng, softmax, tanh, glorotUniform } from "../src/index.js";
import { expectClose } from "./helpers.js";

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());

describe("Dense", () => {
  test("forward is σ(x·W + b), checked by hand", () => {
    const d = new Dense(tf.tensor2d([[1, -1], [2, 0.5]]), tf.tensor1d([0.1, -0.2]), tanh);
    const x = tf.tensor2d([[1, 2], [-1, 0.5]]);
    const y = assertNoLeaks(() => d.apply(x));
    // rows: [1·1 + 2·2 + 0.1, 1·(−1) + 2·0.5 − 0.2] = [5.1, −0.2]; [−1 + 1 + 0.1, 1 + 0.25 − 0.2] = [0.1, 1.05]
    expectClose(values(y), [5.1, -0.2, 0.1, 1.05].map(Math.tanh));
    tf.dispose([x, y]);
    dispose(d);
  });

  test("agrees with tfjs-layers' dense on the same weights", () => {
    const rng = new Rng(3);
    const d = new Dense([4, 3], relu, { init: glorotUniform({ rng }) });
    tf.tidy(() => (d.bias as tf.Variable).assign(tf.tensor1d([0.1, -0.3, 0.2])));
    const ref = tfl.layers.dense({ units: 3, activation: "relu", inputShape: [4] });
    ref.build([null, 4]);
    ref.setWeights([d.weight, d.bias as tf.Tensor]);
    const x = tf.tensor2d(Array.from({ length: 20 }, (_, i) => Math.sin(i)), [5, 4]);
    const ours = d.apply(x);
    const theirs = ref.apply(x) as tf.Tensor;
    expectClose(values(ours), values(theirs));
    tf.dispose([x, ours, theirs]);
    ref.weights.forEach((w) => w.dispose());
    dispose(d);
  });

  test("applies to the last axis of an N-d input", () => {
    const d = new Dense([2, 3], undefined, { init: ones32 });
    const x = tf.ones([4, 5, 2]);
    const y = d.apply(x);
    expect(y.shape).toEqual([4, 5, 3]);
    expect(new Set(values(y))).toEqual(new Set([2]));
    tf.dispose([x, y]);
    dispose(d);
  });

  test("finite differences agree with the gradient", () => {
    const rng = new Rng(7);
    const d = new Dense([3, 2], tanh, { init: glorotUniform({ rng }) });
    const x = tf.tensor2d([[0.3, -0.2, 0.8], [1.0, 0.4, -0.6]]);
    const loss = (m: Dense) => tf.sum(tf.square(m.apply(x)));
    const [g] = gradient(loss, d);
    const w = d.weight;
    const base = values(w);
    const analytic = values((g as any).weight);
    const h = 1e-2;
    base.forEach((_, i) => {
      const at = (delta: number) => {
        const v = [...base];
        v[i]! += delta;
        tf.tidy(() => w.assign(tf.tensor(v, w.shape)));
        return tf.tidy(() => loss(d).dataSync()[0]!);
      };
      const fd = (at(h) - at(-h)) / (2 * h);
      expect(Math.abs(fd - analytic[i]!)).toBeLessThan(2e-2 * Math.abs(analytic[i]!) + 1e-3);
    });
    tf.dispose([x, g as any]);
    dispose(d);
  });

  test("sizes, printing and errors", () => {
    const d = new Dense([2, 3]);
    expect(d.weight.shape).toEqual([2, 3]);
    expect((d.bias as tf.Tensor).shape).toEqual([3]);
    expect(values(d.bias as tf.Tensor)).toEqual([0, 0, 0]);
    expect(d.repr()).toBe("Dense(2 => 3)");
    const x = tf.ones([4, 3]);
    expect(() => d.apply(x)).toThrow("layer Dense(2 => 3) expects size(input, -1) == 2 (features last), but got a tensor of shape [4, 3]");
    expect(() => new Dense([2, 0])).toThrow("Dense: expected [in, out]");
    expect(() => new Dense(tf.ones([2, 3]), tf.ones([2]))).toThrow("expected bias of size [3], got size [2]");
    const cases: [Dense, string][] = [
      [new Dense([2, 1], tanh), "Dense(2 => 1, tanh)"],
      [new Dense([1, 1], undefined, { bias: false }), "Dense(1 => 1; bias=false)"],
      [new Dense([5, 2], tanh, { bias: false }), "Dense(5 => 2, tanh; bias=false)"],
    ];
    for (const [layer, text] of cases) expect(layer.repr()).toBe(text);
    expect(new Dense([5, 2]).toString()).toBe("Dense(5 => 2)       # 12 parameters");
    expect(cases[2]![0].toString()).toBe("Dense(5 => 2, tanh; bias=false)  # 10 parameters");
    x.dispose();
    [d, ...cases.map(([l]) => l)].forEach(dispose);
  });

  test("construction leaks nothing but its parameters", () => {
    let d: Dense | undefined;
    assertNoLeaks(() => {
      d = new Dense([3, 4], relu);
    }, 2);
    dispose(d);
  });
});

describe("Chain", () => {
  test("applies layers and functions in order; activations lists each output", () => {
    const c = new Chain(new Dense(tf.tensor2d([[2]]), false), (x: tf.Tensor) => tf.add(x, 1), new Dense(tf.tensor2d([[3]]), false));
    const x = tf.tensor2d([[1], [2]]);
    const y = assertNoLeaks(() => c.apply(x));
    expect(values(y)).toEqual([9, 15]);
    const acts = c.activations(x);
    expect(acts.map(values)).toEqual([[2, 4], [3, 5], [9, 15]]);
    tf.dispose([x, y, ...acts]);
    dispose(c);
  });

  test("indexing, slicing and names", () => {
    const [a, b, c] = [new Dense([2, 3]), new Dense([3, 4]), new Dense([4, 5])];
    const m = new Chain(a, b, c);
    expect(m.at(0)).toBe(a);
    expect(m.at(-1)).toBe(c);
    expect(m.length).toBe(3);
    expect(() => m.at(3)).toThrow("index 3 is out of range for a Chain of 3 layers");
    const s = m.slice(0, 2);
    expect(s).toBeInstanceOf(Chain);
    expect(s.list()).toEqual([a, b]);
    expect(s.repr()).toBe("Chain(Dense(2 => 3), Dense(3 => 4))");
    const named = new Chain({ enc: a, dec: b });
    expect(named.get("dec")).toBe(b);
    expect(named.at(0)).toBe(a);
    expect(named.repr()).toBe("Chain(enc = Dense(2 => 3), dec = Dense(3 => 4))");
    expect(named.slice(1).repr()).toBe("Chain(dec = Dense(3 => 4))");
    expect(() => named.get("x")).toThrow('no layer named "x"; the names are enc, dec');
    expect(new Chain([a]).repr()).toBe("Chain([Dense(2 => 3)])");
    expect(() => new Chain({ layers: a })).toThrow('a layer may not be named "layers"');
    expect(() => new Chain(a, 3 as never)).toThrow("Chain: layer 1 must be a layer or a function, got the number 3");
    dispose(m);
  });

  test("prints Flux's summaries", () => {
    const m = new Chain(new Dense([2, 3]), new Dense([3, 4]), new Dense([4, 5]), softmax);
    expect(m.toString()).toContain("# Total: 6 arrays, 50 parameters, 200 bytes.");
    expect(m.toString().split("\n").at(-2)).toBe("  softmax,");
    const named = new Chain({ enc: new Dense([2, 3]), dec: new Dense([3, 1], relu) });
    expect(named.toString()).toBe(
      [
        "Chain(",
        "  enc = Dense(2 => 3),                  # 9 parameters",
        "  dec = Dense(3 => 1, relu),            # 4 parameters",
        ")                   # Total: 4 arrays, 13 parameters, 52 bytes.",
      ].join("\n"),
    );
    expect(new Chain(new Dense([2, 3])).toString()).toBe("Chain(\n  Dense(2 => 3),                        # 9 parameters\n)");
    dispose([m, named]);
  });
});
