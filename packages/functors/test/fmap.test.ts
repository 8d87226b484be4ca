// fmap, fmapStructure, multi-tree fmap, walks, fmapWithPath / fmapStructureWithPath.
// Examples are numbered in the order of the Functors.jl 0.5 docs and tests. Julia numeric arrays are typed
// arrays here (leaves, shared by identity); Julia tuples and Vector{Any} are plain arrays;
// NamedTuples are plain objects; Dicts are Maps; `nothing` is `undefined`.
import { describe, expect, test } from "@jest/globals";
import {
  CachedWalk,
  DefaultWalk,
  DefaultWalkWithPath,
  ExcludeWalk,
  ExcludeWalkWithKeyPath,
  IterateWalk,
  KeyPath,
  NO_PRUNE,
  StructuralWalk,
  StructuralWalkWithPath,
  execute,
  fmap,
  fmapStructure,
  fmapStructureWithPath,
  fmapWithPath,
  isLeaf,
  registerFunctor,
  type Walk,
} from "../src/index.js";
import { Bar, Foo, f64, float, i32, isTyped, mul, plus, recorder, show, square, times } from "./fixtures.js";

/** Julia `Ref` (a mutable container with one field `x`). */
class Ref {
  constructor(public x: any) {}
}
registerFunctor(Ref, ["x"]);

/** Julia's lazy `adjoint(v)` / `transpose(v)` wrappers: one child, `parent`. */
class Adjoint {
  constructor(public parent: any) {}
}
registerFunctor(Adjoint, ["parent"]);
class Transpose {
  constructor(public parent: any) {}
}
registerFunctor(Transpose, ["parent"]);

const identity = <T>(x: T): T => x;

describe("fmap basics (examples 7-11)", () => {
  test("example 7: fmap(string, (x=1, y=(2, 3))) == (x = \"1\", y = (\"2\", \"3\"))", () => {
    expect(fmap(String, { x: 1, y: [2, 3] })).toStrictEqual({ x: "1", y: ["2", "3"] });
  });

  // nt = (a=[1,2], b=[23, (45,), (x=6//7, y=())], c=[8,9])
  const makeNt = () => ({ a: i32(1, 2), b: [23, [45], { x: 6 / 7, y: [] }], c: i32(8, 9) });

  test("example 8: visit order and result shape; () is a leaf and gets f", () => {
    const nt = makeNt();
    const { seen, f } = recorder();
    const y = fmap(f, nt);
    expect(seen).toHaveLength(6);
    expect(seen[0]).toBe(nt.a);
    expect(seen.slice(1, 4)).toEqual([23, 45, 6 / 7]);
    expect(seen[4]).toEqual([]);
    expect(seen[4]).toBe((nt.b[2] as any).y);
    expect(seen[5]).toBe(nt.c);
    expect(y).toStrictEqual({ a: undefined, b: [undefined, [undefined], { x: undefined, y: undefined }], c: undefined });
  });

  test("example 9: exclude stops the recursion", () => {
    const nt = makeNt();
    const { seen, f } = recorder();
    // Julia `x -> x isa Array` matches the numeric arrays and the Vector{Any} `b`.
    const y = fmap({ exclude: (x) => Array.isArray(x) || isTyped(x) }, f, nt);
    expect(seen).toHaveLength(3);
    expect(seen[0]).toBe(nt.a);
    expect(seen[1]).toBe(nt.b);
    expect(seen[2]).toBe(nt.c);
    expect(y).toStrictEqual({ a: undefined, b: undefined, c: undefined });
  });

  test("example 10: a shared array is visited once, a repeated number every time", () => {
    const twice = i32(1, 2);
    const iii = i32(5, 6);
    const { seen, f } = recorder();
    const y = fmap(f, { i: twice, ii: 34, iii, iv: [twice, 34], v: 34.0 });
    expect(seen).toHaveLength(5);
    expect(seen[0]).toBe(twice);
    expect(seen[1]).toBe(34);
    expect(seen[2]).toBe(iii);
    expect(seen[3]).toBe(34);
    expect(seen[4]).toBe(34.0);
    expect(y).toStrictEqual({ i: undefined, ii: undefined, iii: undefined, iv: [undefined, undefined], v: undefined });
  });

  test("example 11: prune replaces later occurrences of a shared node", () => {
    const twice = i32(1, 2);
    // Julia prune = missing; the port uses null for it.
    const y: any = fmap({ prune: null }, float, { x: twice, y: i32(1, 2), z: twice });
    expect(y).toStrictEqual({ x: f64(1, 2), y: f64(1, 2), z: null });
  });
});

