// fcollect (examples 24-27) and fleaves (examples 28-29), from the Functors.jl 0.5 docs and test suite.
import { describe, expect, test } from "@jest/globals";
import { fcollect, fleaves, isLeaf, registerFunctor, registerLeaf } from "../src/index.js";
import { Bar, FBar, FFoo, Foo, expectSameElements, i32, isTyped } from "./fixtures.js";

// Julia: struct NoChild2; x; y; end; @functor NoChild2 ()
class NoChild2 {
  constructor(
    public x: any,
    public y: any,
  ) {}
}
registerFunctor(NoChild2, []);

// Julia: @leaf TypeWithNoChildren
class TypeWithNoChildren {
  constructor(
    public x: any,
    public y: any,
  ) {}
}
registerLeaf(TypeWithNoChildren);

// Julia @flexiblefunctor FFoo p / FBar p

describe("fcollect", () => {
  test("example 24: order and exclusion", () => {
    const m1 = i32(1, 2, 3);
    const m2 = 1;
    const m3 = new Foo(m1, m2);
    const m4 = new Bar(m3);
    expectSameElements(fcollect(m4), [m4, m3, m1, m2]);
    // Julia `x -> x isa Array`: here the numeric array is a typed array.
    expectSameElements(fcollect(m4, { exclude: isTyped }), [m4, m3, m2]);
    expectSameElements(fcollect(m4, { exclude: (x) => x instanceof Foo }), [m4]);
  });

  test("example 25: depth-first pre-order", () => {
    const m0 = new NoChild2("a", "b");
    const m1 = i32(1, 2, 3);
    const m2 = new Bar(m1);
    const m3 = new Foo(m2, m0);
    const m4 = new Bar(m3);
    expectSameElements(fcollect(m4), [m4, m3, m2, m1, m0]);
  });

  test("example 26: a node reached twice is collected once; equal but distinct ones are both kept", () => {
    const m1 = i32(1, 2, 3);
    const m3 = new Foo(m1, m1);
    expectSameElements(fcollect(m3), [m3, m1]);

    const a = i32(1, 2, 3);
    const b = i32(1, 2, 3);
    const m4 = new Foo(a, b);
    expectSameElements(fcollect(m4), [m4, a, b]);
  });

  test("example 26: values that are never shared are collected every time they appear", () => {
    // Julia keeps two equal SVectors (isbits); in the port, primitives and plain arrays are never
    // deduplicated, even the same array object twice.
    const sv = [1, 2];
    const m = new Foo(sv, sv);
    expectSameElements(fcollect(m), [m, sv, 1, 2, sv, 1, 2]);
    const n = new Foo(7, 7);
    expectSameElements(fcollect(n), [n, 7, 7]);
  });

  test("example 27: the fcollect docstring with @leaf", () => {
    const inner = i32(1, 2, 3);
    const bar = new Bar(inner);
    const leaf = new TypeWithNoChildren("a", "b");
    const m = new Foo(bar, leaf);
    expectSameElements(fcollect(m), [m, bar, inner, leaf]);
    expectSameElements(fcollect(m, { exclude: (v) => v instanceof Bar }), [m, leaf]);
    expectSameElements(fcollect(m, { exclude: isLeaf }), [m, bar]);
  });

  test("flexible functors (Julia 'Flexible fcollect')", () => {
    const m1 = 1;
    const m2 = i32(1, 2, 3);
    const m3 = new FFoo(m1, m2, ["y"]);
    const m4 = new FBar(m3, ["x"]);
    expectSameElements(fcollect(m4), [m4, m3, m2]);
    expectSameElements(fcollect(m4, { exclude: isTyped }), [m4, m3]);
    expectSameElements(fcollect(m4, { exclude: (x) => x instanceof FFoo }), [m4]);

    const n0 = new NoChild2("a", "b");
    const n1 = i32(1, 2, 3);
    const n2 = new FBar(n1, []);
    const n3 = new FFoo(n2, n0, ["x", "y"]);
    const n4 = new FBar(n3, ["x"]);
    expectSameElements(fcollect(n4), [n4, n3, n2, n0]);
  });

  test("containers of every kind are collected, with their children in order", () => {
    const t = i32(9);
    const map = new Map<string, any>([
      ["k", t],
      ["j", "s"],
    ]);
    const inner = { a: 1 };
    const x = [map, inner, []];
    expectSameElements(fcollect(x), [x, map, t, "s", inner, 1, x[2]]);
  });

  test("a shared Map or class instance is collected once, with its subtree", () => {
    const t = i32(1);
    const shared = new Map([["a", t]]);
    const bar = new Bar(5);
    const x = { p: shared, q: bar, r: [shared, bar] };
    expectSameElements(fcollect(x), [x, shared, t, bar, 5, x.r]);
  });
});

describe("fleaves", () => {
  test("example 28: the leaves in depth-first order", () => {
    // x = (1, (2, 3), (a=4, b=(5, 6), c=7))
    const x = [1, [2, 3], { a: 4, b: [5, 6], c: 7 }];
    expect(fleaves(x)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  test("example 28: exclude makes a container count as a leaf", () => {
    const nt = { a: 4, b: [5, 6], c: 7 };
    const x = [1, [2, 3], nt];
    const isNamedTuple = (v: unknown) => v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype;
    const got = fleaves(x, { exclude: (v) => isLeaf(v) || isNamedTuple(v) });
    expect(got).toEqual([1, 2, 3, { a: 4, b: [5, 6], c: 7 }]);
    expect(got[3]).toBe(nt);
  });

  test("example 28: empty containers have no leaves", () => {
    expect(fleaves({})).toEqual([]); // Julia fleaves((;)) == []
    expect(fleaves({ a: 1, b: 2, c: {} })).toEqual([1, 2]);
    expect(fleaves(new Map())).toEqual([]);
  });

  test("the empty array is a leaf (Julia's ()), so it is its own single leaf", () => {
    const e: never[] = [];
    const got = fleaves(e);
    expect(got).toHaveLength(1);
    expect(got[0]).toBe(e);
    expect(fleaves([1, [], 2])).toEqual([1, [], 2]);
  });

  test("example 29: the fleaves docstring", () => {
    // m = (a = Bar([1,2,3]), b = TypeWithNoChildren(4, 5))
    const inner = i32(1, 2, 3);
    const leaf = new TypeWithNoChildren(4, 5);
    const got = fleaves({ a: new Bar(inner), b: leaf });
    expectSameElements(got, [inner, leaf]);
  });

  test("fleaves does not deduplicate: a shared leaf appears every time", () => {
    const t = i32(1, 2);
    const got = fleaves({ a: t, b: [t, 3], c: new Foo(t, t) });
    expectSameElements(got, [t, t, 3, t, t]);
  });

  test("Map leaves come in insertion order", () => {
    const m = new Map<any, any>([
      ["z", 1],
      ["a", { q: 2, p: 3 }],
      [0, 4],
    ]);
    expect(fleaves(m)).toEqual([1, 2, 3, 4]);
  });

  test("a leaf at the root is its own single leaf", () => {
    expect(fleaves(5)).toEqual([5]);
    const t = i32(1);
    expectSameElements(fleaves(t), [t]);
  });
});
