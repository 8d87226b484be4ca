// Saving and loading graphs: structure, weights, traits, rule and optimiser state come back
// identical (in memory, as a file set and as one byte array), training continues exactly, bad or
// foreign bytes give clear errors, functions travel by registered name, and nothing leaks.
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { Adam, Leaf, Momentum, setup, updateInPlace, type StateTree } from "@fluxion/optimisers";
import {
  AlphaDropout,
  BatchNorm,
  Conv,
  CrossCor,
  Dense,
  Dropout,
  GlobalMaxPool,
  GlobalMeanPool,
  LayerNorm,
  MaxPool,
  MeanPool,
  Rng,
  dispose,
  elu,
  encodeModel,
  flatten,
  gradient,
  identity,
  mse,
  relu,
  sigmoid,
  tanh,
  defaultRng,
  seedRandom,
} from "@fluxion/nn";
import {
  ApplyIf,
  CompGraph,
  Immutable,
  MutationShield,
  addVertex,
  changeNout,
  checkApply,
  checkGraph,
  concatVertex,
  decodeGraph,
  encodeGraph,
  graphCodec,
  inputVertex,
  loadGraph,
  registerName,
  registeredName,
  registeredValue,
  removeEdge,
  removeIfSingleInput,
  saveGraph,
  vertex,
  type SavedGraph,
} from "../src/index.js";
import { crc32 } from "../src/files/checksum.js";
import { ramp } from "./helpers.js";

class Grow {}
class Shrink {}
registerName("test.Grow", Grow);
registerName("test.Shrink", Shrink);

/**
 * img [6, 6, 2] → Conv → BatchNorm → CrossCor, added to the BatchNorm (removed once it has one
 * input) → MaxPool → flatten → two Dense, concatenated → LayerNorm → relu → Dropout → Dense.
 */
function convNet(): CompGraph {
  const img = inputVertex("img", [6, 6, 2]);
  const c1 = vertex("c1", new Conv([3, 3], [2, 4], relu, { pad: 1 }), img);
  const bn = vertex("bn", new BatchNorm(4, relu, { momentum: 0.2, epsilon: 1e-4 }), c1);
  const c2 = vertex("c2", new CrossCor([3, 3], [4, 4], identity, { pad: [1, 1, 1, 1] }), bn);
  const sum = addVertex("sum", bn, c2, { trait: removeIfSingleInput() });
  const flat = vertex("flat", flatten, vertex("pool", new MaxPool([2, 2]), sum));
  const d1 = vertex("d1", new Dense([36, 5], sigmoid), flat, { trait: new MutationShield(null, Grow, Shrink) });
  const d2 = vertex("d2", new Dense([36, 3], tanh, { bias: false }), flat);
  const ln = vertex("ln", new LayerNorm(8), concatVertex("cat", d1, d2));
  const drop = vertex("drop", new Dropout(0.25, { dims: -1, active: false }), vertex("act", relu, ln));
  return new CompGraph(img, vertex("out", new Dense([8, 3], elu), drop, { trait: new MutationShield(new Immutable()) }));
}

/** A tree as plain data: tensors as their dtype, shape and values; class instances with their class. */
function plain(x: unknown): unknown {
  if (x instanceof tf.Tensor) return { dtype: x.dtype, shape: x.shape, data: Array.from(x.dataSync() as ArrayLike<number>) };
  if (Array.isArray(x)) return x.map(plain);
  if (x === null || typeof x !== "object") return x;
  return { class: x.constructor, ...Object.fromEntries(Object.entries(x).map(([k, v]) => [k, plain(v)])) };
}

/** Structure, traits, layers (fields, weights bit for bit) of two graphs are the same. */
function expectSameGraph(got: CompGraph, want: CompGraph): void {
  expect(got).toBeInstanceOf(CompGraph);
  expect(got.spec).toStrictEqual(want.spec);
  expect(Object.keys(got.layers)).toEqual(Object.keys(want.layers));
  expect(plain(got.layers)).toEqual(plain(want.layers));
  expect(encodeModel(got)).toEqual(encodeModel(want));
}

const batch = (): [tf.Tensor, tf.Tensor] => [tf.tensor4d(ramp(3, 72, 0.01).flat(), [3, 6, 6, 2]), tf.tensor2d(ramp(3, 3, 0.1))];