describe("Dicts as Maps (examples 12, 32)", () => {
  test("example 12: fmap(+, d1, d2) ignores the extra key of d2", () => {
    const d1 = new Map<string, any>([
      ["x", i32(1, 2)],
      ["y", 3],
    ]);
    const d2 = new Map<string, any>([
      ["x", i32(4, 5)],
      ["y", 6],
      ["z", "an_extra_value"],
    ]);
    const y = fmap(plus, d1, d2);
    expect(y).toBeInstanceOf(Map);
    expect(y).toEqual(
      new Map<string, any>([
        ["x", i32(5, 7)],
        ["y", 9],
      ]),
    );
  });

  test("example 32: nested Dicts", () => {
    const d = new Map<string, any>([
      ["a", 1],
      [
        "b",
        new Map([
          ["a", 5],
          ["b", 6],
          ["c", 7],
        ]),
      ],
    ]);
    const y = fmap((x: number) => x + 1, d);
    expect(y).toEqual(
      new Map<string, any>([
        ["a", 2],
        [
          "b",
          new Map([
            ["a", 6],
            ["b", 7],
            ["c", 8],
          ]),
        ],
      ]),
    );
    expect(y.get("b")).not.toBe(d.get("b"));
  });

  test("example 32: a Dict paired with a NamedTuple", () => {
    const m1 = new Map<string, any>([
      ["x", i32(1, 2)],
      ["y", 3],
    ]);
    const y = fmap(plus, m1, { x: i32(4, 5), y: 6 });
    expect(y).toEqual(
      new Map<string, any>([
        ["x", i32(5, 7)],
        ["y", 9],
      ]),
    );
  });

  test("example 32: nested extra keys in the second tree are ignored", () => {
    const m1 = new Map<string, any>([
      ["x", i32(1, 2)],
      [
        "y",
        new Map([
          ["a", 3],
          ["b", 4],
        ]),
      ],
    ]);
    const n1 = new Map<string, any>([
      ["x", i32(4, 5)],
      [
        "y",
        new Map([
          ["a", 0.5],
          ["b", 0.25],
          ["c", 5],
        ]),
      ],
      ["z", new Map([["a", 5]])],
    ]);
    // Julia uses 0.1 and 0.2 (giving 3.1, 4.2); 0.5 and 0.25 keep the sums exact here.
    expect(fmap(plus, m1, n1)).toEqual(
      new Map<string, any>([
        ["x", i32(5, 7)],
        [
          "y",
          new Map([
            ["a", 3.5],
            ["b", 4.25],
          ]),
        ],
      ]),
    );
  });

  test("Maps keep insertion order and any key type", () => {
    const k = { id: 1 };
    const d = new Map<any, number>([
      [2, 20],
      [k, 30],
      ["a", 10],
    ]);
    const y = fmap(times(2), d);
    expect([...y.keys()]).toEqual([2, k, "a"]);
    expect(y.get(k)).toBe(60);
  });
});

describe("types are preserved (examples 13, 14)", () => {
  // m = Foo(Bar([1,2,3]), (4, 5, Bar(Foo(6, 7))))
  const makeM = () => new Foo(new Bar(i32(1, 2, 3)), [4, 5, new Bar(new Foo(6, 7))]);

  test("example 13: fmap(x -> 10x, m)", () => {
    const y: any = fmap(times(10), makeM());
    expect(y).toBeInstanceOf(Foo);
    expect(y.x).toBeInstanceOf(Bar);
    expect(y.y[2]).toBeInstanceOf(Bar);
    expect(y.y[2].x).toBeInstanceOf(Foo);
    expect(y).toStrictEqual(new Foo(new Bar(i32(10, 20, 30)), [40, 50, new Bar(new Foo(60, 70))]));
  });

  test("example 13: fmap(string, m)", () => {
    // `show` plays Julia's `string`, so a numeric array prints as "[1, 2, 3]".
    const y = fmap(show, makeM());
    expect(y).toStrictEqual(new Foo(new Bar("[1, 2, 3]"), ["4", "5", new Bar(new Foo("6", "7"))]));
  });

  test("example 13: fmap(string, m, exclude = v -> v isa Bar)", () => {
    const y = fmap({ exclude: (v) => v instanceof Bar }, show, makeM());
    expect(y).toStrictEqual(new Foo("Bar([1, 2, 3])", [4, 5, "Bar(Foo(6, 7))"]));
  });

  test("example 14: a custom walk; leaves still get f", () => {
    const myWalk: Walk = {
      walk: (recurse, x) => (x instanceof Bar ? "hello" : new DefaultWalk().walk(recurse, x)),
    };
    const y = fmap({ walk: myWalk }, times(10), makeM());
    expect(y).toStrictEqual(new Foo("hello", [40, 50, "hello"]));
  });
});

