// CompGraph as a model: forward pass against hand computation, the functor integration (setup,
// updateInPlace, destructure, gradient, state/loadModel) against an equal Chain, printing.
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { Adam, destructure, setup, updateInPlace } from "@fluxion/optimisers";
import { BatchNorm, Chain, Dense, dispose, gradient, loadModel, mse, relu, state } from "@fluxion/nn";
import { CompGraph, addVertex, concatVertex, checkGraph, graphSummary, inputVertex, vertex } from "../src/index.js";
import { denseOf, expectClose, ramp, values } from "./helpers.js";

function mlp(): { g: CompGraph; chain: Chain } {
  const l1 = denseOf(ramp(3, 4), [0.1, -0.2, 0.3, 0], relu);
  const l2 = denseOf(ramp(4, 2, 0.05), [0.5, -0.5]);
  const x = inputVertex("x", 3);
  const g = new CompGraph(x, vertex("out", l2, vertex("h", l1, x)));
  const chain = new Chain(denseOf(ramp(3, 4), [0.1, -0.2, 0.3, 0], relu), denseOf(ramp(4, 2, 0.05), [0.5, -0.5]));
  return { g, chain };
}

describe("CompGraph", () => {
  test("runs its vertices in order: add and concat merges by hand", () => {
    const a = inputVertex("a", 2);
    const b = inputVertex("b", 2);
    const s = addVertex("s", a, b);
    const c = concatVertex("c", s, a);
    const g = new CompGraph([a, b], c);
    const xa = tf.tensor2d([[1, 2]]);
    const xb = tf.tensor2d([[10, 20]]);
    const y = assertNoLeaks(() => g.apply(xa, xb) as tf.Tensor);
    expect(values(y)).toEqual([[11, 22, 1, 2]]);
    tf.dispose([xa, xb, y]);
  });

  test("equals the Chain with the same weights, forward and gradient; setup/update/destructure see its layers", () => {
    const { g, chain } = mlp();
    const x = tf.tensor2d(ramp(5, 3, 0.3));
    const y = tf.tensor2d(ramp(5, 2, 0.2));
    const [ga] = assertNoLeaks(() => gradient((m: CompGraph) => mse(m.apply(x), y), g));
    const [gc] = gradient((m: Chain) => mse(m.apply(x), y), chain);
    expectClose((ga as any).layers.h.weight, (gc as any).layers[0].weight);
    expectClose((ga as any).layers.out.bias, (gc as any).layers[1].bias);
    const [flat] = destructure(g);
    const [flatChain] = destructure(chain);
    expectClose(flat, flatChain);
    const sg = setup(new Adam(0.01), g);
    const sc = setup(new Adam(0.01), chain);
    assertNoLeaks(() => updateInPlace(sg, g, ga), 0);
    updateInPlace(sc, chain, gc);
    const yg = g.apply(x) as tf.Tensor;
    const yc = chain.apply(x) as tf.Tensor;
    expectClose(yg, yc);
    tf.dispose([x, y, yg, yc, flat, flatChain, ga as any, gc as any]);
    dispose([g, chain, sg as any, sc as any]);
  });

  test("state and loadModel copy weights between graphs of one structure", () => {
    const { g } = mlp();
    const other = mlp().g;
    const w = (other.layers.h as Dense).weight;
    tf.tidy(() => w.assign(tf.zerosLike(w)));
    loadModel(other, state(g));
    expect(values((other.layers.h as Dense).weight)).toEqual(values((g.layers.h as Dense).weight));
    dispose([g, other, mlp().chain]);
  });

  test("prints as Flux does, with parameter counts, and has a summary table", () => {
    const { g, chain } = mlp();
    expect(g.toString()).toBe(
      [
        "CompGraph(",
        "  h = Dense(3 => 4, relu),              # 16 parameters",
        "  out = Dense(4 => 2),                  # 10 parameters",
        ")                   # Total: 4 arrays, 26 parameters, 104 bytes.",
      ].join("\n"),
    );
    expect(graphSummary(g)).toBe(
      [
        "vertex  layer                inputs  nin  nout  parameters",
        "------  -------------------  ------  ---  ----  ----------",
        "x       input [3]                            3           0",
        "h       Dense(3 => 4, relu)  x         3     4          16",
        "out     Dense(4 => 2)        h         4     2          10",
        "Total: 26 parameters",
      ].join("\n"),
    );
    dispose([g, chain]);
  });

  test("checkGraph returns the shapes and names what is wrong", () => {
    const { g, chain } = mlp();
    expect(checkGraph(g)).toEqual(new Map([["x", [1, 3]], ["h", [1, 4]], ["out", [1, 2]]]));
    const x = inputVertex("x", 3);
    const bad = new CompGraph(x, vertex("bn", new BatchNorm(5), x));
    expect(() => checkGraph(bad)).toThrow("checkGraph: evolve: vertex 'bn' cannot take an input of shape [1, 3]");
    dispose([g, chain, bad]);
  });

  test("builders refuse what is not a graph", () => {
    const x = inputVertex("x", 3);
    expect(() => vertex("v", 5 as any, x)).toThrow("evolve: a graph vertex cannot hold the number 5");
    expect(() => new CompGraph(x, [vertex("a", relu, x), vertex("a", relu, x)])).toThrow("two different vertices are named 'a'");
    expect(() => inputVertex("y", [0])).toThrow("the shape must be positive integers");
  });
});
