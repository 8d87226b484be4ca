// functor / children / isLeaf / registerFunctor / registerLeaf / rebuild.
// Examples are numbered in the order of the Functors.jl 0.5 docs and tests.
import { describe, expect, test } from "@jest/globals";
import { children, fmap, fmapStructure, functor, isLeaf, isShared, registerFunctor, registerLeaf } from "../src/index.js";
import { Bar, FBar, FFoo, Foo, i32, times } from "./fixtures.js";

// Julia: struct TwoThirds a; b; c; end; @functor TwoThirds (a, c)
class TwoThirds {
  constructor(
    public a: any,
    public b: any,
    public c: any,
  ) {}
}
registerFunctor(TwoThirds, ["a", "c"]);

// Julia: struct NoChild2; x; y; end; @functor NoChild2 ()
class NoChild2 {
  constructor(
    public x: any,
    public y: any,
  ) {}
}
registerFunctor(NoChild2, []);

// Julia: @functor OneChild3 (y,)
class OneChild3 {
  constructor(
    public x: any,
    public y: any,
    public z: any,
  ) {}
}
registerFunctor(OneChild3, ["y"]);

// Julia: @functor WrongOrder (z, x)
class WrongOrder {
  constructor(
    public x: any,
    public y: any,
    public z: any,
  ) {}
}
registerFunctor(WrongOrder, ["z", "x"]);

// Julia @flexiblefunctor: the instance field `p` names the children.
class FOneChild4 {
  constructor(
    public x: any,
    public y: any,
    public z: any,
    public p: readonly string[],
  ) {}
}
registerFunctor(FOneChild4, (inst: FOneChild4) => inst.p);

/** A registered class whose constructor counts its calls: rebuilding must not run it. */
let countedConstructions = 0;
class Counted {
  constructor(
    public x: any,
    public y: any,
  ) {
    countedConstructions += 1;
  }
}
registerFunctor(Counted);

describe("children and functor (examples 1-3)", () => {
  test("example 1: children of a default struct are its fields, as a plain object", () => {
    expect(children(new Foo(1, 2))).toStrictEqual({ x: 1, y: 2 });
  });

  test("example 2: re rebuilds positionally from an array", () => {
    const [ch, re] = functor(new Foo(1, 2));
    expect(ch).toStrictEqual({ x: 1, y: 2 });
    const y = re([10, 20]);
    expect(y).toBeInstanceOf(Foo);
    expect(y).toStrictEqual(new Foo(10, 20));
  });

  test("example 2 (port): re of an object matches by name", () => {
    // Julia's default re is positional even for a NamedTuple: re((y=22, x=11)) gives Foo(22, 11),
    // which its own test calls "is that a bug?". The port matches an object's keys by name.
    const [, re] = functor(new Foo(1, 2));
    expect(re({ y: 22, x: 11 })).toStrictEqual(new Foo(11, 22));
  });

  test("rebuilding keeps the class, leaves the original alone and does not run the constructor", () => {
    const orig = new Counted(1, 2);
    expect(countedConstructions).toBe(1);
    const [, re] = functor(orig);
    const y = re({ x: 10, y: 20 });
    expect(countedConstructions).toBe(1);
    expect(y).toBeInstanceOf(Counted);
    expect(y).not.toBe(orig);
    expect(y).toStrictEqual(new Counted(10, 20));
    expect(orig).toStrictEqual(new Counted(1, 2));
    const m: any = fmap(times(3), orig);
    expect(countedConstructions).toBe(3); // only the two `new Counted` above
    expect(m).toBeInstanceOf(Counted);
    expect([m.x, m.y]).toEqual([3, 6]);
  });

  test("example 3: selected fields; positional re fills them in declaration order", () => {
    const [ch, re] = functor(new TwoThirds(10, 20, 30));
    expect(ch).toStrictEqual({ a: 10, c: 30 });
    const y = re(["ten", "thirty"]);
    expect(y).toBeInstanceOf(TwoThirds);
    expect(y).toStrictEqual(new TwoThirds("ten", 20, "thirty"));
  });

  test("re with an array of the wrong length is an error", () => {
    const [, re] = functor(new TwoThirds(10, 20, 30));
    expect(() => re(["only one"])).toThrow(/TwoThirds.*expected 2 children, got 1/);
  });

  test("functor of containers returns the container itself and an identity rebuild", () => {
    const arr = [1, "a"];
    const [cha, rea] = functor(arr);
    expect(cha).toBe(arr);
    expect(rea([2, "b"])).toEqual([2, "b"]);

    const obj = { a: 1, b: 2 };
    const [cho, reo] = functor(obj);
    expect(cho).toBe(obj);
    expect(reo({ a: 3, b: 4 })).toEqual({ a: 3, b: 4 });

    const map = new Map<string, number>([["k", 1]]);
    const [chm, rem] = functor(map);
    expect(chm).toBe(map);
    const m2 = new Map([["k", 2]]);
    expect(rem(m2)).toBe(m2);
  });

  test("functor of a leaf: no children, and re returns the leaf itself", () => {
    const t = i32(1, 2, 3);
    const [ch, re] = functor(t);
    expect(ch).toEqual([]);
    expect(re(ch)).toBe(t);
    const [ch1, re1] = functor(7);
    expect(ch1).toEqual([]);
    expect(re1([])).toBe(7);
  });
});