describe("sharing and the cache (examples 15-19)", () => {
  // shared = [1,2,3]; m1 = Foo(shared, Foo([1,2,3], Foo(shared, [1,2,3])))
  const shared = i32(1, 2, 3);
  const m1 = new Foo(shared, new Foo(i32(1, 2, 3), new Foo(shared, i32(1, 2, 3))));

  test("example 15: fmap keeps the tie, and creates none between equal but distinct arrays", () => {
    const m1f: any = fmap(float, m1);
    expect(m1f).toStrictEqual(new Foo(f64(1, 2, 3), new Foo(f64(1, 2, 3), new Foo(f64(1, 2, 3), f64(1, 2, 3)))));
    expect(m1f.x).toBe(m1f.y.y.x);
    expect(m1f.x).not.toBe(m1f.y.x);
  });

  test("example 15: cache: null breaks the tie", () => {
    const m1no: any = fmap({ cache: null }, float, m1);
    expect(m1no.x).toEqual(m1no.y.y.x);
    expect(m1no.x).not.toBe(m1no.y.y.x);
  });

  test("a caller-supplied cache Map is filled and reused", () => {
    const cache = new Map<unknown, unknown>();
    const a: any = fmap({ cache }, float, m1);
    expect(cache.get(shared)).toBe(a.x);
    expect(cache.get(m1)).toBe(a);
    // A second run with the same cache returns the cached results.
    const b = fmap({ cache }, float, m1);
    expect(b).toBe(a);
  });

  test("example 16: fmapStructure with prune = nothing", () => {
    const m1p: any = fmapStructure({ prune: undefined }, identity, m1);
    expect(m1p).toStrictEqual({ x: i32(1, 2, 3), y: { x: i32(1, 2, 3), y: { x: undefined, y: i32(1, 2, 3) } } });
    expect("x" in m1p.y.y).toBe(true);
    expect(m1p.x).toBe(shared);
  });

  test("example 17: a class instance reached twice is itself shared (port semantics)", () => {
    // Julia: m2 = Foo(Foo(shared, 4), Foo(shared, 4)) has m2.x === m2.y because immutable structs
    // compare by value; Julia never caches immutable structs, so it re-walks the inner Foo and
    // prunes only the array: (x = (x = [1,2,3], y = 4), y = (x = Bar(0), y = 4)).
    // The port caches registered class instances by identity, so the second, identical inner Foo
    // is itself pruned, and fmap returns one shared result for it.
    const inner = new Foo(shared, 4);
    const m2 = new Foo(inner, inner);
    const m2f: any = fmap(float, m2);
    expect(m2f.x).toBe(m2f.y);
    expect(m2f.x.x).toBe(m2f.y.x);
    expect(m2f.x.x).toEqual(f64(1, 2, 3));
    const m2p: any = fmapStructure({ prune: new Bar(0) }, identity, m2);
    expect(m2p).toStrictEqual({ x: { x: i32(1, 2, 3), y: 4 }, y: new Bar(0) });
  });

  test("example 17: two distinct but equal inner objects are walked separately (Julia's result)", () => {
    const m2 = new Foo(new Foo(shared, 4), new Foo(shared, 4));
    const m2f: any = fmap(float, m2);
    expect(m2f.x).not.toBe(m2f.y);
    expect(m2f.x.x).toBe(m2f.y.x);
    const m2p: any = fmapStructure({ prune: new Bar(0) }, identity, m2);
    expect(m2p).toStrictEqual({ x: { x: i32(1, 2, 3), y: 4 }, y: { x: new Bar(0), y: 4 } });
  });

  test("example 18: values that are not shared are never pruned", () => {
    // Julia's range 1:3 is isbits and never cached; a plain array plays that part here (plain
    // arrays are never cached, even when the same object appears twice).
    const r = [1, 2, 3];
    const m3 = new Foo(new Foo(shared, r), new Foo(r, shared));
    const m3p: any = fmapStructure({ prune: 0 }, identity, m3);
    expect(m3p.y.y).toBe(0);
    expect(m3p.y.x).toEqual([1, 2, 3]);
    expect(m3p.x.y).toEqual([1, 2, 3]);
  });

  test("example 19: a shared mutable container keeps its tie", () => {
    const ref = new Ref(1);
    const m5 = { x: ref, y: ref, z: new Ref(1) };
    const m5f: any = fmap((x: number) => x / 2, m5);
    expect(m5f.x).toBe(m5f.y);
    expect(m5f.x).not.toBe(m5f.z);
    expect(m5f.x).toBeInstanceOf(Ref);
    expect(m5f.x.x).toBe(0.5);
    expect(m5f.z).toStrictEqual(new Ref(0.5));
  });

  test("a Map reached twice is mapped once and the tie is kept (Julia caches a mutable Dict)", () => {
    const m = new Map([["a", 1]]);
    let calls = 0;
    const y: any = fmap(
      (v: number) => {
        calls += 1;
        return v * 2;
      },
      { p: m, q: [m] },
    );
    expect(calls).toBe(1);
    expect(y.p).toBe(y.q[0]);
    expect(y.p).not.toBe(m);
    expect(y.p).toEqual(new Map([["a", 2]]));
  });

  test("plain arrays and objects are not deduplicated, even when the same object appears twice", () => {
    const arr = [1, 2];
    const obj = { a: 1 };
    const calls: unknown[] = [];
    const y: any = fmap(
      (v: number) => {
        calls.push(v);
        return v * 10;
      },
      { p: arr, q: arr, r: obj, s: obj },
    );
    expect(calls).toEqual([1, 2, 1, 2, 1, 1]);
    expect(y).toEqual({ p: [10, 20], q: [10, 20], r: { a: 10 }, s: { a: 10 } });
    expect(y.p).not.toBe(y.q);
    expect(y.r).not.toBe(y.s);
  });
});

