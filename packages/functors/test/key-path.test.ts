// KeyPath, getKeyPath, hasKeyPath, setKeyPath (examples 36-37, from the Functors.jl 0.5 docs and
// Functors.jl test/keypath.jl). Array indices are 0-based here (Julia's are 1-based); Julia
// Symbols become strings.
import { describe, expect, test } from "@jest/globals";
import { KeyPath, getKeyPath, hasKeyPath, setKeyPath } from "../src/index.js";
import { i32 } from "./fixtures.js";

/** Julia `struct Tkp; a; b; c; end` with an extra computed property `ab` (its getproperty overload). */
class Tkp {
  constructor(
    public a: any,
    public b: any,
    public c: any,
  ) {}
  get ab(): string {
    return "ab";
  }
}

describe("KeyPath construction (example 36)", () => {
  test("KeyPath(:a, 3, :b, 4): length, indexing, iteration", () => {
    const kp = new KeyPath("a", 3, "b", 4);
    expect([...kp]).toEqual(["a", 3, "b", 4]);
    expect(kp.keys).toEqual(["a", 3, "b", 4]);
    expect(kp.length).toBe(4);
    // Julia kp[1] .. kp[4]; `at` is 0-based.
    expect(kp.at(0)).toBe("a");
    expect(kp.at(1)).toBe(3);
    expect(kp.at(2)).toBe("b");
    expect(kp.at(3)).toBe(4);
    expect(kp.last()).toBe(4);
    expect(kp.tail().keys).toEqual([3, "b", 4]);
    expect(kp.slice(1, 3).keys).toEqual([3, "b"]);
    expect(kp.slice(1, 3)).toBeInstanceOf(KeyPath);
  });

  test("nested KeyPaths are spliced", () => {
    const kp = new KeyPath("a", 3, "b", 4);
    const kp2 = new KeyPath("a", kp, "c", 5);
    expect(kp2.keys).toEqual(["a", "a", 3, "b", 4, "c", 5]);
    const kp3 = new KeyPath(kp, kp2);
    expect(kp3.keys).toEqual(["a", 3, "b", 4, "a", "a", 3, "b", 4, "c", 5]);
  });

  test("the empty KeyPath", () => {
    const kp0 = new KeyPath();
    expect(kp0.keys).toEqual([]);
    expect(kp0.isEmpty()).toBe(true);
    expect(kp0.length).toBe(0);
    expect(new KeyPath("a").isEmpty()).toBe(false);
  });

  test("toString: KeyPath(:a, KeyPath(:b, 3), :c, 4) prints KeyPath(:a, :b, 3, :c, 4)", () => {
    // Julia prints Symbols as :a; the port's string keys print quoted.
    expect(new KeyPath("a", new KeyPath("b", 3), "c", 4).toString()).toBe('KeyPath("a", "b", 3, "c", 4)');
    expect(new KeyPath("a", 3).toString()).toBe('KeyPath("a", 3)');
    expect(String(new KeyPath("a", 3))).toBe('KeyPath("a", 3)');
    // Julia prints KeyPath(:a,) for one key (a 1-tuple); the port has no trailing comma.
    expect(new KeyPath("a").toString()).toBe('KeyPath("a")');
    expect(new KeyPath().toString()).toBe("KeyPath()");
    // Julia KeyPath(:b, 1, "c"); strings quoted.
    expect(new KeyPath("b", 0, "c").toString()).toBe('KeyPath("b", 0, "c")');
  });

  test("toString({ compact: true }) joins the keys with dots", () => {
    expect(new KeyPath("a", 3, "b").toString({ compact: true })).toBe("a.3.b");
    expect(new KeyPath().toString({ compact: true })).toBe("");
  });

  test("equality compares the keys", () => {
    expect(new KeyPath("a", 1).equals(new KeyPath("a", 1))).toBe(true);
    expect(new KeyPath("a", 1).equals(new KeyPath("a", new KeyPath(1)))).toBe(true);
    expect(new KeyPath("a", 1).equals(new KeyPath("a", "1"))).toBe(false);
    expect(new KeyPath("a", 1).equals(new KeyPath("a"))).toBe(false);
    expect(new KeyPath("a").equals(new KeyPath("a", 1))).toBe(false);
    expect(new KeyPath().equals(new KeyPath())).toBe(true);
  });

  test("push returns a new, longer path and leaves the original alone", () => {
    const kp = new KeyPath("a");
    const kp2 = kp.push(0);
    expect(kp2.keys).toEqual(["a", 0]);
    expect(kp.keys).toEqual(["a"]);
  });
});