describe("example 4: unlisted fields are not mapped", () => {
  test("fmap(x -> 10x, TwoThirds(Foo(1,2), Foo(3,4), 56)) == TwoThirds(Foo(10,20), Foo(3,4), 560)", () => {
    const b = new Foo(3, 4);
    const x = new TwoThirds(new Foo(1, 2), b, 56);
    const y: any = fmap(times(10), x);
    expect(y).toBeInstanceOf(TwoThirds);
    expect(y.a).toBeInstanceOf(Foo);
    expect(y).toStrictEqual(new TwoThirds(new Foo(10, 20), new Foo(3, 4), 560));
    expect(y.b).toBe(b); // field b is copied over untouched, not walked
  });
});

describe("isLeaf (example 5 and the port's leaf rules)", () => {
  test("example 5: the isleaf table", () => {
    expect(isLeaf(1)).toBe(true);
    expect(isLeaf(i32(2, 3, 4))).toBe(true); // Julia [2,3,4]: a numeric array
    expect(isLeaf(["five", i32(6, 7)])).toBe(false); // Julia ["five", [6,7]]: Vector{Any}
    expect(isLeaf([8, 9])).toBe(false); // Julia (8, 9)
    expect(isLeaf([])).toBe(true); // Julia (): the empty tuple is a leaf
    // Julia isleaf([]) (an empty Vector{Any}) is false; the port maps both () and [] to the empty
    // JS array, which is a leaf.
  });

  test("empty plain object and empty Map are containers, not leaves", () => {
    expect(isLeaf({})).toBe(false); // Julia (;)
    expect(isLeaf(new Map())).toBe(false); // Julia Dict()
    expect(children({})).toStrictEqual({});
  });

  test("primitives, null/undefined, functions, typed arrays and unregistered class instances are leaves", () => {
    class Unregistered {
      constructor(public x: number) {}
    }
    for (const v of ["s", true, 1n, Symbol("s"), null, undefined, () => 1, new Float64Array(2), new Unregistered(1), new Date(0)]) {
      expect(isLeaf(v)).toBe(true);
    }
    // Julia 0.5 traverses every struct by default; the port needs registerFunctor for that.
    expect(children(new Unregistered(1))).toEqual([]);
  });

  test("registered containers are not leaves", () => {
    expect(isLeaf(new Foo(1, 2))).toBe(false);
    expect(isLeaf({ a: 1 })).toBe(false);
    expect(isLeaf(new Map([[1, 2]]))).toBe(false);
  });
});