describe("exclude on the element type (example 20)", () => {
  const f = (x: any) => (Array.isArray(x) ? x : "z");
  test("fmap(f, ['a','b','c']) == ['z','z','z']: a Vector{Char} is a container", () => {
    // Julia ['a','b','c'] is a Vector{Char}, not a numeric array, so not a leaf: a plain array here.
    expect(fmap(f, ["a", "b", "c"])).toEqual(["z", "z", "z"]);
  });
  test("with exclude = x -> x isa AbstractArray, the result is unchanged", () => {
    const x = ["a", "b", "c"];
    expect(fmap({ exclude: (v) => Array.isArray(v) }, f, x)).toBe(x);
    const x2 = [
      ["a", "b", "c"],
      ["d", "e", "f"],
    ];
    expect(fmap(f, x2)).toEqual([
      ["z", "z", "z"],
      ["z", "z", "z"],
    ]);
    expect(fmap({ exclude: (v) => Array.isArray(v) }, f, x2)).toBe(x2);
  });
});

describe("fmapStructure (examples 22, 23)", () => {
  test("example 22: fmapStructure(identity, Foo((0, Bar([1,2,3])), [4,5]))", () => {
    const y = fmapStructure(identity, new Foo([0, new Bar(i32(1, 2, 3))], i32(4, 5)));
    expect(y).toStrictEqual({ x: [0, { x: i32(1, 2, 3) }], y: i32(4, 5) });
  });

  // m = Foo([1,2,3], [4, (5, 6), Foo(7, 8)])
  const makeM = () => new Foo(i32(1, 2, 3), [4, [5, 6], new Foo(7, 8)]);

  test("example 23: fmapStructure(x -> 2x, m)", () => {
    expect(fmapStructure(times(2), makeM())).toStrictEqual({ x: i32(2, 4, 6), y: [8, [10, 12], { x: 14, y: 16 }] });
  });

  test("example 23: fmapStructure(println, m) visits in order", () => {
    const m = makeM();
    const { seen, f } = recorder();
    const y = fmapStructure(f, m);
    expect(seen[0]).toBe(m.x);
    expect(seen.slice(1)).toEqual([4, 5, 6, 7, 8]);
    expect(y).toStrictEqual({ x: undefined, y: [undefined, [undefined, undefined], { x: undefined, y: undefined }] });
  });

  test("fmapStructure keeps Maps as Maps", () => {
    const y = fmapStructure(times(2), { m: new Map([["a", new Bar(1)]]) });
    expect(y).toStrictEqual({ m: new Map([["a", { x: 2 }]]) });
  });
});