describe("getKeyPath (example 37)", () => {
  // x = Dict(:a => 3, :b => Dict(:c => 4, "d" => [5, 6, 7]))
  const makeX = () =>
    new Map<string, any>([
      ["a", 3],
      [
        "b",
        new Map<string, any>([
          ["c", 4],
          ["d", i32(5, 6, 7)],
        ]),
      ],
    ]);

  test("through Maps and into a numeric array", () => {
    const x = makeX();
    expect(getKeyPath(x, new KeyPath("a"))).toBe(3);
    expect(getKeyPath(x, new KeyPath("b", "c"))).toBe(4);
    expect(getKeyPath(x, new KeyPath("b", "d", 1))).toBe(6); // Julia KeyPath(:b, "d", 2)
  });

  test("the empty path gives the root", () => {
    const x = makeX();
    expect(getKeyPath(x, new KeyPath())).toBe(x);
  });

  test("through class instances and plain arrays: Tkp(3, Tkp(4, 5, (6, 7)), 8)", () => {
    const x = new Tkp(3, new Tkp(4, 5, [6, 7]), 8);
    expect(getKeyPath(x, new KeyPath("b", "c", 1))).toBe(7); // Julia KeyPath(:b, :c, 2)
  });

  test("access through a computed property (Julia's getproperty overload)", () => {
    const x = new Tkp(
      3,
      new Map([
        ["c", 4],
        ["d", 5],
      ]),
      6,
    );
    expect(getKeyPath(x, new KeyPath("ab"))).toBe("ab");
    expect(getKeyPath(x, new KeyPath("b", "c"))).toBe(4);
  });

  test("Map keys of any type", () => {
    const k = { id: 1 };
    const x = new Map<any, any>([
      [k, "obj"],
      [2, "two"],
      ["2", "string two"],
    ]);
    expect(getKeyPath(x, new KeyPath(k))).toBe("obj");
    expect(getKeyPath(x, new KeyPath(2))).toBe("two");
    expect(getKeyPath(x, new KeyPath("2"))).toBe("string two");
  });

  test("a missing key is an error naming the key and where it was missing", () => {
    const x = makeX();
    expect(() => getKeyPath(x, new KeyPath("b", "e"))).toThrow(/no key "e" at KeyPath\("b"\) of KeyPath\("b", "e"\)/);
    expect(() => getKeyPath(x, new KeyPath("z"))).toThrow(/no key "z" at KeyPath\(\)/);
  });

  test("an out-of-range or non-integer array index is an error", () => {
    const x = { v: [10, 20] };
    expect(() => getKeyPath(x, new KeyPath("v", 2))).toThrow(/no key 2 at KeyPath\("v"\)/);
    expect(() => getKeyPath(x, new KeyPath("v", -1))).toThrow(/no key -1/);
    expect(() => getKeyPath(x, new KeyPath("v", 0.5))).toThrow(/no key 0.5/);
    expect(() => getKeyPath(x, new KeyPath("v", "0"))).toThrow(/no key "0"/);
  });

  test("stepping into a leaf is an error", () => {
    expect(() => getKeyPath({ a: 1 }, new KeyPath("a", "b"))).toThrow(/no key "b" at KeyPath\("a"\)/);
    expect(() => getKeyPath({ a: null }, new KeyPath("a", 0))).toThrow(/no key 0/);
  });
});

