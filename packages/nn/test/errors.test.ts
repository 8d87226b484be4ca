// Issue 13: bad input never passes silently. Each case names what was wrong, and asserts the error
// text, that the model (and any file) is unchanged, and that no tensor leaked.
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tf } from "@fluxion/backend";
import { assertNoLeaks, liveTensors } from "@fluxion/backend/testing";
import * as nn from "../src/index.js";
import { Layer } from "../src/core/layer.js";

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync() as ArrayLike<number>, Number);
/** Every tensor of a model, by key path, as plain numbers (to compare before and after). */
const snapshot = (m: unknown): Record<string, number[]> => {
  const out: Record<string, number[]> = {};
  walk(nn.state(m), "", out);
  return out;
};
function walk(s: unknown, path: string, out: Record<string, number[]>): void {
  if (s instanceof tf.Tensor) out[path] = values(s);
  else if (s !== null && typeof s === "object") for (const [k, v] of Object.entries(s)) walk(v, `${path}.${k}`, out);
}
/** Runs `f`, which must throw `message`, leaving no tensor behind. */
const expectCleanThrow = (f: () => unknown, message: string | RegExp): void => {
  assertNoLeaks(() => expect(f).toThrow(message), 0);
};

describe("a failed constructor leaks nothing (every exported layer class)", () => {
  // Tensors given as arguments are made here, outside the leak checks, and checked alive after.
  let given: Record<string, tf.Tensor>;
  let dense: nn.Dense;
  let cell: nn.RNNCell;
  beforeAll(() => {
    given = { w23: tf.zeros([2, 3]), b4: tf.zeros([4]), b5: tf.zeros([5]), w233: tf.zeros([2, 3, 3]), h3: tf.zeros([3]) };
    dense = new nn.Dense([2, 2]);
    cell = new nn.RNNCell([2, 3]);
  });
  afterAll(() => {
    tf.dispose(Object.values(given));
    nn.dispose([dense, cell]);
  });

  const wrongShape = (shape: number[]) => () => tf.zeros(shape);
  const failOnCall = (n: number) => {
    let calls = 0;
    return (shape: readonly number[]) => {
      if (++calls >= n) throw new Error(`init failed on call ${calls}`);
      return tf.zeros([...shape]);
    };
  };
  const cases: [string, string, () => unknown, string | RegExp][] = [
    ["Dense", "an activation that is not a function", () => new nn.Dense([2, 3], "relu" as any), "Dense: σ must be a function, got string"],
    ["Dense", "a bias of the wrong size", () => new nn.Dense([2, 3], nn.relu, { bias: given.b4! }), "Dense: expected bias of size [3], got size [4]"],
    ["Dense", "a weight with a wrong bias", () => new nn.Dense(given.w23!, given.b4!), "expected bias of size [3], got size [4]"],
    ["Dense", "a weight with a bad σ", () => new nn.Dense(given.w23!, true, "x" as any), "Dense: σ must be a function, got string"],
    ["Dense", "an init giving the wrong shape", () => new nn.Dense([2, 3], undefined, { init: wrongShape([5]) }), "Dense: init returned shape [5], expected [2, 3]"],
    ["Dense", "a misspelt option", () => new nn.Dense([2, 3], nn.relu, { bais: false } as any), "Dense: unknown option bais; the options are init, bias"],
    ["WeightNorm", "a field the layer does not have", () => new nn.WeightNorm(dense, "nope"), 'WeightNorm: Dense does not have field "nope"'],
    ["LazyLayer", "a maker that is not a function", () => new nn.LazyLayer(5 as any), "LazyLayer: expected a function (n, size) => layer, got number"],
    ["Conv", "a misspelt option", () => new nn.Conv([3, 3], [1, 2], nn.relu, { strides: 2 } as any), "Conv: unknown option strides"],
    ["Chain", "a sub-layer that is not callable", () => new nn.Chain(5 as any), "Chain: layer 0 must be a layer or a function"],
    ["BatchNorm", "momentum 2", () => new nn.BatchNorm(4, nn.relu, { momentum: 2 }), "BatchNorm: momentum must be in [0, 1], got 2"],
    ["BatchNorm", "an initGamma that throws", () => new nn.BatchNorm(4, nn.relu, { initGamma: failOnCall(1) }), "init failed on call 1"],
    ["InstanceNorm", "a negative epsilon", () => new nn.InstanceNorm(4, nn.relu, { epsilon: -1 }), "InstanceNorm: epsilon must be a non-negative number, got -1"],
    ["GroupNorm", "groups not dividing the channels", () => new nn.GroupNorm(4, 3), "The number of groups (3) must divide the number of channels (4)"],
    ["GroupNorm", "an initGamma of the wrong shape", () => new nn.GroupNorm(4, 2, undefined, { initGamma: wrongShape([3]) }), "GroupNorm: init returned shape [3], expected [4]"],
    ["LayerNorm", "a negative epsilon", () => new nn.LayerNorm(4, { epsilon: -1 }), "LayerNorm: epsilon must be a non-negative number, got -1"],
    ["Dropout", "p = 2", () => new nn.Dropout(2), "Dropout expects 0 ≤ p ≤ 1, got p = 2"],
    ["AlphaDropout", "p = -1", () => new nn.AlphaDropout(-1), "AlphaDropout expects 0 ≤ p ≤ 1, got p = -1"],
    ["Parallel", "a sub-layer that is not callable", () => new nn.Parallel(nn.plus, dense, 5 as any), "Parallel: sub-layer 1 must be a layer or a function, got number"],
    ["SkipConnection", "a connection that is not callable", () => new nn.SkipConnection(dense, 5 as any), "SkipConnection: the connection must be a layer or a function"],
    ["PairwiseFusion", "no sub-layers", () => new nn.PairwiseFusion(nn.plus), "PairwiseFusion: expected at least one sub-layer, got none"],
    ["Maxout", "a factory that builds a non-layer the second time", () => {
      let calls = 0;
      return new nn.Maxout(() => (++calls === 2 ? ({} as any) : new nn.Dense([2, 3])), 3);
    }, "Maxout: sub-layer 1 must be a layer or a function, got object"],
    ["Bilinear", "a bad σ", () => new nn.Bilinear([2, 3], "x" as any), "Bilinear: σ must be a function, got string"],
    ["Bilinear", "a weight with a wrong bias", () => new nn.Bilinear(given.w233!, given.b4!), "Bilinear: expected bias of size [2], got size [4]"],
    ["Scale", "a bias of the wrong size", () => new nn.Scale(2, 3, { bias: given.b5! }), "Scale: expected bias of size [2, 3], got size [5]"],
    ["Scale", "an init of the wrong shape", () => new nn.Scale(2, { init: wrongShape([3]) }), "Scale: init returned shape [3], expected [2]"],
    ["Embedding", "paddingIdx out of range", () => new nn.Embedding([3, 2], { paddingIdx: 5 }), "Embedding: paddingIdx must be a 0-based index in [0, 2], got 5"],
    ["Embedding", "an init of the wrong shape", () => new nn.Embedding([3, 2], { init: wrongShape([2, 2]) }), "Embedding: init returned shape [2, 2], expected [3, 2]"],
    ["EmbeddingBag", "an init of the wrong shape", () => new nn.EmbeddingBag([3, 2], tf.mean, { init: wrongShape([2]) }), "EmbeddingBag: init returned shape [2], expected [3, 2]"],
    ["RNNCell", "a bias of the wrong size", () => new nn.RNNCell([2, 3], nn.tanh, { bias: given.b5! }), "RNNCell: expected bias of size [3], got size [5]"],
    ["LSTMCell", "an initRecurrentKernel that throws", () => new nn.LSTMCell([2, 3], { initRecurrentKernel: failOnCall(1) }), "init failed on call 1"],
    ["GRUCell", "an unknown option", () => new nn.GRUCell([2, 3], { bais: false } as any), "GRUCell: unknown option bais"],
    ["GRUv3Cell", "an initRecurrentKernel failing for the last kernel", () => new nn.GRUv3Cell([2, 3], { initRecurrentKernel: failOnCall(2) }), "init failed on call 2"],
    ["Recurrence", "returnState that is not a boolean", () => new nn.Recurrence(cell, { returnState: 1 as any }), "Recurrence: returnState must be true or false, got 1"],
    ["RNN", "returnState that is not a boolean", () => new nn.RNN([2, 3], nn.tanh, { returnState: 5 as any }), "RNN: returnState must be true or false, got 5"],
    ["LSTM", "a bias of the wrong size", () => new nn.LSTM([2, 3], { bias: given.b5! }), "LSTMCell: expected bias of size [12], got size [5]"],
    ["GRU", "an init that throws", () => new nn.GRU([2, 3], { initRecurrentKernel: failOnCall(1) }), "init failed on call 1"],
    ["GRUv3", "returnState that is not a boolean", () => new nn.GRUv3([2, 3], { returnState: "yes" as any }), "GRUv3: returnState must be true or false, got yes"],
    ["Stateful", "an initial state that is not a tensor", () => new nn.Stateful(cell, 5), "Stateful: the initial state must be a tensor or an array of tensors"],
    ["MultiHeadAttention", "nheads not dividing the dims", () => new nn.MultiHeadAttention(4, { nheads: 3 }), "MultiHeadAttention: qk_dim should be divisible by nheads"],
    ["MultiHeadAttention", "an init failing for the third projection", () => new nn.MultiHeadAttention(4, { nheads: 2, init: failOnCall(3) }), "init failed on call 3"],
    ["Conv", "stride 0", () => new nn.Conv([3, 3], [1, 2], nn.relu, { stride: 0 }), "Conv: stride must be an integer ≥ 1, got 0"],
    ["Conv", "an init of the wrong shape", () => new nn.Conv([3, 3], [1, 2], nn.relu, { init: wrongShape([3, 3]) }), "Conv: init returned shape [3, 3], expected [3, 3, 1, 2]"],
    ["ConvTranspose", "a bias of the wrong size", () => new nn.ConvTranspose([3, 3], [1, 2], nn.relu, { bias: given.b5! }), "ConvTranspose: expected bias of size [2], got size [5]"],
    ["CrossCor", "a bad σ", () => new nn.CrossCor([3, 3], [1, 2], "x" as any), "CrossCor: σ must be a function, got string"],
    ["DepthwiseConv", "a bias of the wrong size", () => nn.DepthwiseConv([3, 3], [2, 4], nn.relu, { bias: given.b5! }), "Conv: expected bias of size [4], got size [5]"],
    ["MaxPool", "a zero window", () => new nn.MaxPool([0, 2]), /MaxPool: the window/],
    ["MeanPool", "stride 0", () => new nn.MeanPool([2, 2], { stride: 0 }), "MeanPool: stride must be an integer ≥ 1, got 0"],
    ["GlobalMaxPool", "an argument", () => new (nn.GlobalMaxPool as any)([2, 2]), "GlobalMaxPool takes no arguments, got 1"],
    ["GlobalMeanPool", "an argument", () => new (nn.GlobalMeanPool as any)(2), "GlobalMeanPool takes no arguments, got 1"],
    ["AdaptiveMaxPool", "a zero output size", () => new nn.AdaptiveMaxPool([0]), /AdaptiveMaxPool: the output size/],
    ["AdaptiveMeanPool", "a non-array output size", () => new nn.AdaptiveMeanPool("x" as any), /AdaptiveMeanPool: the output size/],
    ["Upsample", "an unknown mode", () => new nn.Upsample("cubic" as any), 'Upsample: mode="cubic" is not supported'],
    ["PixelShuffle", "r = 0", () => new nn.PixelShuffle(0), "PixelShuffle: r must be a positive integer, got 0"],
  ];

  test.each(cases)("%s with %s", (_, __, make, message) => {
    expectCleanThrow(make, message);
    // Tensors and layers given to a failed constructor are not the constructor's to dispose.
    for (const t of [...Object.values(given), dense.weight, cell.Wi]) expect(t.isDisposed).toBe(false);
  });

  test("the table covers every exported layer class", () => {
    const isLayerClass = (v: unknown): boolean => typeof v === "function" && v.prototype instanceof Layer;
    const exported = Object.entries(nn).filter(([, v]) => isLayerClass(v)).map(([k]) => k);
    const covered = new Set(cases.map(([name]) => name));
    expect(exported.filter((k) => !covered.has(k))).toEqual([]);
    expect(covered.has("DepthwiseConv")).toBe(true); // a function returning a Conv
  });

  test("a successful construction from a given weight keeps only its parameters", () => {
    const d = assertNoLeaks(() => new nn.Dense(given.w23!), 2);
    const b = assertNoLeaks(() => new nn.Bilinear(given.w233!, false), 1);
    nn.dispose([d, b]);
  });
});