describe("multi-tree fmap (examples 30, 31)", () => {
  const m1 = { x: i32(1, 2), y: 3 };
  const n1 = { x: i32(4, 5), y: 6 };
  const foo1 = new Foo(i32(7, 8), 9);

  test("example 30: fmap(+, m1, n1) == (x = [5, 7], y = 9)", () => {
    expect(fmap(plus, m1, n1)).toStrictEqual({ x: i32(5, 7), y: 9 });
  });

  test("example 30: the reconstruction type comes from the first tree", () => {
    const a = fmap(plus, m1, foo1);
    expect(a).toStrictEqual({ x: i32(8, 10), y: 12 });
    const b: any = fmap(plus, foo1, n1);
    expect(b).toBeInstanceOf(Foo);
    expect(b.x).toEqual(i32(11, 13));
    expect(b.y).toBe(15);
    expect(fmap(plus, foo1, m1, n1)).toBeInstanceOf(Foo);
  });

  test("example 30: fmap(.*, m1, foo1, n1) == (x = [28, 80], y = 162)", () => {
    expect(fmap(mul, m1, foo1, n1)).toStrictEqual({ x: i32(4 * 7, 2 * 5 * 8), y: 3 * 6 * 9 });
  });

  test("example 30: extra fields of the second tree are ignored", () => {
    expect(fmap(plus, { a: 1 }, { a: 2, b: 3 })).toStrictEqual({ a: 3 });
    expect(fmap(plus, [1, 2], [10, 20, 30])).toStrictEqual([11, 22]);
  });

  test("example 31: the cache is keyed on the first tree", () => {
    const shared = i32(1, 2, 3);
    const m3 = { x: shared, y: i32(4, 5, 6), z: shared };
    const n3 = { x: shared, y: shared, z: i32(7, 8, 9) };
    const z3: any = fmap(plus, m3, n3);
    // z is not shared + [7,8,9]: the second visit of `shared` reuses the first result.
    expect(z3).toStrictEqual({ x: i32(2, 4, 6), y: i32(5, 7, 9), z: i32(2, 4, 6) });
    expect(z3.x).toBe(z3.z);

    // prune = nothing
    expect(fmap({ prune: undefined }, plus, m3, n3)).toStrictEqual({ x: i32(2, 4, 6), y: i32(5, 7, 9), z: undefined });

    const z4: any = fmap(plus, m3, n3, m3, n3);
    expect(z4).toStrictEqual(fmap(times(2), z3));
    expect(z4).toStrictEqual({ x: i32(4, 8, 12), y: i32(10, 14, 18), z: i32(4, 8, 12) });
    expect(z4.x).toBe(z4.z);
  });

  describe("errors", () => {
    const first = (x: any) => x;

    test("a structurally mismatched tree throws a clear error", () => {
      // m2 = (x = [1,2], y = (a = [3,4], b = 5)); n2 = (x = [6,7], y = 8)
      const m2 = { x: i32(1, 2), y: { a: i32(3, 4), b: 5 } };
      const n2 = { x: i32(6, 7), y: 8 };
      expect(() => fmap(first, m2, n2)).toThrow(/structure mismatch: the first tree has a plain object where argument 2 has the number 8/);
    });

    test("a mismatch in the third tree names argument 3", () => {
      expect(() => fmap(plus, { a: { b: 1 } }, { a: { b: 2 } }, { a: null })).toThrow(/argument 3 has null/);
    });

    test("a shorter array in the second tree throws", () => {
      expect(() => fmap(plus, [1, 2, 3], [1, 2])).toThrow(/argument 2 must be an array of length at least 3.*got an array of length 2/);
    });

    test("an object where an array is expected throws", () => {
      expect(() => fmap(plus, [1, 2], { 0: 1, 1: 2 })).toThrow(/argument 2 must be an array of length at least 2.*got a plain object/);
    });

    test("a missing key in a plain object throws, naming the key", () => {
      expect(() => fmap(plus, { a: 1, b: 2 }, { a: 1 })).toThrow(/argument 2 has no key b/);
    });

    test("a key the second plain object only inherits (like toString) counts as missing", () => {
      expect(() => fmap(plus, { toString: 1 }, {})).toThrow(/argument 2 has no key toString/);
    });

    test("a missing key in a Map throws, naming the key", () => {
      const x = new Map([
        ["a", 1],
        ["b", 2],
      ]);
      expect(() => fmap(plus, x, new Map([["a", 1]]))).toThrow(/argument 2 has no key b/);
    });

    test("a missing field for a class in the first tree throws", () => {
      expect(() => fmap(plus, new Foo(1, 2), { x: 1 })).toThrow(/argument 2 has no key y/);
    });

    test("bad call shapes throw a TypeError", () => {
      expect(() => (fmap as any)(1, 2)).toThrow(TypeError);
      expect(() => (fmap as any)({}, 2, 3)).toThrow(TypeError);
    });
  });
});

