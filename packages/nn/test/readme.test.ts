// The README's examples, run as written (with their stated shapes and values checked).
import { expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { liveTensors } from "@fluxion/backend/testing";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BatchNorm, Chain, Conv, Dense, Embedding, GlobalMeanPool, LSTM, LSTMCell, Layer, MaxPool, MultiHeadAttention, Parallel, SamePad,
  SkipConnection, Stateful, dispose, flatten, gradient, hessian, layer, loadModel, loadModelFile, logitCrossentropy, makeCausalMask,
  modules, onecold, onehotbatch, plus, relu, saveModel, softmax, state, tanh, withGradient,
} from "../src/index.js";

test("README: Dense, Chain, printing, a custom layer", () => {
  const before = liveTensors();
  const model = new Chain(new Dense([2, 1], tanh), new Dense([1, 1]));
  expect(model.toString()).toContain(")                   # Total: 4 arrays, 5 parameters, 20 bytes.");
  const y = model.apply(tf.tensor2d([[0.5, -1]]));
  expect(y.shape).toEqual([1, 1]);
  const named = new Chain({ enc: new Dense([4, 8], relu), dec: new Dense([8, 3]), out: softmax });
  expect(named.get("enc")).toBe(named.at(0));
  expect(named.at(-1)).toBe(softmax);
  expect(named.slice(0, 2).length).toBe(2);

  class Affine extends Layer {
    constructor(public w: tf.Variable, public b: tf.Variable, public note = "hi") {
      super();
    }
    apply(x: tf.Tensor) {
      return tf.tidy(() => tf.add(tf.mul(x, this.w), this.b));
    }
    repr() {
      return `Affine(${this.w.size})`;
    }
  }
  layer(Affine, { fields: ["w", "b", "note"], trainable: ["w", "b"] });
  const a = new Affine(tf.variable(tf.ones([3])), tf.variable(tf.zeros([3])));
  // All its children are leaf-like (tensors, a string), so it prints on one line, as Dense does.
  expect(a.toString()).toBe("Affine(3)           # 6 parameters");
  tf.dispose(y);
  dispose([model, named, a]);
  // Left: the inline input and the two tensors the Variables were made from, as written.
  expect(liveTensors() - before).toBe(3);
});

test("README: containers, conv stack, recurrent, attention", () => {
  const before = liveTensors();
  const par = new Parallel(plus, { α: new Dense([10, 2], tanh), β: new Dense([10, 2]) });
  expect(par.toString()).toContain("α = Dense(10 => 2, tanh),");
  const skip = new SkipConnection(new Dense([4, 4], relu), plus);
  const emb = new Embedding([26, 4]);
  const vectors = emb.apply(tf.tensor2d([[0, 3, 25]], [1, 3], "int32"));
  expect(vectors.shape).toEqual([1, 3, 4]);
  const cnn = new Chain(
    new Conv([3, 3], [1, 8], relu, { pad: new SamePad() }),
    new BatchNorm(8),
    new MaxPool([2, 2]),
    new Conv([3, 3], [8, 16], relu, { stride: 2 }),
    new GlobalMeanPool(),
    flatten,
    new Dense([16, 10]),
  );
  const acts = cnn.activations(tf.zeros([2, 28, 28, 1]));
  expect(acts.map((t: tf.Tensor) => t.shape)).toEqual([[2, 28, 28, 8], [2, 28, 28, 8], [2, 14, 14, 8], [2, 6, 6, 16], [2, 1, 1, 16], [2, 16], [2, 10]]);
  const lstm = new LSTM([3, 5]);
  const seq = lstm.apply(tf.randomNormal([2, 7, 3]));
  expect(seq.shape).toEqual([2, 7, 5]);
  const stream = new Stateful(new LSTMCell([3, 5]));
  const h1 = stream.apply(tf.randomNormal([2, 3]));
  expect(h1.shape).toEqual([2, 5]);
  stream.reset();
  const mha = new MultiHeadAttention(16, { nheads: 4 });
  const x = tf.randomNormal([2, 6, 16]);
  const [out, scores] = mha.apply(x, x, x, { mask: makeCausalMask(6) });
  expect(out.shape).toEqual([2, 6, 16]);
  expect(scores.shape).toEqual([2, 4, 6, 6]);
  tf.dispose([vectors, ...acts, seq, h1, x, out, scores]);
  dispose([par, skip, emb, cnn, lstm, stream, mha]);
  // The README's inline tensors (inputs written in place) are the only ones left.
  expect(liveTensors() - before).toBe(5);
});

test("README: gradients, losses, one-hot, saving", async () => {
  const model = new Chain(new Dense([2, 1], tanh), new Dense([1, 1]));
  const x = tf.tensor2d([[1, 2]]);
  const [g] = gradient((m: Chain) => tf.sum(tf.square(m.apply(x))), model) as any[];
  expect(g.layers[0].sigma).toBeNull();
  expect(g.layers[1].weight.shape).toEqual([1, 1]);
  const { val, grad } = withGradient((m: Chain) => tf.mean(m.apply(x)), model);
  const H = hessian((v) => tf.sum(tf.pow(v, 3)), tf.tensor1d([1, 2]));
  expect(Array.from(H.dataSync(), (v) => v + 0)).toEqual([6, 0, 0, 12]);
  const l2 = tf.addN(modules(model).filter((l): l is Dense => l instanceof Dense).map((l) => tf.sum(tf.square(l.weight))));
  expect(l2.shape).toEqual([]);

  const logits = tf.tensor2d([[2, 0.5, -1], [0.1, 0.2, 3]]);
  const y = onehotbatch(["a", "c"], ["a", "b", "c"]);
  expect(y.arraySync()).toEqual([[1, 0, 0], [0, 0, 1]]);
  const l = logitCrossentropy(logits, y);
  const lse = (r: number[]) => Math.log(r.reduce((s, v) => s + Math.exp(v), 0));
  expect(l.dataSync()[0]).toBeCloseTo(((lse([2, 0.5, -1]) - 2) + (lse([0.1, 0.2, 3]) - 3)) / 2, 5);
  expect(onecold(logits, ["a", "b", "c"])).toEqual(["a", "c"]);

  const other = new Chain(new Dense([2, 1], tanh), new Dense([1, 1]));
  loadModel(other, state(model));
  const dir = mkdtempSync(join(tmpdir(), "nn-readme-"));
  await saveModel(join(dir, "model.safetensors"), model);
  const third = new Chain(new Dense([2, 1], tanh), new Dense([1, 1]));
  await loadModelFile(join(dir, "model.safetensors"), third);
  const [a, b] = [other.apply(x), third.apply(x)];
  expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
  rmSync(dir, { recursive: true });
  tf.dispose([x, g, val, grad as any, H, l2, logits, y, l, a, b]);
  dispose([model, other, third]);
});
