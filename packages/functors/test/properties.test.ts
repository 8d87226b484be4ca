// Property tests (fast-check) for fmap, fleaves, fcollect and fmapWithPath on random trees of plain
// arrays, plain objects, Maps, registered class instances (Foo), primitives and typed arrays.
// The reference functions below are written independently of the implementation.
import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { KeyPath, fcollect, fleaves, fmap, fmapWithPath, getKeyPath, registerFunctor } from "../src/index.js";
import { Foo, expectSameElements, isTyped } from "./fixtures.js";

/** A registered class with one child field, used as a shared container node. */
class Param {
  constructor(public w: any) {}
}
registerFunctor(Param);

const KEYS = ["a", "b", "c", "d", "e"] as const;
const HOLE = Symbol("hole");
const HOLE2 = Symbol("hole2");

const primitive = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 4 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.constant(Math.sqrt),
);
const typed = fc.oneof(fc.float64Array({ maxLength: 3 }), fc.int32Array({ maxLength: 3 }));

/** Random trees whose leaves come from `leaf`. Empty arrays are leaves too (Julia's `()`). */
function trees(leaf: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const { tree } = fc.letrec<{ tree: unknown; arr: unknown[]; obj: Record<string, unknown>; map: Map<unknown, unknown>; cls: Foo }>((tie) => ({
    tree: fc.oneof({ maxDepth: 4, depthSize: "small" }, leaf, tie("arr"), tie("obj"), tie("map"), tie("cls")),
    arr: fc.array(tie("tree"), { maxLength: 4 }),
    obj: fc.dictionary(fc.constantFrom(...KEYS), tie("tree"), { maxKeys: 4, noNullPrototype: true }),
    map: fc
      .uniqueArray(fc.tuple(fc.oneof(fc.constantFrom(...KEYS), fc.integer({ min: 0, max: 9 })), tie("tree")), {
        selector: (e) => e[0],
        maxLength: 4,
      })
      .map((entries) => new Map(entries)),
    cls: fc.tuple(tie("tree"), tie("tree")).map(([x, y]) => new Foo(x, y)),
  }));
  return tree;
}

// ---- an independent reference model of the tree semantics ----

type Step = string | number;

function isPlain(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype;
}

/** [key, child] pairs of a container, or null for a leaf. */
function refEntries(x: unknown): [Step, unknown][] | null {
  if (Array.isArray(x)) return x.length === 0 ? null : x.map((c, i) => [i, c]);
  if (x instanceof Map) return [...x.entries()];
  if (x instanceof Foo) return [["x", x.x], ["y", x.y]];
  if (x instanceof Param) return [["w", x.w]];
  if (isPlain(x)) return Object.entries(x);
  return null;
}

/** Nodes the port visits once however often they are reached: any object but plain arrays/objects. */
function refShared(x: unknown): boolean {
  return x !== null && typeof x === "object" && !Array.isArray(x) && !isPlain(x);
}

function refLeaves(x: unknown): unknown[] {
  const e = refEntries(x);
  return e === null ? [x] : e.flatMap(([, c]) => refLeaves(c));
}

function refCollect(x: unknown, seen = new Set<unknown>(), out: unknown[] = []): unknown[] {
  if (refShared(x)) {
    if (seen.has(x)) return out;
    seen.add(x);
  }
  out.push(x);
  for (const [, c] of refEntries(x) ?? []) refCollect(c, seen, out);
  return out;
}

function getAt(x: unknown, path: readonly Step[]): unknown {
  return path.reduce<unknown>((node, k) => {
    if (node instanceof Map) return node.get(k);
    return (node as Record<Step, unknown>)[k];
  }, x);
}

/**
 * A copy of `x` with every marker replaced by its value from `subst`; records the path of every
 * replaced marker. Containers are rebuilt, so the copy shares nothing with `x` but the markers' values.
 */
function fill(x: unknown, subst: Map<symbol, unknown>, paths: Map<symbol, Step[][]>, path: Step[] = []): unknown {
  if (typeof x === "symbol" && subst.has(x)) {
    paths.get(x)!.push(path);
    return subst.get(x);
  }
  if (Array.isArray(x)) return x.map((c, i) => fill(c, subst, paths, [...path, i]));
  if (x instanceof Map) return new Map([...x].map(([k, c]) => [k, fill(c, subst, paths, [...path, k])]));
  if (x instanceof Foo) return new Foo(fill(x.x, subst, paths, [...path, "x"]), fill(x.y, subst, paths, [...path, "y"]));
  if (isPlain(x)) return Object.fromEntries(Object.entries(x).map(([k, c]) => [k, fill(c, subst, paths, [...path, k])]));
  return x;
}

/** Checks that `y` (the result of fmap(x => x, t)) has fresh containers and the very same leaves. */
function expectFreshCopy(t: unknown, y: unknown): void {
  const e = refEntries(t);
  if (e === null) {
    expect(y).toBe(t);
    return;
  }
  expect(y).not.toBe(t);
  const ye = refEntries(y);
  expect(ye).not.toBeNull();
  expect(ye!.map(([k]) => k)).toEqual(e.map(([k]) => k));
  e.forEach(([, c], i) => expectFreshCopy(c, ye![i]![1]));
}

// ---- properties ----