describe("Base-type wrappers (examples 38, 39)", () => {
  test("example 38: tied transpose", () => {
    let count = 0;
    const fv = (x: any) => {
      count += 1;
      return times(10)(x);
    };
    const v = i32(1, 2, 3);
    // (a=v, b=v', c=transpose(v), d=[1,2,3]')
    const nt: any = fmap(fv, { a: v, b: new Adjoint(v), c: new Transpose(v), d: new Adjoint(i32(1, 2, 3)) });
    expect(count).toBe(2);
    expect(nt.a).toBe(nt.b.parent); // does not break the tie
    expect(nt.a).toBe(nt.c.parent);
    expect(nt.a).toEqual(nt.d.parent); // does not create a new tie
    expect(nt.a).not.toBe(nt.d.parent);
    expect(nt.a).toEqual(i32(10, 20, 30));
    expect(nt.b).toBeInstanceOf(Adjoint);
    expect(nt.c).toBeInstanceOf(Transpose);
  });

  test("example 38: fmapStructure(identity, [1,2,3]') == (parent = [1, 2, 3],)", () => {
    expect(fmapStructure(identity, new Adjoint(i32(1, 2, 3)))).toStrictEqual({ parent: i32(1, 2, 3) });
    expect(fmapStructure(identity, new Transpose(i32(1, 2, 3)))).toStrictEqual({ parent: i32(1, 2, 3) });
  });

  test("example 39: fmap(sqrt, Ref(16))[] == 4.0, and fmapStructure gives (x = 4.0,)", () => {
    const r: any = fmap(Math.sqrt, new Ref(16));
    expect(r).toBeInstanceOf(Ref);
    expect(r.x).toBe(4);
    expect(fmapStructure(Math.sqrt, new Ref(16))).toStrictEqual({ x: 4 });
  });

  test("example 39: Ref ties are kept and none are created", () => {
    // x2 = (a = x, b = [7, x, nothing], c = (7, nothing, Ref(13)))
    const x = new Ref(13);
    const x2 = { a: x, b: [7, x, undefined], c: [7, undefined, new Ref(13)] };
    const y2: any = fmap(identity, x2);
    expect(y2.a).not.toBe(x2.a); // a new Ref
    expect(y2.a).toBe(y2.b[1]); // the relation is maintained
    expect(y2.a).not.toBe(y2.c[2]); // no new relation created
    expect(y2).toEqual(x2);
  });
});

describe("IterateWalk (example 41)", () => {
  // x = ([1,2,3], 4, (5, 6, [7,8]))
  const x = [i32(1, 2, 3), 4, [5, 6, i32(7, 8)]];
  const makeIterator = (v: any): Iterable<number> => (isTyped(v) ? square(v) : [v * v]);

  test("fmap(make_iterator, x; walk = IterateWalk(), cache = nothing) flattens lazily", () => {
    const iter = fmap({ walk: new IterateWalk(), cache: null }, makeIterator, x);
    expect(typeof iter[Symbol.iterator]).toBe("function");
    expect([...iter]).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((v) => v ** 2));
  });

  test("iterating two trees together", () => {
    const y = [i32(8, 7, 6), 5, [4, 3, i32(2, 1)]];
    const zipped = (a: any, b: any): Iterable<[number, number]> => {
      const p = [...makeIterator(a)];
      const q = [...makeIterator(b)];
      return p.map((v, i) => [v, q[i]!] as [number, number]);
    };
    const iter = fmap({ walk: new IterateWalk(), cache: null }, zipped, x, y);
    const sq = (v: number) => v ** 2;
    const want = [1, 2, 3, 4, 5, 6, 7, 8].map((v, i) => [sq(v), sq(8 - i)]);
    expect([...iter]).toEqual(want);
  });
});

