import { describe, expect, test, beforeAll } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { destructure } from "@fluxion/optimisers";
import { BatchNorm, Chain, Dense, relu, tanh, gradient, hessian, modules, dispose, seedRandom } from "../src/index.js";

describe("Flux docs examples", () => {
  let m: Chain;
  beforeAll(() => {
    seedRandom(1);
    m = new Chain(new Dense([2, 1], tanh), new Dense([1, 1]));
  });

  test("prints with parameter counts", () => {
    expect(m.toString()).toBe(
      [
        "Chain(",
        "  Dense(2 => 1, tanh),                  # 3 parameters",
        "  Dense(1 => 1),                        # 2 parameters",
        ")                   # Total: 4 arrays, 5 parameters, 20 bytes.",
      ].join("\n"),
    );
  });

  test("destructure gives 5 numbers and re(zeros(5)) prints (all zero)", () => {
    const [flat, re] = destructure(m);
    expect(flat.shape).toEqual([5]);
    const z = tf.zeros([5]);
    const m0 = re(z);
    expect(m0.toString()).toContain("# 3 parameters  (all zero)");
    expect(m0.toString()).toContain("# 2 parameters  (all zero)");
    tf.dispose([flat, z]);
    dispose(m0);
  });

  test("gradient of sum(abs2, m(x)) equals the gradient through re(flat)", () => {
    const x = tf.tensor2d([[0.3, -0.7], [1.1, 0.2], [-0.5, 0.9]]);
    const loss = (model: Chain, input: tf.Tensor) => tf.sum(tf.square(model.apply(input) as tf.Tensor));
    const [g] = assertNoLeaks(() => gradient(loss, m, x)) as any[];
    const [flat, re] = destructure(m);
    const [gflat] = gradient((v: tf.Tensor) => loss(re(v), x), flat) as tf.Tensor[];
    const parts = [g.layers[0].weight, g.layers[0].bias, g.layers[1].weight, g.layers[1].bias].map((t: tf.Tensor) => Array.from(t.dataSync()));
    const expected = Array.from(gflat!.dataSync());
    parts.flat().forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    expect(g.layers[0].sigma).toBeNull();
    tf.dispose([x, flat, gflat!, g]);
  });

  test("the Hessian through re is symmetric", () => {
    const x = tf.tensor2d([[0.3, -0.7], [1.1, 0.2]]);
    const [flat, re] = destructure(m);
    const h = assertNoLeaks(() => hessian((v) => tf.sum(tf.square(re(v).apply(x) as tf.Tensor)), flat), 1);
    expect(h.shape).toEqual([5, 5]);
    const a = h.arraySync() as number[][];
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) expect(a[i]![j]).toBeCloseTo(a[j]![i]!, 4);
    tf.dispose([x, flat, h]);
  });

  test("an L2 penalty over modules' Dense weights", () => {
    const l2 = (model: Chain) => tf.addN(modules(model).filter((l): l is Dense => l instanceof Dense).map((l) => tf.sum(tf.square(l.weight))));
    const [g] = gradient(l2, m) as any[];
    const w0 = m.layers instanceof Array ? (m.layers[0] as Dense).weight : null;
    expect(Array.from(g.layers[0].weight.dataSync())).toEqual(Array.from(w0!.dataSync()).map((v) => 2 * v));
    expect(g.layers[0].bias).toBeNull();
    tf.dispose(g);
  });

  test("modules(m2) lists 7 entries, intermediate arrays included (Flux's modules docstring)", () => {
    const m1 = new Chain(new Dense([28 ** 2, 64]), new BatchNorm(64, relu));
    const m2 = new Chain(m1, new Dense([64, 10]));
    const mods = modules(m2);
    expect(mods).toHaveLength(7);
    expect(mods[0]).toBe(m2);
    expect(mods[1]).toBe(m2.layers);
    expect(mods[2]).toBe(m1);
    expect(mods[3]).toBe(m1.layers);
    expect(mods.slice(4)).toEqual([...(m1.layers as unknown[]), (m2.layers as unknown[])[1]]);
    expect(m2.toString()).toBe(
      [
        "Chain(",
        "  Chain(",
        "    Dense(784 => 64),                   # 50_240 parameters",
        "    BatchNorm(64, relu),                # 128 parameters, plus 128",
        "  ),",
        "  Dense(64 => 10),                      # 650 parameters",
        ")         # Total: 6 trainable arrays, 51_018 parameters,",
        "          # plus 2 non-trainable, 128 parameters, summarysize 199.789 KiB.",
      ].join("\n"),
    );
    dispose(m2);
  });
});
