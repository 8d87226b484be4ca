import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { registerFunctor } from "@fluxion/functors";
import { Chain, Dense, Layer, dispose, formatBytes, layer, repr, show, tanh, underscorise, numberString } from "../src/index.js";

// A parameter-free layer standing in for Flux's Dropout(0.4) in the docs' Trio examples.
class Shift extends Layer {
  constructor(public by: number) {
    super();
  }
  apply(x: tf.Tensor): tf.Tensor {
    return tf.add(x, this.by);
  }
  repr(): string {
    return `Shift(${this.by})`;
  }
}
layer(Shift, { trainable: [] });

class Trio extends Layer {
  constructor(public a: Layer, public b: Layer, public c: Layer) {
    super();
  }
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.c.apply(this.b.apply(this.a.apply(x))));
  }
  repr(): string {
    return `Trio(${repr(this.a)}, ${repr(this.b)}, ${repr(this.c)})`;
  }
}
layer(Trio);

class QuietTrio extends Trio {}
layer(QuietTrio, { show: "noexpand", trainable: ["a", "b"] });

// A struct with array-, tensor- and string-valued children (Flux's WeightNorm doc example).
class Weighted extends Layer {
  constructor(public layer: Layer, public g: tf.Tensor, public which: string, public dims: number) {
    super();
  }
  apply(x: tf.Tensor): tf.Tensor {
    return this.layer.apply(x);
  }
  repr(): string {
    return `Weighted(${repr(this.layer)})`;
  }
}
layer(Weighted);

// A plain (non-layer) struct holding an array and a plain object (show.jl's Tmp2 comment block).
class Tmp2 {
  constructor(public v: unknown[], public nt: Record<string, unknown>) {}
  apply(x: unknown): unknown {
    return x;
  }
}
registerFunctor(Tmp2);

describe("show (Flux's multi-line summary)", () => {
  test("a @layer struct with a parameter-free child: 1 parameters, Total line", () => {
    const t = new Trio(new Dense([2, 1], tanh), new Dense([1, 1], undefined, { bias: false }), new Shift(0.4));
    expect(t.toString()).toBe(
      [
        "Trio(",
        "  Dense(2 => 1, tanh),                  # 3 parameters",
        "  Dense(1 => 1; bias=false),            # 1 parameters",
        "  Shift(0.4),",
        ")                   # Total: 3 arrays, 4 parameters, 16 bytes.",
      ].join("\n"),
    );
    dispose(t);
  });

  test("noexpand prints one line", () => {
    const t = new QuietTrio(new Dense([2, 1], tanh), new Dense([1, 1], undefined, { bias: false }), new Shift(0.4));
    expect(t.toString()).toBe("Trio(Dense(2 => 1, tanh), Dense(1 => 1; bias=false), Shift(0.4))  # 4 parameters");
    dispose(t);
  });

  test("tensor, string and number children", () => {
    const w = new Weighted(new Dense([1, 2]), tf.ones([3, 1, 1]), "weight", 3);
    expect(w.toString()).toBe(
      [
        "Weighted(",
        "  Dense(1 => 2),                        # 4 parameters",
        "  3×1×1 Tensor{float32},                # 3 parameters",
        '  "weight",',
        "  3,",
        ")                   # Total: 3 arrays, 7 parameters, 28 bytes.",
      ].join("\n"),
    );
    dispose(w);
  });

  test("array and plain-object children of a plain struct; non-trainable arrays", () => {
    const m = new Chain(
      new Tmp2([new Dense([2, 3]), tf.ones([4, 3])], { x: tf.tensor1d([1, 2, 3, 4], "int32"), y: new Dense([3, 4]), z: tf.ones([3]) }),
    );
    expect(m.toString()).toBe(
      [
        "Chain(",
        "  Tmp2(",
        "    [",
        "      Dense(2 => 3),                    # 9 parameters",
        "      4×3 Tensor{float32},              # 12 parameters",
        "    ],",
        "    (;",
        "      x = 4-element Tensor{int32},",
        "      y = Dense(3 => 4),                # 16 parameters",
        "      z = 3-element Tensor{float32},    # 3 parameters",
        "    ),",
        "  ),",
        ")         # Total: 6 trainable arrays, 40 parameters,",
        "          # plus 1 non-trainable, 4 parameters, summarysize 176 bytes.",
      ].join("\n"),
    );
    dispose(m);
  });

  test("(all zero), (some NaN), (some Inf) flags; large counts underscored", () => {
    const d = new Dense(tf.zeros([2, 2]));
    expect(d.toString()).toBe("Dense(2 => 2)       # 6 parameters  (all zero)");
    const n = new Dense(tf.tensor2d([[1, NaN]]));
    expect(n.toString()).toBe("Dense(1 => 2)       # 4 parameters  (some NaN)");
    const i = new Dense(tf.tensor2d([[1, -Infinity]]));
    expect(i.toString()).toBe("Dense(1 => 2)       # 4 parameters  (some Inf)");
    const big = new Dense([784, 64]);
    expect(big.toString()).toBe("Dense(784 => 64)    # 50_240 parameters");
    dispose([d, n, i, big]);
  });

  test("things that are not layers print as their repr", () => {
    expect(show(3)).toBe("3");
    expect(show(tanh)).toBe("tanh");
    expect(repr([1, 2])).toBe("(1, 2)");
    expect(repr([1])).toBe("(1,)");
    expect(repr({ a: 1, b: "x" })).toBe('(a = 1, b = "x")');
    expect(repr(null)).toBe("nothing");
  });
});

describe("helpers", () => {
  test("underscorise", () => {
    expect(underscorise(1628170)).toBe("1_628_170");
    expect(underscorise(999)).toBe("999");
    expect(underscorise(1000)).toBe("1_000");
  });
  test("formatBytes follows Julia's Base.format_bytes", () => {
    expect(formatBytes(0)).toBe("0 bytes");
    expect(formatBytes(1)).toBe("1 byte");
    expect(formatBytes(276)).toBe("276 bytes");
    expect(formatBytes(1024)).toBe("1024 bytes");
    expect(formatBytes(1025)).toBe("1.001 KiB");
    expect(formatBytes(205016)).toBe("200.211 KiB");
    expect(formatBytes(Math.round(6.211 * 1024 * 1024))).toBe("6.211 MiB");
  });
  test("numberString prints float32 values as Julia does", () => {
    expect(numberString(0.4)).toBe("0.4");
    expect(numberString(1e-5)).toBe("1.0e-5");
    expect(numberString(3)).toBe("3");
    expect(numberString(Math.fround(0.1))).toBe("0.1");
  });
  test("layer() rejects unknown options and bad modes", () => {
    class X {}
    expect(() => layer(X, { trainabel: ["a"] } as never)).toThrow('layer(X): unknown option "trainabel"; the options are fields, trainable and show');
    expect(() => layer(X, { show: "big" } as never)).toThrow('show must be "expand", "noexpand" or "ignore"');
  });
});