/** `n` Adam steps of the mse on one fixed batch. */
function train(g: CompGraph, state: StateTree, n: number): void {
  const [x, y] = batch();
  for (let i = 0; i < n; i++) {
    const [grad] = gradient((m: CompGraph) => mse(m.apply(x) as tf.Tensor, y), g);
    updateInPlace(state, g, grad);
    tf.dispose(grad as any);
  }
  tf.dispose([x, y]);
}

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "fluxion-graph-files-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("encodeGraph / decodeGraph", () => {
  test("structure, traits, layers and weights come back identical; nothing leaks", () => {
    const g = convNet();
    changeNout(g, "d1", 2); // a mutated graph, as saved during a search
    const parts = assertNoLeaks(() => encodeGraph(g), 0);
    expect(parts.state).toBeUndefined();
    const json = JSON.parse(parts.json);
    expect(json).toMatchObject({ format: "fluxion-graph", version: 1, inputs: ["img"], outputs: ["out"] });
    expect(json.vertices.find((v: any) => v.name === "c1").layer).toEqual({
      class: "Conv",
      args: { kernel: [3, 3], in: 2, out: 4, sigma: { $name: "relu" }, stride: [1, 1], pad: [1, 1, 1, 1], dilation: [1, 1], groups: 1, bias: true },
    });
    expect(json.vertices.find((v: any) => v.name === "sum").trait).toEqual({ trait: "ApplyIf", predicate: "hasSingleInput", apply: "removeVertex", base: null });
    expect(json.vertices.find((v: any) => v.name === "d1").trait).toEqual({ trait: "MutationShield", allowed: ["test.Grow", "test.Shrink"], base: null });
    const { graph, state } = assertNoLeaks(() => decodeGraph(parts));
    expect(state).toBeUndefined();
    expectSameGraph(graph, g);
    const [x] = batch();
    const [y0, y1] = [g.apply(x) as tf.Tensor, graph.apply(x) as tf.Tensor];
    expect(Array.from(y1.dataSync())).toEqual(Array.from(y0.dataSync()));
    expect(checkGraph(graph).get("out")).toEqual([1, 3]);
    tf.dispose([x, y0, y1]);
    dispose([g, graph]);
  });

  test("registered functions work after loading: ApplyIf removes the merge left with one input", () => {
    const g = convNet();
    const { graph } = decodeGraph(encodeGraph(g));
    assertNoLeaks(() => {
      removeEdge(graph, "c2", "sum");
      checkApply(graph);
    }, -2); // c2 no longer reaches the output: its weight and bias go with it
    expect(graph.names()).not.toContain("sum");
    expect(graph.names()).not.toContain("c2");
    expect(graph.vertex("pool").inputs).toEqual(["bn"]);
    dispose([g, graph]);
  });

  test("the rule and optimiser state come back (Adam moments and step), and training continues identically", () => {
    const g = convNet();
    const st = setup(new Adam(0.01), g);
    train(g, st, 2);
    const parts = assertNoLeaks(() => encodeGraph(g, { state: st }), 0);
    const loaded = assertNoLeaks(() => decodeGraph(parts));
    const st2 = loaded.state as any;
    expect(plain(st2)).toEqual(plain(st));
    const leaf = st2.layers.c1.weight as Leaf;
    expect(leaf).toBeInstanceOf(Leaf);
    expect(leaf.rule).toBeInstanceOf(Adam);
    expect(leaf.step).toBe(2);
    train(g, st, 3);
    train(loaded.graph, st2, 3);
    expectSameGraph(loaded.graph, g);
    expect(plain(st2)).toEqual(plain(st));
    dispose([g, loaded.graph, st, st2]);
  });

  test("the state must come with the graph it was saved with", () => {
    const g = convNet();
    const st = setup(new Momentum(0.1), g);
    const withState = encodeGraph(g, { state: st });
    const without = encodeGraph(g);
    const other = convNet();
    const otherWeights = encodeModel(other);
    assertNoLeaks(() => {
      expect(() => decodeGraph({ json: withState.json, weights: withState.weights })).toThrow("decodeGraph: the graph was saved with optimiser state; give its bytes as state");
      expect(() => decodeGraph({ ...without, state: withState.state! })).toThrow("decodeGraph: the graph was saved without optimiser state, but state bytes were given");
      expect(() => decodeGraph({ json: without.json, weights: otherWeights })).toThrow(/decodeGraph: the weights (are \d+ bytes|do not match the graph JSON's checksum)/);
    }, 0);
    expect(() => encodeGraph(g, { state: { layers: 3 } as any })).toThrow(/^encodeGraph: the optimiser state: /);
    expect(() => encodeGraph(g, { stat: st } as any)).toThrow("encodeGraph: unknown option 'stat'; the options are state");
    dispose([g, st, other]);
  });
});