describe("disposed tensors are named, never a TypeError from tfjs", () => {
  test("a layer applied to a disposed input", () => {
    const m = new nn.Dense([2, 3]);
    const before = snapshot(m);
    const x = tf.ones([1, 2]);
    x.dispose();
    expectCleanThrow(() => m.apply(x), "layer Dense(2 => 3): the input tensor is disposed");
    expect(snapshot(m)).toEqual(before);
    const chain = new nn.Chain(nn.relu, m);
    expectCleanThrow(() => chain.apply(x), "layer Chain(relu, Dense(2 => 3)): the input tensor is disposed");
    const emb = new nn.Embedding([3, 2]);
    const idx = tf.tensor1d([0, 1], "int32");
    idx.dispose();
    expectCleanThrow(() => emb.apply(idx), "layer Embedding(3 => 2): the input tensor is disposed");
    nn.dispose([m, emb]);
  });

  test("a model used after dispose(model) names the parameter", () => {
    const model = new nn.Chain(new nn.Dense([2, 3], nn.relu), new nn.BatchNorm(3));
    const x = tf.ones([2, 2]);
    nn.dispose(model);
    expectCleanThrow(() => model.apply(x), "Dense(2 => 3, relu): parameter weight is disposed (was the model disposed?)");
    const conv = new nn.Conv([2, 2], [1, 2]);
    nn.dispose(conv);
    const img = tf.ones([1, 3, 3, 1]);
    expectCleanThrow(() => conv.apply(img), "Conv((2, 2), 1 => 2): parameter weight is disposed (was the model disposed?)");
    const lstm = new nn.LSTM([2, 3]);
    nn.dispose(lstm);
    const seq = tf.ones([1, 4, 2]);
    expectCleanThrow(() => lstm.apply(seq), "LSTMCell(2 => 3): parameter Wi is disposed (was the model disposed?)");
    const stream = new nn.Stateful(new nn.LSTMCell([2, 3]));
    nn.dispose(stream);
    expectCleanThrow(() => stream.apply(x), "Stateful(LSTMCell(2 => 3)): its state is disposed (was the model disposed?)");
    tf.dispose([x, img, seq]);
  });

  test("a disposed state given to a cell", () => {
    const c = new nn.GRUCell([2, 3]);
    const [x, h] = [tf.ones([1, 2]), tf.zeros([1, 3])];
    h.dispose();
    expectCleanThrow(() => c.apply(x, h), "layer GRUCell(2 => 3): the state h is disposed");
    tf.dispose(x);
    nn.dispose(c);
  });

  test("string and complex inputs are refused by name", () => {
    const m = new nn.Dense([2, 3]);
    const s = tf.tensor(["a", "b"], [1, 2], "string");
    expectCleanThrow(() => m.apply(s as any), "layer Dense(2 => 3) expects a real-valued tensor (float32, int32 or bool), got a string tensor");
    tf.dispose(s);
    // wasm has no complex numbers at all.
    if (tf.getKernel("Complex", tf.getBackend()) !== undefined) {
      const z = tf.tidy(() => tf.complex(tf.ones([1, 2]), tf.zeros([1, 2])));
      expectCleanThrow(() => m.apply(z), "got a complex64 tensor");
      tf.dispose(z);
    }
    nn.dispose(m);
  });
});