describe("execute with walk objects", () => {
  test("execute ties the recursive knot for a custom walk object", () => {
    // A walk that doubles numbers at leaves and otherwise walks structurally.
    const w: Walk = {
      walk: (recurse, x) => (isLeaf(x) ? (typeof x === "number" ? 2 * x : x) : new StructuralWalk().walk(recurse, x)),
    };
    expect(execute(w, new Foo(1, [2, { a: 3 }]))).toStrictEqual({ x: 2, y: [4, { a: 6 }] });
  });
});

describe("path walks used directly", () => {
  test("execute(walk, kp, x) with DefaultWalkWithPath and ExcludeWalkWithKeyPath", () => {
    const w = new ExcludeWalkWithKeyPath(
      new DefaultWalkWithPath(),
      (kp: KeyPath) => kp.toString({ compact: true }),
      (_kp: KeyPath, x: unknown) => isLeaf(x),
    );
    expect(execute(w, new KeyPath(), { a: [1, 2], b: new Bar(3) })).toStrictEqual({ a: ["a.0", "a.1"], b: new Bar("b.x") });
    // A non-empty starting path prefixes every path.
    expect(execute(w, new KeyPath("root"), [5])).toStrictEqual(["root.0"]);
  });

  test("StructuralWalkWithPath returns plain containers", () => {
    const w = new ExcludeWalkWithKeyPath(
      new StructuralWalkWithPath(),
      (kp: KeyPath) => kp.toString(),
      (_kp: KeyPath, x: unknown) => isLeaf(x),
    );
    expect(execute(w, new KeyPath(), new Foo(1, [2]))).toStrictEqual({ x: 'KeyPath("x")', y: ['KeyPath("y", 0)'] });
  });
});

describe("CachedWalk used directly", () => {
  const inner = () => new ExcludeWalk(new DefaultWalk(), float, isLeaf);

  test("without a prune value, a shared node's later visits return its first result", () => {
    const shared = i32(1, 2);
    const y: any = execute(new CachedWalk(inner()), { a: shared, b: shared });
    expect(y.a).toBe(y.b);
    expect(y.a).toEqual(f64(1, 2));
  });

  test("an explicit undefined prune (Julia prune = nothing) is kept, not taken for 'no prune'", () => {
    const shared = i32(1, 2);
    const y: any = execute(new CachedWalk(inner(), undefined), { a: shared, b: shared });
    expect(y).toStrictEqual({ a: f64(1, 2), b: undefined });
    const z: any = execute(new CachedWalk(inner(), NO_PRUNE), { a: shared, b: shared });
    expect(z.a).toBe(z.b);
  });

  test("the cache Map given to the walk is the one used", () => {
    const shared = i32(1, 2);
    const cache = new Map<unknown, unknown>();
    const y: any = execute(new CachedWalk(inner(), NO_PRUNE, cache), { a: shared });
    expect(cache.get(shared)).toBe(y.a);
  });
});