describe("every layer kind", () => {
  const rng = new Rng(7);
  registerName("test.rng", rng);
  const cases: [string, number[], () => unknown][] = [
    ["Conv 1-d, stride, dilation, groups", [9, 4], () => new Conv([3], [4, 6], tanh, { stride: 2, dilation: 2, groups: 2, pad: [2, 1] })],
    ["Conv 2-d, no bias", [5, 5, 2], () => new Conv([2, 3], [2, 3], identity, { bias: false, stride: [1, 2] })],
    ["CrossCor", [5, 5, 2], () => new CrossCor([3, 3], [2, 3], relu, { pad: 1 })],
    ["BatchNorm without affine or statistics", [4], () => new BatchNorm(4, identity, { affine: false, trackStats: false, active: true })],
    ["LayerNorm without affine", [4], () => new LayerNorm(4, sigmoid, { affine: false, epsilon: 0.01 })],
    ["Dropout with an Rng", [4], () => new Dropout(0.5, { rng })],
    ["AlphaDropout", [4], () => new AlphaDropout(0.1, { active: false })],
    ["MaxPool", [6, 6, 2], () => new MaxPool([3, 3], { pad: 1, stride: 2 })],
    ["MeanPool", [6, 2], () => new MeanPool([2])],
    ["GlobalMaxPool", [6, 6, 2], () => new GlobalMaxPool()],
    ["GlobalMeanPool", [6, 2], () => new GlobalMeanPool()],
    ["an activation", [4], () => elu],
    ["flatten", [3, 2], () => flatten],
  ];
  test.each(cases)("%s", (_, shape, make) => {
    const x = inputVertex("x", shape);
    const g = new CompGraph(x, vertex("v", make(), x));
    const { graph } = assertNoLeaks(() => decodeGraph(encodeGraph(g)));
    expectSameGraph(graph, g);
    dispose([g, graph]);
  });

  test("a layer without a row (a subclass of Dense) is refused, naming the vertex and what is saved", () => {
    class MyDense extends Dense {}
    const x = inputVertex("x", 2);
    const g = new CompGraph(x, vertex("mine", new MyDense([2, 2]), x));
    expect(() => encodeGraph(g)).toThrow(/^encodeGraph: vertex 'mine' holds a MyDense, which cannot be saved; the layers saved are Dense, Conv, CrossCor, BatchNorm, LayerNorm/);
    dispose(g);
  });
});

describe("registered names", () => {
  test("an unregistered function is refused on saving, saying how to register it", () => {
    const swishy = (t: tf.Tensor): tf.Tensor => tf.mul(t, tf.sigmoid(t));
    const x = inputVertex("x", 2);
    const g = new CompGraph(x, vertex("h", new Dense([2, 2], swishy), x));
    expect(() => encodeGraph(g)).toThrow(`encodeGraph: vertex 'h' (Dense): sigma is a function (swishy), which has no registered name, so it could not be loaded again; call registerName("<name>", swishy) before saving (and before loading)`);
    const shielded = new CompGraph(x, vertex("h", new Dense([2, 2]), x, { trait: new MutationShield(null, class Local {}) }));
    expect(() => encodeGraph(shielded)).toThrow("encodeGraph: the MutationShield trait of vertex 'h': allowed class 0 is a function (Local), which has no registered name");
    dispose([g, shielded]);
  });

  test("registered functions, classes and predicates round-trip; an unknown name on loading is named", () => {
    const cube = (t: tf.Tensor): tf.Tensor => tf.pow(t, 3);
    const wide = (g: CompGraph, name: string): boolean => g.vertex(name).nout > 3;
    const noop = (): void => undefined;
    registerName("test.cube", cube);
    registerName("test.wide", wide);
    registerName("test.noop", noop);
    expect(registeredName(cube)).toBe("test.cube");
    expect(registeredValue("test.wide")).toBe(wide);
    expect(registeredName(relu)).toBe("relu");
    expect(registeredName(sigmoid)).toBe("σ");
    const x = inputVertex("x", 2);
    const trait = new ApplyIf(wide, noop, new MutationShield(null, Grow));
    const g = new CompGraph(x, vertex("o", cube, vertex("h", new Dense([2, 4], cube), x, { trait })));
    const parts = encodeGraph(g);
    const { graph } = decodeGraph(parts);
    expectSameGraph(graph, g);
    const t = graph.vertex("h").trait as ApplyIf;
    expect([t.predicate, t.apply, (t.base as MutationShield).allowed]).toEqual([wide, noop, [Grow]]);
    const renamed = { ...parts, json: parts.json.replace('"test.cube"', '"test.cubed"') };
    expect(() => assertNoLeaks(() => decodeGraph(renamed), 0)).toThrow(`decodeGraph: vertex 'h' (Dense): sigma is 'test.cubed', which is not registered in this program; call registerName("test.cubed", value) before loading`);
    dispose([g, graph]);
  });

  test("a name names one value and a value has one name", () => {
    expect(() => registerName("relu", tanh)).toThrow("registerName: 'relu' already names a function (relu)");
    expect(() => registerName("myRelu", relu)).toThrow("registerName: a function (relu) is already registered as 'relu'");
    expect(() => registerName("three", 3)).toThrow(/^registerName: only functions, classes and objects are registered/);
    registerName("relu", relu); // the same pair again is fine
  });
});