describe("loadModel: sources it cannot load from", () => {
  test("a string or complex source tensor is an error naming its path", () => {
    const m = new nn.Chain(new nn.Dense([2, 1]));
    const before = snapshot(m);
    const s = tf.tensor(["a", "b"], [2, 1], "string");
    const src = { layers: [{ weight: s, bias: tf.zeros([1]), sigma: [] }] };
    expectCleanThrow(() => nn.loadModel(m, src), "loadModel at layers.0.weight: Tried to load a string tensor into a float32 destination");
    expect(snapshot(m)).toEqual(before);
    tf.dispose([s, src.layers[0]!.bias]);
    nn.dispose(m);
  });

  test("tensors with no place in the model (under an activation, or a model loaded into a number)", () => {
    const m = new nn.Dense([2, 1], nn.relu);
    const before = snapshot(m);
    const src = { weight: tf.zeros([2, 1]), bias: tf.zeros([1]), sigma: [tf.zeros([3])] };
    expectCleanThrow(() => nn.loadModel(m, src), "loadModel at sigma: Tried to load 1 tensor into a function (relu), which holds none; the structures do not match.");
    expectCleanThrow(() => nn.loadModel(3, m), "loadModel: Tried to load 2 tensors into the number 3, which holds none");
    expect(snapshot(m)).toEqual(before);
    tf.dispose(src);
    nn.dispose(m);
  });

  test("options that are not an options object", () => {
    const m = new nn.Dense([2, 1]);
    expectCleanThrow(() => nn.loadModel(m, nn.state(m), null as any), "loadModel: expected an options object { filter }, got null");
    nn.dispose(m);
  });
});