describe("fmapWithPath / fmapStructureWithPath (examples 34, 35)", () => {
  // m = Bar(Foo(Dict("a"=>1, "b"=>(b1=2, b2=20)), [3, 4, (5, 6)]))
  const makeM = () =>
    new Bar(
      new Foo(
        new Map<string, any>([
          ["a", 1],
          ["b", { b1: 2, b2: 20 }],
        ]),
        [3, 4, [5, 6]],
      ),
    );

  test("example 34: fmapWithPath((kp, x) -> x^2, m)", () => {
    const y: any = fmapWithPath((_kp, x: number) => x ** 2, makeM());
    const want = new Bar(
      new Foo(
        new Map<string, any>([
          ["a", 1],
          ["b", { b1: 4, b2: 400 }],
        ]),
        [9, 16, [25, 36]],
      ),
    );
    expect(y).toStrictEqual(want);
    expect(y.x).toBeInstanceOf(Foo);
  });

  test("example 34: the key paths passed to f", () => {
    const paths: string[] = [];
    fmapWithPath((kp, x) => {
      paths.push(kp.toString());
      return x;
    }, makeM());
    // Julia's paths, with 0-based array indices.
    expect(paths).toEqual([
      new KeyPath("x", "x", "a"),
      new KeyPath("x", "x", "b", "b1"),
      new KeyPath("x", "x", "b", "b2"),
      new KeyPath("x", "y", 0),
      new KeyPath("x", "y", 1),
      new KeyPath("x", "y", 2, 0),
      new KeyPath("x", "y", 2, 1),
    ].map(String));
  });

  // exclude = (kp, x) -> kp ∈ (KeyPath(:x,:x,"b"), KeyPath(:x,:y,3)) || isleaf(x)
  const excluded = [new KeyPath("x", "x", "b"), new KeyPath("x", "y", 2)]; // Julia index 3 -> 2
  const exclude = (kp: KeyPath, x: unknown) => excluded.some((e) => e.equals(kp)) || isLeaf(x);
  const f = (_kp: KeyPath, x: unknown) => (typeof x === "number" ? x ** 2 : undefined);

  test("example 34: with exclude by key path", () => {
    const y = fmapWithPath({ exclude }, f, makeM());
    expect(y).toStrictEqual(
      new Bar(
        new Foo(
          new Map<string, any>([
            ["a", 1],
            ["b", undefined],
          ]),
          [9, 16, undefined],
        ),
      ),
    );
  });

  test("example 34: fmapStructureWithPath gives the same as nested plain objects", () => {
    const y = fmapStructureWithPath({ exclude }, f, makeM());
    expect(y).toStrictEqual({
      x: {
        x: new Map<string, any>([
          ["a", 1],
          ["b", undefined],
        ]),
        y: [9, 16, undefined],
      },
    });
  });

  test("example 35: the fmap_with_path docstring", () => {
    // x = ([1,2,3], 4, (a=5, b=Dict("A"=>6,"B"=>7), c=Dict("C"=>8,"D"=>9)))
    const x = [
      i32(1, 2, 3),
      4,
      {
        a: 5,
        b: new Map([
          ["A", 6],
          ["B", 7],
        ]),
        c: new Map([
          ["C", 8],
          ["D", 9],
        ]),
      },
    ];
    const exclude35 = (kp: KeyPath, v: unknown) => kp.equals(new KeyPath(2, "c")) || isLeaf(v); // Julia KeyPath(3, :c)
    const y = fmapWithPath({ exclude: exclude35 }, (_kp, v: any) => (v instanceof Map ? undefined : square(v)), x);
    expect(y).toStrictEqual([
      i32(1, 4, 9),
      16,
      {
        a: 25,
        b: new Map([
          ["A", 36],
          ["B", 49],
        ]),
        c: undefined,
      },
    ]);
  });

  test("fmapWithPath with several trees passes the other trees' nodes", () => {
    const got: [string, number, number][] = [];
    const y = fmapWithPath(
      (kp, a: number, b: number) => {
        got.push([kp.toString({ compact: true }), a, b]);
        return a + b;
      },
      { p: [1, 2], q: 3 },
      { p: [10, 20], q: 30 },
    );
    expect(y).toStrictEqual({ p: [11, 22], q: 33 });
    expect(got).toEqual([
      ["p.0", 1, 10],
      ["p.1", 2, 20],
      ["q", 3, 30],
    ]);
  });

  test("fmapWithPath caches shared nodes (keyed on the node, not the path) and honours prune", () => {
    const shared = i32(1, 2);
    const seen: string[] = [];
    const y: any = fmapWithPath(
      { prune: "pruned" },
      (kp, v) => {
        seen.push(kp.toString());
        return float(v);
      },
      { a: shared, b: [shared] },
    );
    expect(seen).toEqual([new KeyPath("a").toString()]);
    expect(y).toStrictEqual({ a: f64(1, 2), b: ["pruned"] });
    const z: any = fmapWithPath((_kp, v) => float(v), { a: shared, b: [shared] });
    expect(z.a).toBe(z.b[0]);
  });
});