describe("graphCodec: one byte array", () => {
  test("round-trips a graph with its state; a graph without state too", () => {
    const g = convNet();
    const st = setup(new Adam(0.02), g);
    train(g, st, 1);
    const bytes = assertNoLeaks(() => graphCodec.encode({ graph: g, state: st }), 0);
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe("FLXGRAPH");
    const back = assertNoLeaks(() => graphCodec.decode(bytes));
    expectSameGraph(back.graph, g);
    expect(plain(back.state)).toEqual(plain(st));
    const bare = graphCodec.decode(graphCodec.encode({ graph: g }));
    expect(bare.state).toBeUndefined();
    expectSameGraph(bare.graph, g);
    dispose([g, st, back.graph, back.state, bare.graph]);
  });

  test("truncated, foreign, damaged or newer bytes give clear errors and leak nothing", () => {
    const g = convNet();
    const st = setup(new Adam(), g);
    const bytes = graphCodec.encode({ graph: g, state: st });
    const jsonLength = new DataView(bytes.buffer).getUint32(8, true);
    const bad = (b: Uint8Array): (() => SavedGraph) => () => assertNoLeaks(() => graphCodec.decode(b), 0);
    expect(bad(bytes.slice(0, bytes.length - 10))).toThrow(`graphCodec.decode: truncated: ${bytes.length - 10} bytes, the graph needs ${bytes.length}`);
    expect(bad(bytes.slice(0, 100))).toThrow(`graphCodec.decode: truncated: 100 bytes, the graph needs ${12 + jsonLength}`);
    expect(bad(bytes.slice(0, 5))).toThrow('graphCodec.decode: not a fluxion graph: the bytes do not start with "FLXGRAPH" (only 5 bytes)');
    expect(bad(encodeModel(g))).toThrow('graphCodec.decode: not a fluxion graph: the bytes do not start with "FLXGRAPH"');
    const longer = new Uint8Array(bytes.length + 3);
    longer.set(bytes);
    expect(bad(longer)).toThrow("graphCodec.decode: 3 unexpected bytes after the graph");
    const flipped = bytes.slice();
    flipped[bytes.length - 1]! ^= 1;
    expect(bad(flipped)).toThrow("graphCodec.decode: the state bytes do not match the graph JSON's checksum (damaged, or from another save)");
    const newer = bytes.slice();
    newer.set(new TextEncoder().encode('"version":9'), new TextDecoder().decode(bytes.subarray(12, 12 + jsonLength)).indexOf('"version":1') + 12);
    expect(bad(newer)).toThrow("graphCodec.decode: the graph was saved in format version the number 9; this version of @fluxion/evolve reads version 1");
    expect(() => graphCodec.encode(g as any)).toThrow("graphCodec.encode: expected { graph, state? }, got a CompGraph");
    dispose([g, st]);
  });
});

