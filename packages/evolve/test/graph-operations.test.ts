// The operations, against hand-built graphs and NaiveNASlib's / NaiveGAflux's test cases: which
// weights move where, function preservation, refusals that change nothing, no leaks.
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { Adam, Leaf, setup, updateInPlace } from "@fluxion/optimisers";
import { BatchNorm, Chain, Dense, dispose, gradient, identity, identityInit, mse, relu } from "@fluxion/nn";
import {
  CompGraph,
  MutationShield,
  SizeError,
  addEdge,
  addVertex,
  allowMutation,
  changeNout,
  checkApply,
  checkGraph,
  concatVertex,
  inputVertex,
  insertAfter,
  removeEdge,
  removeIfSingleInput,
  removeVertex,
  resize,
  vertex,
} from "../src/index.js";
import { column, denseOf, expectClose, ramp, values } from "./helpers.js";

const W = (g: CompGraph, name: string): number[][] => values((g.layers[name] as Dense).weight);
const B = (g: CompGraph, name: string): number[] => values((g.layers[name] as Dense).bias as tf.Tensor);

/** x(3) → h = Dense(3 => 4, relu) → out = Dense(4 => 2). */
function mlp(): CompGraph {
  const x = inputVertex("x", 3);
  return new CompGraph(x, vertex("out", denseOf(ramp(4, 2, 0.05), [0.5, -0.5]), vertex("h", denseOf(ramp(3, 4), [0.1, -0.2, 0.3, 0], relu), x)));
}

/** The graph's output on a fixed batch, as numbers. */
function outputOf(g: CompGraph): number[][] {
  return tf.tidy(() => values(g.apply(tf.tensor2d(ramp(5, 3, 0.3))) as tf.Tensor));
}

/** Everything a refused operation must leave as it was. */
function snapshot(g: CompGraph): unknown {
  return { spec: g.spec, layers: { ...g.layers }, weights: Object.fromEntries(Object.entries(g.layers).map(([k, l]) => [k, l instanceof Dense ? [W(g, k), B(g, k)] : null])) };
}