describe("example 6 and empty registrations", () => {
  test("example 6: a class registered with an empty field list has no children but is not a leaf", () => {
    const n = new NoChild2(1, 2);
    expect(isLeaf(n)).toBe(false);
    expect(children(n)).toStrictEqual({}); // Julia (;)
  });

  test("fmap over a no-children functor calls nothing and rebuilds a copy", () => {
    const n = new NoChild2(1, 2);
    let calls = 0;
    const y: any = fmap(() => ++calls, n);
    expect(calls).toBe(0);
    expect(y).toBeInstanceOf(NoChild2);
    expect(y).toStrictEqual(new NoChild2(1, 2));
  });

  test("a class registered without a field list and with no fields at all is a leaf (Julia: a struct with no fields)", () => {
    class Empty {}
    registerFunctor(Empty);
    const e = new Empty();
    expect(isLeaf(e)).toBe(true);
    let seen: unknown;
    fmap((v) => (seen = v), e);
    expect(seen).toBe(e);
  });
});

describe("example 21: property lists", () => {
  test("@functor OneChild3 (y,): fmap(x -> 2x, OneChild3(1,2,3)) has fields (1, 4, 3)", () => {
    const y: any = fmap(times(2), new OneChild3(1, 2, 3));
    expect(y).toBeInstanceOf(OneChild3);
    expect([y.x, y.y, y.z]).toEqual([1, 4, 3]);
  });

  test("@functor WrongOrder (z, x): fmap gives fields (2, 2, 6)", () => {
    const y: any = fmap(times(2), new WrongOrder(1, 2, 3));
    expect(y).toBeInstanceOf(WrongOrder);
    expect([y.x, y.y, y.z]).toEqual([2, 2, 6]);
  });

  test("children are in list order; positional re uses declaration order", () => {
    const [ch, re] = functor(new WrongOrder(1, 2, 3));
    expect(Object.keys(ch)).toEqual(["z", "x"]); // Julia (; z = x.z, x = x.x)
    expect(ch).toEqual({ z: 3, x: 1 });
    // Julia's makefunctor: y[1], y[2] go to the listed fields in declaration order (x, then z).
    expect(re([10, 30])).toStrictEqual(new WrongOrder(10, 2, 30));
    expect(re({ z: 30, x: 10 })).toStrictEqual(new WrongOrder(10, 2, 30));
  });
});

describe("example 33: registerLeaf", () => {
  test("@leaf on a struct that was a functor: no children, and re(ch) === b", () => {
    class A {
      constructor(public x: any) {}
    }
    registerFunctor(A);
    const a = new A(1);
    expect(children(a)).toStrictEqual({ x: 1 });
    registerLeaf(A);
    const [ch, re] = functor(a);
    expect(ch).toEqual([]); // Julia NoChildren() == ()
    expect(re(ch)).toBe(a);
    expect(isLeaf(a)).toBe(true);
  });

  test("registrations are inherited by subclasses; registerLeaf on a subclass overrides its parent", () => {
    class Base2 {
      constructor(public w: any) {}
    }
    class Child2 extends Base2 {}
    class LeafChild extends Base2 {}
    registerFunctor(Base2);
    registerLeaf(LeafChild);
    expect(children(new Child2(5))).toStrictEqual({ w: 5 });
    const y: any = fmap(times(2), new Child2(5));
    expect(y).toBeInstanceOf(Child2);
    expect(y.w).toBe(10);
    const lc = new LeafChild(5);
    expect(isLeaf(lc)).toBe(true);
    expect(fmap((v) => v, lc)).toBe(lc);
  });

  test("registerFunctor and registerLeaf reject bad arguments", () => {
    expect(() => registerFunctor("Foo" as any)).toThrow(TypeError);
    expect(() => registerFunctor(Foo, [1] as any)).toThrow(/fields must be an array of field names or a function/);
    expect(() => registerLeaf(42 as any)).toThrow(TypeError);
  });
});

describe("example 40: types, functions and numbers are leaves", () => {
  class Ref {
    constructor(public x: any) {}
  }
  test("fmap(identity, (1, Int, Ref, Array, 5)) == (1, Int, Ref, Array, 5)", () => {
    // Julia types become JS constructors (functions), which are leaves.
    const x = [1, Number, Ref, Array, 5];
    const y = fmap((v) => v, x);
    expect(y).toEqual(x);
    expect(y).not.toBe(x); // a fresh array
    x.forEach((v, i) => expect(y[i]).toBe(v));
  });

  test("isleaf(1//2), isleaf(\"str\"), isleaf('a'), isleaf(r\"\\d+\")", () => {
    expect(isLeaf(1 / 2)).toBe(true);
    expect(isLeaf("str")).toBe(true);
    expect(isLeaf("a")).toBe(true);
    expect(isLeaf(/\d+/)).toBe(true);
    expect(isLeaf(Number)).toBe(true);
    expect(isLeaf(Array)).toBe(true);
  });
});

