import { describe, expect, jest, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { liveTensors } from "@fluxion/backend/testing";
import { Adam, Descent, Leaf, Momentum } from "@fluxion/optimisers";
import { Dense, dispose, leakyrelu, ones32, relu, Rng, glorotUniform, Chain } from "@fluxion/nn";
import { DataLoader, DomainError, setup, train, trainStep, type ProgressEvent } from "../src/index.js";

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());

describe("train", () => {
  test("Flux's setup/train! docstring: bias 10.19 and the optimiser state after two steps", async () => {
    const model = new Dense([2, 1], leakyrelu, { init: ones32 });
    const state = setup(new Momentum(0.1), model);
    const opt = state as unknown as { weight: Leaf; bias: Leaf; sigma: unknown };
    // Flux prints [0.0 0.0] for its 1×2 weight; ours is [in, out] = 2×1, a column.
    expect(String(opt.weight)).toBe("Leaf(Momentum(0.1, 0.9), [0.0; 0.0])");
    expect(String(opt.bias)).toBe("Leaf(Momentum(0.1, 0.9), [0.0])");
    expect(opt.sigma).toEqual([]);
    const x1 = tf.tensor2d([[0.2, -0.3]]);
    const y1 = tf.tensor2d([[0.4]]);
    const loss = (m: Dense, x: tf.Tensor, y: tf.Tensor) => tf.mul(tf.sum(tf.abs(tf.sub(m.apply(x), y))), 100);
    await train(loss, model, [[x1, y1], [x1, y1]], state, { progress: false });
    expect(values(model.bias as tf.Tensor)[0]).toBeCloseTo(10.19, 4);
    // (weight = Leaf(Momentum(0.1, 0.9), [-2.018 3.027]), bias = Leaf(Momentum(0.1, 0.9), [-10.09]), σ = ())
    // Our weight is [in, out], the transpose of Flux's 1×2 matrix.
    values(opt.weight.state as tf.Tensor).forEach((v, i) => expect(v).toBeCloseTo([-2.018, 3.027][i]!, 4));
    expect(values(opt.bias.state as tf.Tensor)[0]).toBeCloseTo(-10.09, 4);
    tf.dispose([x1, y1, opt.weight.state as tf.Tensor, opt.bias.state as tf.Tensor]);
    dispose(model);
  });

  test("stops on NaN with the item index, before touching the parameters (Flux's 'Stop on NaN')", async () => {
    const m1 = new Dense([1, 1]);
    tf.tidy(() => m1.weight.assign(tf.zeros([1, 1])));
    let count = 0;
    const data = Array.from({ length: 100 }, (_, i) => i + 1);
    const one = tf.tensor2d([[1]]);
    const loss = (m: Dense, i: number) => {
      count += 1;
      return tf.mul(i === 51 ? NaN : 1, tf.sum(m.apply(one)));
    };
    const before = liveTensors();
    const run = train(loss, m1, data, setup(new Descent(0.1), m1), { progress: false });
    await expect(run).rejects.toThrow(DomainError);
    await expect(run).rejects.toThrow("Loss is NaN on data item 50 (0-based), stopping training");
    expect(count).toBe(51);
    expect(values(m1.weight)[0]).toBeCloseTo(-5, 5);
    expect(liveTensors()).toBe(before);
    one.dispose();
    dispose(m1);
  });

  test("trainStep returns the loss before the update; an infinite loss stops train, not trainStep", async () => {
    const m = new Dense(tf.tensor2d([[2]]), false);
    const opt = setup(new Descent(0.5), m);
    const x = tf.tensor2d([[3]]);
    const sq = (model: Dense, v: tf.Tensor) => tf.sum(tf.square(model.apply(v)));
    expect(trainStep(sq, m, x, opt)).toBeCloseTo(36, 5); // (2·3)² = 36; dL/dw = 2·6·3 = 36
    expect(values(m.weight)[0]).toBeCloseTo(2 - 0.5 * 36, 4);
    // Flux's trainstep! returns a non-finite loss and skips the update; train! throws.
    expect(trainStep(() => tf.scalar(Infinity), m, x, opt, 7)).toBe(Infinity);
    expect(values(m.weight)[0]).toBeCloseTo(-16, 4);
    const run = train((model: Dense) => tf.mul(Infinity, tf.sum(model.weight)), m, [x, x], opt, { progress: false });
    await expect(run).rejects.toThrow("Loss is -Infinity on data item 0 (0-based), stopping training");
    expect(values(m.weight)[0]).toBeCloseTo(-16, 4);
    x.dispose();
    dispose(m);
  });

  test("setup names the first parameter that cannot be written in place", () => {
    const model = { layers: [{ weight: tf.variable(tf.ones([2])) }, { weight: tf.ones([3, 2]) }] };
    expect(() => setup(new Adam(), model)).toThrow(
      "model must be fully mutable for train to work, got a plain float32 tensor of shape [3, 2] at layers.1.weight",
    );
    tf.dispose([model.layers[0]!.weight, model.layers[1]!.weight]);
  });

  test("a rule in place of a state is set up; a stateful one warns", async () => {
    const m = new Dense(tf.tensor2d([[1]]), false);
    const x = tf.tensor2d([[1]]);
    const warn = jest.spyOn(console, "warn").mockImplementation(() => {});
    await train((model: Dense, v: tf.Tensor) => tf.sum(model.apply(v)), m, [x], new Descent(0.1), { progress: false });
    expect(warn).not.toHaveBeenCalled();
    expect(values(m.weight)[0]).toBeCloseTo(0.9, 6);
    await train((model: Dense, v: tf.Tensor) => tf.sum(model.apply(v)), m, [x], new Momentum(0.1), { progress: false });
    expect(warn.mock.calls[0]![0]).toContain("Optimiser Momentum has state which will be discarded");
    warn.mockRestore();
    x.dispose();
    dispose(m);
  });

  test("async iterables, onProgress events, bad data and cb are handled", async () => {
    const m = new Dense(tf.tensor2d([[1]]), false);
    const opt = setup(new Descent(0.01), m);
    async function* batches() {
      for (let i = 0; i < 3; i++) yield tf.tensor2d([[i]]);
    }
    const events: ProgressEvent[] = [];
    const made: tf.Tensor[] = [];
    const result = await train(
      (model: Dense, v: tf.Tensor) => {
        made.push(v);
        return tf.sum(model.apply(v));
      },
      m,
      batches(),
      opt,
      { progress: false, onProgress: (e) => events.push(e) },
    );
    expect(result.steps).toBe(3);
    expect(events.map((e) => e.step)).toEqual([1, 2, 3]);
    expect(events[0]!.total).toBeUndefined();
    const withTotal: ProgressEvent[] = [];
    const xs = [tf.tensor2d([[1]]), tf.tensor2d([[2]])];
    await train((model: Dense, v: tf.Tensor) => tf.sum(model.apply(v)), m, xs, opt, { progress: false, onProgress: (e) => withTotal.push(e) });
    expect(withTotal.map((e) => [e.step, e.total])).toEqual([[1, 2], [2, 2]]);
    expect(withTotal[1]!.eta).toBe(0);
    await expect(train((model: Dense) => tf.sum(model.weight), m, 3 as never, opt)).rejects.toThrow("train: data must be an iterable of batches");
    await expect(train((model: Dense) => tf.sum(model.weight), m, [], opt, { cb: (() => {}) as never })).rejects.toThrow("train does not support callback functions");
    tf.dispose([...made, ...xs]);
    dispose(m);
  });

  test("memory stays flat over thousands of steps with a DataLoader (and the model learns)", async () => {
    const rng = new Rng(1);
    const n = 256;
    const xs = tf.tensor2d(Array.from({ length: n * 2 }, () => rng.float() * 2 - 1), [n, 2]);
    const ys = tf.tidy(() => tf.sum(tf.mul(xs, tf.tensor1d([1.5, -2])), 1, true));
    const model = new Chain(new Dense([2, 8], relu, { init: glorotUniform({ rng }) }), new Dense([8, 1], undefined, { init: glorotUniform({ rng }) }));
    const opt = setup(new Adam(0.01), model);
    const mse = (m: Chain, x: tf.Tensor, y: tf.Tensor) => tf.mean(tf.square(tf.sub(m.apply(x), y)));
    const loader = new DataLoader([xs, ys], { batchsize: 16, shuffle: true, rng });
    await train(mse, model, loader, opt, { progress: false }); // warm-up: state tensors exist now
    const before = liveTensors();
    let last = NaN;
    for (let epoch = 0; epoch < 150; epoch++) last = (await train(mse, model, loader, opt, { progress: false })).loss;
    expect(liveTensors()).toBe(before); // 150 × 16 = 2400 steps
    expect(last).toBeLessThan(0.01);
    tf.dispose([xs, ys]);
    dispose(model);
  });
});