describe("saveGraph / loadGraph: a file set", () => {
  test("a path prefix: graph JSON, safetensors weights and state; loads back identical", async () => {
    const g = convNet();
    const st = setup(new Adam(0.01), g);
    train(g, st, 1);
    const path = join(dir, "best");
    const manifest = await assertNoLeaks(() => saveGraph(path, g, { state: st }), 0);
    expect(manifest).toBe(`${path}.graph.json`);
    expect((await readdir(dir)).filter((f) => f.startsWith("best.")).sort()).toEqual(["best.graph.json", "best.state-a.bin", "best.weights-a.safetensors"]);
    // The weights file is an ordinary safetensors file (nn's format).
    expect(await readFile(join(dir, "best.weights-a.safetensors"))).toEqual(Buffer.from(encodeModel(g)));
    for (const from of [path, manifest]) {
      const loaded = await assertNoLeaks(() => loadGraph(from));
      expectSameGraph(loaded.graph, g);
      expect(plain(loaded.state)).toEqual(plain(st));
      dispose([loaded.graph, loaded.state]);
    }
    dispose([g, st]);
  });

  test("a directory; saves alternate their data files, so a killed save leaves the previous one loadable", async () => {
    const sub = await mkdtemp(join(dir, "run-"));
    const first = convNet();
    const second = convNet();
    await saveGraph(`${sub}/`, first);
    expect((await readdir(sub)).sort()).toEqual(["graph.json", "weights-a.safetensors"]);
    // A save killed before its graph JSON was renamed into place: only its data file was written.
    await writeFile(join(sub, "weights-b.safetensors"), encodeGraph(second).weights);
    const kept = await loadGraph(`${sub}/`);
    expectSameGraph(kept.graph, first);
    await saveGraph(join(sub, "graph.json"), second);
    expect(JSON.parse(await readFile(join(sub, "graph.json"), "utf8")).weights.file).toBe("weights-b.safetensors");
    const now = await loadGraph(sub + "/graph.json");
    expectSameGraph(now.graph, second);
    await saveGraph(`${sub}/`, first);
    expect(JSON.parse(await readFile(join(sub, "graph.json"), "utf8")).weights.file).toBe("weights-a.safetensors");
    dispose([first, second, kept.graph, now.graph]);
  });

  test("missing, foreign and mismatched files give errors naming the file", async () => {
    const g = convNet();
    const path = join(dir, "other");
    await saveGraph(path, g);
    const manifest = `${path}.graph.json`;
    await expect(loadGraph(join(dir, "nothing"))).rejects.toThrow(`loadGraph: no file at '${join(dir, "nothing")}.graph.json'`);
    await writeFile(join(dir, "foreign.graph.json"), '{"hello": 1}');
    await expect(loadGraph(join(dir, "foreign"))).rejects.toThrow(`loadGraph: '${join(dir, "foreign.graph.json")}': not a fluxion graph: expected JSON with "format": "fluxion-graph", got format undefined`);
    const other = convNet();
    await writeFile(join(dir, "other.weights-a.safetensors"), encodeModel(other));
    dispose(other);
    await expect(assertNoLeaks(() => loadGraph(path), 0)).rejects.toThrow(new RegExp(`^loadGraph: '${manifest}': the weights (are \\d+ bytes|do not match)`));
    await rm(join(dir, "other.weights-a.safetensors"));
    await expect(loadGraph(path)).rejects.toThrow(`loadGraph: '${manifest}': no file at '${join(dir, "other.weights-a.safetensors")}'`);
    await expect(saveGraph(join(dir, "no-such-dir", "g"), g)).rejects.toThrow(/^saveGraph: cannot write '.*no-such-dir.*': the directory does not exist/);
    dispose(g);
  });
});

test("rebuilding the layers draws no random numbers (placeholder weights are zeros)", () => {
  const g = convNet();
  const parts = encodeGraph(g);
  seedRandom(11);
  const want = Array.from(defaultRng().floats(3));
  seedRandom(11);
  const { graph } = decodeGraph(parts);
  expect(Array.from(defaultRng().floats(3))).toEqual(want);
  dispose([g, graph]);
});

test("the checksum is CRC-32 (IEEE): its check values", () => {
  const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
  expect(crc32(ascii("123456789"))).toBe("cbf43926");
  expect(crc32(ascii("The quick brown fox jumps over the lazy dog"))).toBe("414fa339");
  expect(crc32(new Uint8Array(0))).toBe("00000000");
});

test("a layer object held by two vertices is refused", () => {
  const shared = new Dense([3, 3]);
  const x = inputVertex("x", 3);
  const g = new CompGraph(x, vertex("b", shared, vertex("a", shared, x)));
  expect(() => encodeGraph(g)).toThrow("encodeGraph: vertices 'a' and 'b' hold the same layer object; a saved graph gives each vertex its own layer");
  dispose(shared);
});

test("README example: save with Adam state, load, a registered activation", async () => {
  const gauss = (t: tf.Tensor): tf.Tensor => tf.exp(tf.neg(tf.square(t)));
  registerName("gauss", gauss);
  const x = inputVertex("x", 4);
  const g = new CompGraph(x, vertex("out", new Dense([8, 2]), vertex("h", new Dense([4, 8], gauss), x)));
  const state = setup(new Adam(0.01), g);
  await saveGraph(join(dir, "readme"), g, { state });
  const { graph, state: resumed } = await loadGraph(join(dir, "readme"));
  expectSameGraph(graph, g);
  expect((graph.layers.h as Dense).sigma).toBe(gauss);
  expect(plain(resumed)).toEqual(plain(state));
  dispose([g, state, graph, resumed]);
});
