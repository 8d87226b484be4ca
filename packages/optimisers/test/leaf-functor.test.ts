// Leaf is a functor over its state (Optimisers.jl's `@functor Leaf (state,)`): functors' maps reach
// the state tensors and keep rule, frozen and step; walks over whole Leafs stop with `exclude`.
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { fcollect, fleaves, fmap, isLeaf } from "@fluxion/functors";
import { Adam, Leaf, Momentum, freeze, setup } from "@fluxion/optimisers";
import { disposeTree, values } from "./helpers.js";

const cloneTensors = (x: unknown): unknown => (x instanceof tf.Tensor ? tf.clone(x) : x);

describe("Leaf as a functor over its state", () => {
  test("fmap(clone) copies a state tree: new Leafs, ties kept, moments cloned, rule/frozen/step kept", () => {
    const w = tf.ones([2]);
    const w2 = tf.ones([3]);
    const tree = setup(new Adam(), { a: w, b: [w], c: w2, f: Math.sin }) as any;
    freeze(tree.c);
    tree.a.step = 5;
    const copy = assertNoLeaks(() => fmap(cloneTensors, tree), 4) as any; // 2 Leafs × (m, v)
    expect(copy.a).toBeInstanceOf(Leaf);
    expect(copy.a).not.toBe(tree.a);
    expect(copy.a).toBe(copy.b[0]);
    expect(copy.a.rule).toBe(tree.a.rule);
    expect(copy.a.step).toBe(5);
    expect(copy.c.frozen).toBe(true);
    expect(copy.f).toBe(tree.f);
    expect(copy.a.state[0]).not.toBe(tree.a.state[0]);
    expect(values(copy.a.state[1])).toEqual(values(tree.a.state[1]));
    expect(copy.a.state[2]).toEqual([0.9, 0.999]);
    expect(copy.a.toString()).toBe(tree.a.toString());
    [tree, copy].forEach(disposeTree);
    tf.dispose([w, w2]);
  });

  test("fleaves and fcollect reach every state tensor; a tied Leaf is collected once", () => {
    const w = tf.ones([2]);
    const tree = setup(new Momentum(), { a: w, b: w, c: tf.zeros([1]) }) as any;
    const tensors = fleaves(tree).filter((t) => t instanceof tf.Tensor);
    expect(tensors).toEqual([tree.a.state, tree.b.state, tree.c.state]);
    expect(new Set(tensors).size).toBe(2);
    const nodes = fcollect(tree);
    expect(nodes.filter((x) => x instanceof Leaf)).toEqual([tree.a, tree.c]);
    expect(nodes.filter((x) => x instanceof tf.Tensor)).toEqual([tree.a.state, tree.c.state]);
    disposeTree(tree);
    tf.dispose(w);
  });

  test("a walk that acts on whole Leafs says so with exclude", () => {
    const w = tf.ones([2]);
    const tree = setup(new Momentum(), { a: w, b: [w] }) as any;
    const rules = fmap({ exclude: (x) => x instanceof Leaf || isLeaf(x) }, (x: unknown) => (x instanceof Leaf ? x.rule.toString() : x), tree);
    expect(rules).toEqual({ a: "Momentum(0.01, 0.9)", b: ["Momentum(0.01, 0.9)"] });
    disposeTree(tree);
    w.dispose();
  });
});