describe("example 42: flexible functors (a function field spec)", () => {
  test("fmapStructure(identity, FFoo((0, FBar([1,2,3], (:x,))), [4,5], (:x,))) == (x = (0, (x = [1,2,3],)),)", () => {
    const inner = i32(1, 2, 3);
    const m = new FFoo([0, new FBar(inner, ["x"])], i32(4, 5), ["x"]);
    const y: any = fmapStructure((v) => v, m);
    expect(y).toStrictEqual({ x: [0, { x: i32(1, 2, 3) }] });
    expect(y.x[1].x).toBe(inner);
  });

  test("with p = (:x, :y) both fields are children (Julia 'Flexible Walk')", () => {
    const m = new FFoo([0, new FBar(i32(1, 2, 3), ["x"])], i32(4, 5), ["x", "y"]);
    expect(fmapStructure((v) => v, m)).toStrictEqual({ x: [0, { x: i32(1, 2, 3) }], y: i32(4, 5) });
  });

  test("fmap(x -> 2x, FOneChild4(1,2,3,(:x,:z))) gives fields (2, 2, 6)", () => {
    const y: any = fmap(times(2), new FOneChild4(1, 2, 3, ["x", "z"]));
    expect(y).toBeInstanceOf(FOneChild4);
    expect([y.x, y.y, y.z]).toEqual([2, 2, 6]);
    expect(y.p).toEqual(["x", "z"]);
  });

  test("the field list is read per instance", () => {
    expect(children(new FBar(1, ["x"]))).toStrictEqual({ x: 1 });
    const none = new FBar(1, []);
    expect(children(none)).toStrictEqual({});
    expect(isLeaf(none)).toBe(false);
  });
});

describe("isShared (Julia's usecache table, under the port's rules)", () => {
  class Ref {
    constructor(public x: any) {}
  }
  registerFunctor(Ref);
  class LeafType {
    constructor(public x: any) {}
  }
  class Adjoint {
    constructor(public parent: any) {}
  }
  registerFunctor(Adjoint, ["parent"]);

  test("the usecache table", () => {
    const f64one = Float64Array.of(6.0);
    expect(isShared(i32(1, 2))).toBe(true); // [1,2]
    expect(isShared(4.0)).toBe(false);
    expect(isShared(new LeafType(i32(1, 2)))).toBe(true); // LeafType([1,2])
    // Julia does not cache LeafType((3,4)) (an isbits leaf); the port caches every leaf object.
    expect(isShared(new LeafType([3, 4]))).toBe(true);
    expect(isShared(new Ref(3))).toBe(true); // Ref(3): a registered class instance
    expect(isShared([5, 6.0])).toBe(false); // (5, 6.0)
    expect(isShared({ a: 2 * Math.PI, b: null })).toBe(false); // (a=2pi, b=missing)
    expect(isShared([5, new Adjoint(f64one)])).toBe(false); // (5, [6.0]')
    expect(isShared({ x: i32(1, 2, 3), y: 4 })).toBe(false); // (x=[1,2,3], y=4)
  });

  test("Maps and registered class instances are shared; primitives, functions, [] and plain objects are not", () => {
    expect(isShared(new Map())).toBe(true);
    expect(isShared(new Foo(1, 2))).toBe(true);
    expect(isShared("s")).toBe(false);
    expect(isShared(() => 1)).toBe(false);
    expect(isShared([])).toBe(false);
    expect(isShared({})).toBe(false);
    expect(isShared(null)).toBe(false);
  });
});

// Keep Bar referenced so the fixture's registration is exercised here too.
test("fixtures: Bar is a registered functor", () => {
  expect(children(new Bar(1))).toStrictEqual({ x: 1 });
});