describe("resize", () => {
  test("NaiveNASlib's weight-modification example: v2 loses its middle neuron, v1 gains one, v3 and v4 follow", () => {
    const in1 = inputVertex("in1", 3);
    const in2 = inputVertex("in2", 4);
    const v1 = vertex("v1", denseOf(ramp(3, 4), [1, 2, 3, 4]), in1);
    const v2 = vertex("v2", denseOf(ramp(4, 3), [5, 6, 7]), in2);
    const merged = concatVertex("merged", v1, v2);
    const v3 = vertex("v3", denseOf(ramp(3, 7), [0, 1, 2, 3, 4, 5, 6]), in1);
    const add = addVertex("add", v3, merged);
    const v4 = vertex("v4", denseOf(ramp(7, 2), [0, 0]), merged);
    const g = new CompGraph([in1, in2], [add, v4]);
    const before = { v1: W(g, "v1"), v2: W(g, "v2"), v3: W(g, "v3"), v4: W(g, "v4") };
    const utility = (name: string) => (name === "v2" ? [10, 1, 10] : [1, 1, 1, 1, 1, 1, 1]);
    assertNoLeaks(() => resize(g, { v2: -1, merged: 0 }, { utility }), 0);
    expect(W(g, "v2")).toEqual(before.v2.map((r) => [r[0], r[2]]));
    expect(B(g, "v2")).toEqual([5, 7]);
    // v1 keeps its 4 neurons and gains a fifth: random outgoing weights, zero bias.
    expect(W(g, "v1").map((r) => r.slice(0, 4))).toEqual(before.v1);
    expect(B(g, "v1")).toEqual([1, 2, 3, 4, 0]);
    // v3 is tied to [v1; v2] through the add: the same change, neuron for neuron.
    const keep = [0, 1, 2, 3, -1, 4, 6];
    keep.forEach((j, i) => j >= 0 && expect(column(W(g, "v3"), i)).toEqual(column(before.v3, j)));
    expect(B(g, "v3")).toEqual([0, 1, 2, 3, 0, 4, 6]);
    // v4 reads [v1; v2]: its rows follow, and the new feature gets zero weights.
    expect(W(g, "v4")).toEqual(keep.map((j) => (j < 0 ? [0, 0] : before.v4[j]!)));
    expect(checkGraph(g).get("merged")).toEqual([1, 7]);
    dispose(g);
  });

  test("growing keeps the function; shrinking keeps the neurons of highest weight magnitude", () => {
    const g = mlp();
    const y0 = outputOf(g);
    assertNoLeaks(() => changeNout(g, "h", 3), 0);
    expect(W(g, "h")[0]).toHaveLength(7);
    expect(W(g, "out").slice(4)).toEqual([[0, 0], [0, 0], [0, 0]]);
    expectClose(outputOf(g), y0);
    dispose(g);

    const s = mlp();
    const w = W(s, "h");
    const b = B(s, "h");
    const norms = [0, 1, 2, 3].map((j) => Math.hypot(...column(w, j)) + Math.abs(b[j]!));
    const top = [0, 1, 2, 3].sort((i, j) => norms[j]! - norms[i]!).slice(0, 2).sort();
    changeNout(s, "h", -2);
    expect(W(s, "h")).toEqual(w.map((r) => top.map((j) => r[j])));
    // The same as a model that never had the other two neurons.
    const ref = new Chain(denseOf(w.map((r) => top.map((j) => r[j]!)), top.map((j) => b[j]!), relu), denseOf(top.map((j) => ramp(4, 2, 0.05)[j]!), [0.5, -0.5]));
    const y = tf.tidy(() => values(ref.apply(tf.tensor2d(ramp(5, 3, 0.3))) as tf.Tensor));
    expectClose(outputOf(s), y);
    dispose([s, ref]);
  });

  test("the optimiser state follows the neurons: training goes on as for a model that never had the dropped ones", () => {
    const g = mlp();
    const st = setup(new Adam(0.05), g) as any;
    const x = tf.tensor2d(ramp(5, 3, 0.3));
    const y = tf.tensor2d(ramp(5, 2, 0.2));
    const step = (m: any, s: any) => {
      const [gr] = gradient((mm: any) => mse(mm.apply(x), y), m);
      updateInPlace(s, m, gr);
      tf.dispose(gr as any);
    };
    for (let i = 0; i < 3; i++) step(g, st);
    const [m0, v0] = (st.layers.h.weight as Leaf).state as [tf.Tensor, tf.Tensor];
    const moments = { m: values(m0) as number[][], v: values(v0) as number[][] };
    const w = W(g, "h");
    const b = B(g, "h");
    const wOut = W(g, "out");
    const norms = [0, 1, 2, 3].map((j) => Math.hypot(...column(w, j)) + Math.abs(b[j]!));
    const top = [0, 1, 2, 3].sort((i, j) => norms[j]! - norms[i]!).slice(0, 3).sort();
    // The reference: a Chain of the kept neurons, its Adam state the kept entries of the old one.
    const ref = new Chain(denseOf(w.map((r) => top.map((j) => r[j]!)), top.map((j) => b[j]!), relu), denseOf(top.map((j) => wOut[j]!), B(g, "out")));
    const rs = setup(new Adam(0.05), ref) as any;
    const pick = (leaf: Leaf, from: Leaf, sel: (t: tf.Tensor) => tf.Tensor) => {
      const [m, v, betaT] = from.state as [tf.Tensor, tf.Tensor, number[]];
      tf.dispose(leaf.state as any);
      leaf.state = [sel(m), sel(v), [...betaT]];
      leaf.step = from.step;
    };
    const cols = tf.tensor1d(top, "int32");
    pick(rs.layers[0].weight, st.layers.h.weight, (t) => tf.gather(t, cols, 1));
    pick(rs.layers[0].bias, st.layers.h.bias, (t) => tf.gather(t, cols, 0));
    pick(rs.layers[1].weight, st.layers.out.weight, (t) => tf.gather(t, cols, 0));
    pick(rs.layers[1].bias, st.layers.out.bias, (t) => tf.clone(t));
    assertNoLeaks(() => changeNout(g, "h", -1, { state: st }), 0);
    expect(values((st.layers.h.weight as Leaf<any>).state[0])).toEqual(moments.m.map((r) => top.map((j) => r[j])));
    expect(values((st.layers.h.weight as Leaf<any>).state[1])).toEqual(moments.v.map((r) => top.map((j) => r[j])));
    for (let i = 0; i < 3; i++) {
      step(g, st);
      step(ref, rs);
    }
    expectClose(W(g, "h"), values((ref.layers as any)[0].weight));
    expectClose(W(g, "out"), values((ref.layers as any)[1].weight));
    tf.dispose([x, y, cols]);
    dispose([g, st, ref, rs]);
  });

  test("inputs never change size, and a refused resize changes nothing", () => {
    const x = inputVertex("x", 3);
    const a = vertex("a", denseOf(ramp(3, 3), [0, 0, 0]), x);
    const s = addVertex("s", a, x);
    const g = new CompGraph(x, vertex("out", denseOf(ramp(3, 1), [0]), s));
    const before = snapshot(g);
    expect(() => assertNoLeaks(() => changeNout(g, "a", 2), 0)).toThrow(SizeError);
    expect(() => changeNout(g, "a", 2)).toThrow("resize: cannot change the size of 'a' by 2: its neurons are tied to 'x', which cannot change size");
    expect(() => changeNout(g, "out", -1)).toThrow("out would have 0 neurons; a size must stay at least 1");
    expect(snapshot(g)).toEqual(before);
    dispose(g);
  });
});