describe("hasKeyPath", () => {
  const makeX = () =>
    new Map<string, any>([
      ["a", 3],
      [
        "b",
        new Map<string, any>([
          ["c", 4],
          ["d", i32(5, 6, 7)],
        ]),
      ],
    ]);

  test("example 37 and Julia's haskeypath tests", () => {
    const x = makeX();
    expect(hasKeyPath(x, new KeyPath("a"))).toBe(true);
    expect(hasKeyPath(x, new KeyPath("b", "c"))).toBe(true);
    expect(hasKeyPath(x, new KeyPath("b", "d", 1))).toBe(true); // Julia 2
    expect(hasKeyPath(x, new KeyPath("b", "d", 3))).toBe(false); // Julia 4: out of range
    expect(hasKeyPath(x, new KeyPath("b", "e"))).toBe(false);
    expect(hasKeyPath(x, new KeyPath())).toBe(true);
  });

  test("out-of-range, negative and non-integer indices on plain arrays", () => {
    const x = [[1, 2, 3]];
    expect(hasKeyPath(x, new KeyPath(0, 2))).toBe(true);
    expect(hasKeyPath(x, new KeyPath(0, 3))).toBe(false);
    expect(hasKeyPath(x, new KeyPath(1))).toBe(false);
    expect(hasKeyPath(x, new KeyPath(-1))).toBe(false);
    expect(hasKeyPath(x, new KeyPath(0.5))).toBe(false);
    expect(hasKeyPath(x, new KeyPath("length"))).toBe(false);
  });

  test("class instances, including a computed property", () => {
    const x = new Tkp(
      3,
      new Map([
        ["c", 4],
        ["d", 5],
      ]),
      6,
    );
    expect(hasKeyPath(x, new KeyPath("ab"))).toBe(true);
    expect(hasKeyPath(x, new KeyPath("b", "c"))).toBe(true);
    expect(hasKeyPath(x, new KeyPath("b", "e"))).toBe(false);
    expect(hasKeyPath(x, new KeyPath("zz"))).toBe(false);
  });

  test("a plain object's keys are its own fields only (Julia: a NamedTuple's propertynames)", () => {
    const x = { a: 1, b: { c: 2 } };
    expect(hasKeyPath(x, new KeyPath("b", "c"))).toBe(true);
    expect(hasKeyPath(x, new KeyPath("toString"))).toBe(false);
    expect(hasKeyPath(x, new KeyPath("b", "constructor"))).toBe(false);
    expect(() => getKeyPath(x, new KeyPath("hasOwnProperty"))).toThrow(/no key "hasOwnProperty"/);
  });

  test("nothing is below a leaf", () => {
    expect(hasKeyPath(5, new KeyPath(0))).toBe(false);
    expect(hasKeyPath({ a: null }, new KeyPath("a", "b"))).toBe(false);
    expect(hasKeyPath({ a: undefined }, new KeyPath("a"))).toBe(true);
  });
});

describe("setKeyPath (example 37)", () => {
  test("on Maps and into a numeric array", () => {
    const x = new Map<string, any>([
      ["a", 3],
      [
        "b",
        new Map<string, any>([
          ["c", 4],
          ["d", i32(5, 6, 7)],
        ]),
      ],
    ]);
    setKeyPath(x, new KeyPath("a"), 4);
    expect(x.get("a")).toBe(4);
    setKeyPath(x, new KeyPath("b", "d", 0), 17); // Julia KeyPath(:b, "d", 1)
    expect(x.get("b").get("d")[0]).toBe(17);
    expect(x.get("b").get("d")).toEqual(i32(17, 6, 7));
    const zero = i32(0);
    setKeyPath(x, new KeyPath("b", "d"), zero);
    expect(x.get("b").get("d")).toBe(zero);
  });

  test("a new Map key is added", () => {
    const x = new Map<string, number>([["a", 1]]);
    setKeyPath(x, new KeyPath("b"), 2);
    expect(x).toEqual(
      new Map([
        ["a", 1],
        ["b", 2],
      ]),
    );
  });

  test("on class instances and plain arrays: Tkp(3, Tkp(4, 5, [6, 7]), 8)", () => {
    const x = new Tkp(3, new Tkp(4, 5, [6, 7]), 8);
    setKeyPath(x, new KeyPath("b", "c", 1), 17); // Julia KeyPath(:b, :c, 2)
    expect(x.b.c[1]).toBe(17);
    expect(x.b.c).toEqual([6, 17]);
    setKeyPath(x, new KeyPath("a"), "A");
    expect(x.a).toBe("A");
  });

  test("on plain objects", () => {
    const x = { p: { q: 1 } };
    setKeyPath(x, new KeyPath("p", "q"), 2);
    expect(x).toEqual({ p: { q: 2 } });
  });

  test("an empty path is an error", () => {
    expect(() => setKeyPath({ a: 1 }, new KeyPath(), 1)).toThrow(/empty KeyPath/);
  });

  test("an out-of-range array index is an error, and the array is unchanged", () => {
    const x = [1, 2];
    expect(() => setKeyPath(x, new KeyPath(2), 3)).toThrow(/index 2 is out of bounds for an array of length 2/);
    expect(() => setKeyPath(x, new KeyPath(-1), 3)).toThrow(/out of bounds/);
    expect(x).toEqual([1, 2]);
  });

  test("a missing parent is an error", () => {
    expect(() => setKeyPath({ a: 1 }, new KeyPath("b", "c"), 1)).toThrow(/no key "b"/);
  });

  test("setting below a leaf or on a frozen node is an error", () => {
    expect(() => setKeyPath({ a: 1 }, new KeyPath("a", "b"), 2)).toThrow(/cannot set key "b" on the number 1/);
    const frozen = Object.freeze({ q: 1 });
    expect(() => setKeyPath({ p: frozen }, new KeyPath("p", "q"), 2)).toThrow(/frozen/);
  });
});