describe("non-finite weights in model files", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "fluxion-errors-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const diverged = (): nn.Chain => {
    const m = new nn.Chain(new nn.Dense([2, 2]), new nn.Dense([2, 1]));
    tf.tidy(() => (m.at(1) as nn.Dense).weight.assign(tf.tensor2d([[1], [NaN]])));
    return m;
  };

  test("loadModelBytes refuses NaN weights, naming the tensor, unless allowNonFinite", () => {
    const src = diverged();
    const bytes = nn.encodeModel(src);
    const copy = Uint8Array.from(bytes);
    const dst = new nn.Chain(new nn.Dense([2, 2]), new nn.Dense([2, 1]));
    const before = snapshot(dst);
    expectCleanThrow(
      () => nn.loadModelBytes(dst, bytes),
      `loadModelBytes: the file's tensor "layers.1.weight" holds NaN (element 1); non-finite weights are refused, pass { allowNonFinite: true } to load them`,
    );
    expect(snapshot(dst)).toEqual(before);
    expect(Array.from(bytes)).toEqual(Array.from(copy));
    assertNoLeaks(() => nn.loadModelBytes(dst, bytes, { allowNonFinite: true }), 0);
    expect(values((dst.at(1) as nn.Dense).weight)).toEqual([1, NaN]);
    expectCleanThrow(() => nn.loadModelBytes(dst, bytes, { allownonfinite: true } as any), "loadModelBytes: unknown option allownonfinite");
    nn.dispose([src, dst]);
  });

  test("a tied tensor is named by the name it is stored under", () => {
    const d = new nn.Dense([2, 2]);
    tf.tidy(() => d.weight.assign(tf.tensor2d([[Infinity, 0], [0, 1]])));
    const bytes = nn.encodeModel(new nn.Chain(d, d));
    const dst = new nn.Dense([2, 2]);
    const tied = new nn.Chain(dst, dst);
    expectCleanThrow(() => nn.loadModelBytes(tied, bytes), `the file's tensor "layers.0.weight" holds Infinity (element 0)`);
    nn.dispose([d, dst]);
  });

  test("loadModelFile refuses a file with Inf weights, leaving the model and the file as they were", async () => {
    const path = join(dir, "diverged.safetensors");
    const src = diverged();
    tf.tidy(() => ((src.at(0) as nn.Dense).bias as tf.Variable).assign(tf.tensor1d([0, -Infinity])));
    await nn.saveModel(path, src);
    const onDisk = await readFile(path);
    const dst = new nn.Chain(new nn.Dense([2, 2]), new nn.Dense([2, 1]));
    const before = snapshot(dst);
    const live = liveTensors();
    await expect(nn.loadModelFile(path, dst)).rejects.toThrow(`loadModelFile: '${path}': the file's tensor "layers.0.bias" holds -Infinity (element 1)`);
    expect(liveTensors()).toBe(live);
    expect(snapshot(dst)).toEqual(before);
    expect(Buffer.compare(await readFile(path), onDisk)).toBe(0);
    await nn.loadModelFile(path, dst, { allowNonFinite: true });
    expect(values((dst.at(0) as nn.Dense).bias as tf.Tensor)).toEqual([0, -Infinity]);
    nn.dispose([src, dst]);
  });
});