describe("(a) fmap(x => x, tree)", () => {
  const tree = trees(fc.oneof(primitive, typed));

  test("deep-equals the tree, keeping Maps, classes and typed arrays", () => {
    fc.assert(
      fc.property(tree, (t) => {
        expect(fmap((x: unknown) => x, t)).toStrictEqual(t);
      }),
    );
  });

  test("is a fresh structure: new containers, the same leaf objects", () => {
    fc.assert(
      fc.property(tree, (t) => {
        expectFreshCopy(t, fmap((x: unknown) => x, t));
      }),
    );
  });

  test("with cache: null it is still a fresh deep-equal copy", () => {
    fc.assert(
      fc.property(tree, (t) => {
        const y = fmap({ cache: null }, (x: unknown) => x, t);
        expect(y).toStrictEqual(t);
        expectFreshCopy(t, y);
      }),
    );
  });
});

describe("(b) ties are preserved", () => {
  const withHoles = trees(fc.oneof({ weight: 1, arbitrary: primitive }, { weight: 1, arbitrary: typed }, { weight: 1, arbitrary: fc.constant(HOLE) }));
  const cases = fc.record({ t: withHoles, kind: fc.constantFrom("typed", "class"), values: fc.float64Array({ minLength: 1, maxLength: 3 }) });

  /** A copying f that counts its calls per input object. */
  function copying() {
    const calls = new Map<unknown, number>();
    const f = (x: unknown) => {
      calls.set(x, (calls.get(x) ?? 0) + 1);
      return isTyped(x) ? x.slice() : x;
    };
    return { calls, f };
  }

  test("a node inserted at several places maps to one new object, computed once", () => {
    fc.assert(
      fc.property(cases, ({ t, kind, values }) => {
        const shared = kind === "typed" ? values : new Param(values);
        const paths = new Map<symbol, Step[][]>([[HOLE, []]]);
        const tree = fill(t, new Map([[HOLE, shared]]), paths);
        const places = paths.get(HOLE)!;
        fc.pre(places.length >= 2);

        const { calls, f } = copying();
        const y = fmap(f, tree);
        const first = getAt(y, places[0]!);
        for (const p of places) expect(getAt(y, p)).toBe(first);
        expect(first).not.toBe(shared);
        expect(first).toStrictEqual(shared);
        expect(calls.get(values)).toBe(1);
        if (kind === "class") {
          expect(first).toBeInstanceOf(Param);
          expect((first as Param).w).not.toBe(values);
        }
      }),
    );
  });

  test("with cache: null the tie is broken: one new object per place", () => {
    fc.assert(
      fc.property(cases, ({ t, kind, values }) => {
        const shared = kind === "typed" ? values : new Param(values);
        const paths = new Map<symbol, Step[][]>([[HOLE, []]]);
        const tree = fill(t, new Map([[HOLE, shared]]), paths);
        const places = paths.get(HOLE)!;
        fc.pre(places.length >= 2);

        const { calls, f } = copying();
        const y = fmap({ cache: null }, f, tree);
        const got = places.map((p) => getAt(y, p));
        expect(new Set(got).size).toBe(places.length);
        for (const g of got) expect(g).toStrictEqual(shared);
        expect(calls.get(values)).toBe(places.length);
      }),
    );
  });
});

describe("(c) fleaves and fcollect against a reference DFS", () => {
  const withHoles = trees(
    fc.oneof(
      { weight: 2, arbitrary: primitive },
      { weight: 1, arbitrary: typed },
      { weight: 1, arbitrary: fc.constant(HOLE) },
      { weight: 1, arbitrary: fc.constant(HOLE2) },
    ),
  );
  // HOLE becomes one shared typed array, HOLE2 one shared Param holding another typed array.
  const sharedTrees = withHoles.map((t) => {
    const subst = new Map<symbol, unknown>([
      [HOLE, Float64Array.of(1, 2)],
      [HOLE2, new Param(Int32Array.of(3))],
    ]);
    return fill(
      t,
      subst,
      new Map([
        [HOLE, []],
        [HOLE2, []],
      ]),
    );
  });

  test("fleaves(tree) is the depth-first list of leaves, repeats included", () => {
    fc.assert(
      fc.property(sharedTrees, (t) => {
        expectSameElements(fleaves(t), refLeaves(t));
      }),
    );
  });

  test("fcollect(tree) is depth-first pre-order, with shared nodes once", () => {
    fc.assert(
      fc.property(sharedTrees, (t) => {
        expectSameElements(fcollect(t), refCollect(t));
      }),
    );
  });
});

describe("(d) fmapWithPath's key paths", () => {
  const withHoles = trees(fc.oneof({ weight: 3, arbitrary: fc.oneof(primitive, typed) }, { weight: 1, arbitrary: fc.constant(HOLE) }));
  const sharedTrees = withHoles.map((t) => fill(t, new Map([[HOLE, Int32Array.of(7)]]), new Map([[HOLE, []]])));

  test("getKeyPath(tree, kp) is the leaf f was given, for every visited leaf", () => {
    fc.assert(
      fc.property(sharedTrees, (t) => {
        const visits: [KeyPath, unknown][] = [];
        fmapWithPath((kp, x) => {
          visits.push([kp, x]);
          return x;
        }, t);
        for (const [kp, leaf] of visits) expect(getKeyPath(t, kp)).toBe(leaf);
      }),
    );
  });

  test("without a cache, the visited leaves are exactly fleaves(tree), in order", () => {
    fc.assert(
      fc.property(sharedTrees, (t) => {
        const visited: unknown[] = [];
        fmapWithPath(
          { cache: null },
          (kp, x) => {
            expect(getKeyPath(t, kp)).toBe(x);
            visited.push(x);
            return x;
          },
          t,
        );
        expectSameElements(visited, refLeaves(t));
      }),
    );
  });
});