describe("insertAfter", () => {
  test("an identity-initialised vertex leaves the outputs unchanged and gets optimiser state", () => {
    const g = mlp();
    const st = setup(new Adam(), g) as any;
    const y0 = outputOf(g);
    const layer = new Dense([4, 4], identity, { init: identityInit });
    assertNoLeaks(() => insertAfter(g, "h", "h2", layer, { state: st }), 4); // Adam's m and v for weight and bias
    expect(g.names()).toEqual(["x", "h", "h2", "out"]);
    expect(g.vertex("out").inputs).toEqual(["h2"]);
    expectClose(outputOf(g), y0);
    expect(st.layers.h2.weight).toBeInstanceOf(Leaf);
    expect(Object.keys(st.layers)).toEqual(["h", "h2", "out"]);
    checkGraph(g);
    dispose([g, st]);
  });

  test("a vertex of another size is refused", () => {
    const g = mlp();
    const before = snapshot(g);
    const layer = new Dense([4, 5]);
    expect(() => insertAfter(g, "h", "h2", layer)).toThrow("insertAfter: the new vertex 'h2' gives 5 features where 'h' gave 4");
    expect(snapshot(g)).toEqual(before);
    expect((layer.weight as tf.Tensor).isDisposed).toBe(false); // still the caller's
    dispose([g, layer]);
  });
});

describe("removeVertex", () => {
  test("NaiveNASlib's tutorial: in(3) → l1(5) → l2(4); l1 cannot grow the input, so it shrinks to 3 first", () => {
    const x = inputVertex("in", 3);
    const l1 = vertex("l1", denseOf(ramp(3, 5), [1, 2, 3, 4, 5]), x);
    const g = new CompGraph(x, vertex("l2", denseOf(ramp(5, 4), [0, 0, 0, 0]), l1));
    const w1 = W(g, "l1");
    const b1 = B(g, "l1");
    const w2 = W(g, "l2");
    const norms = [0, 1, 2, 3, 4].map((j) => Math.hypot(...column(w1, j)) + Math.abs(b1[j]!));
    const top = [0, 1, 2, 3, 4].sort((i, j) => norms[j]! - norms[i]!).slice(0, 3).sort();
    assertNoLeaks(() => removeVertex(g, "l1"), -2);
    expect(g.names()).toEqual(["in", "l2"]);
    expect(g.vertex("l2").nin).toEqual([3]);
    expect(W(g, "l2")).toEqual(top.map((j) => w2[j]));
    dispose(g);
  });

  test("a removal that would leave a size cycle is refused (NaiveNASlib #34)", () => {
    const x = inputVertex("x", 2);
    const a = vertex("a", denseOf(ramp(2, 5), [0, 0, 0, 0, 0]), x);
    const b = vertex("b", denseOf(ramp(5, 3), [0, 0, 0]), a);
    const e = vertex("e", denseOf(ramp(2, 2), [0, 0]), x);
    const c = concatVertex("c", b, e);
    const g = new CompGraph(x, addVertex("s", a, c));
    const before = snapshot(g);
    expect(() => assertNoLeaks(() => removeVertex(g, "b"), 0)).toThrow("a size cycle");
    expect(snapshot(g)).toEqual(before);
    dispose(g);
  });
});

describe("edges", () => {
  test("NaiveGAflux's ApplyIf case: merge vertices left with one input go, and so does what no longer reaches the output", () => {
    const v1 = inputVertex("v1", 3);
    const v2 = vertex("v2", denseOf(ramp(3, 5), [0, 0, 0, 0, 0]), v1);
    const v3 = vertex("v3", denseOf(ramp(3, 5, 0.2), [0, 0, 0, 0, 0]), v1);
    const v4 = addVertex("v4", v2, v3, { trait: removeIfSingleInput() });
    const v5 = vertex("v5", new BatchNorm(5), v4);
    const v6 = concatVertex("v6", v3, v5, { trait: removeIfSingleInput() });
    const g = new CompGraph(v1, vertex("v7", denseOf(ramp(10, 2), [0, 0]), v6));
    const w7 = W(g, "v7");
    const n0 = g.names().length;
    checkApply(g);
    expect(g.names()).toHaveLength(n0);
    removeEdge(g, "v3", "v4");
    checkApply(g);
    expect(g.names()).toHaveLength(n0 - 1);
    expect(g.vertex("v5").inputs).toEqual(["v2"]);
    assertNoLeaks(() => removeEdge(g, "v3", "v6"), -2); // v3's weight and bias go with it
    checkApply(g);
    expect(g.names()).toEqual(["v1", "v2", "v5", "v7"]);
    expect(W(g, "v7")).toEqual(w7.slice(5)); // the rows that read v3 are gone
    checkGraph(g);
    dispose(g);
  });

  test("an edge into a concatenation gets zero weights in its readers: the function is unchanged", () => {
    const x = inputVertex("x", 3);
    const a = vertex("a", denseOf(ramp(3, 2), [0.1, 0.2], relu), x);
    const b = vertex("b", denseOf(ramp(3, 2, 0.3), [0, 0], relu), x);
    const c = concatVertex("c", a);
    const g = new CompGraph(x, [vertex("out", denseOf(ramp(2, 1), [0.5]), c), b]);
    const y0 = outputOf(new CompGraph(x, vertex("out", denseOf(ramp(2, 1), [0.5]), concatVertex("c", a))));
    addEdge(g, "b", "c");
    expect(g.vertex("c").inputs).toEqual(["a", "b"]);
    expectClose(W(g, "out"), [...ramp(2, 1), [0], [0]]);
    const y = tf.tidy(() => values((g.apply(tf.tensor2d(ramp(5, 3, 0.3))) as tf.Tensor[])[0]!));
    expectClose(y, y0);
    expect(() => addEdge(g, "out", "c")).toThrow("addEdge: an edge from 'out' to 'c' would make a cycle");
    expect(() => addEdge(g, "a", "out")).toThrow("'out' is a layer vertex; edges can be added to and removed from add and concat vertices only");
    dispose(g);
  });
});

describe("MutationShield (NaiveGAflux's tests)", () => {
  class M1 {}
  class M2 {}
  class A {}
  class MA1 extends A {}
  class MA2 extends A {}
  class DM {
    constructor(readonly parts: unknown[]) {}
    mutationLeaves() {
      return this.parts;
    }
  }
  test("basic shielding: inputs and shielded vertices are not picked; plain ones are", () => {
    const v1 = inputVertex("v1", 3);
    const v2 = vertex("v2", new Dense([3, 5]), v1);
    const v3 = vertex("v3", new Dense([5, 4]), v2, { trait: new MutationShield() });
    const g = new CompGraph(v1, vertex("v4", new Dense([4, 2]), v3, { trait: new MutationShield() }));
    expect(g.names().map((n) => allowMutation(g.vertex(n).trait))).toEqual([false, true, false, false]);
    dispose(g);
  });
  test("an allowed class passes through decorating mutations; any other leaf blocks", () => {
    const t = new MutationShield(null, M1);
    for (const m of [new M1(), new DM([new M1()]), new DM([new M1(), new M1()]), new DM([new M1(), new DM([new DM([new M1()]), new M1()])])]) expect(allowMutation(t, m)).toBe(true);
    for (const m of [new M2(), new DM([new M2()]), new DM([new M1(), new M2()]), new DM([new M1(), new DM([new DM([new M1()]), new M2()])])]) expect(allowMutation(t, m)).toBe(false);
    const abstract = new MutationShield(null, A);
    expect([allowMutation(abstract, new MA1()), allowMutation(abstract, new MA2()), allowMutation(abstract, new M1())]).toEqual([true, true, false]);
    expect(allowMutation(t)).toBe(false); // no mutation given: blocked
    // withBase keeps the allowed list (Functors' fmap over the decorator).
    expect((t.withBase(new MutationShield()) as MutationShield).allowed).toEqual([M1]);
  });
});
