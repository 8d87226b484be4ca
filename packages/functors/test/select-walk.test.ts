// SelectWalk: walking only the children a selector picks (Optimisers.jl's TrainableStructWalk,
// with `trainable` passed in), over partial other trees; and exclude seeing every tree.
import { describe, expect, test } from "@jest/globals";
import { KeyPath, SelectWalk, SelectWalkWithPath, fmap, fmapStructure, fmapWithPath, registerFunctor, type Key } from "../src/index.js";

class Affine {
  constructor(
    public W: Float32Array,
    public b: Float32Array,
    public scale: Float32Array,
  ) {}
}
registerFunctor(Affine);

// What Optimisers' registerTrainable(Affine, ["W", "b"]) gives it.
const trainableOnly = (node: unknown, key: Key): boolean => !(node instanceof Affine) || key !== "scale";
const twice = (x: unknown): unknown => (x instanceof Float32Array ? x.map((v) => 2 * v) : x);

describe("SelectWalk", () => {
  test("descends only into selected children; the others are kept or become skip(child)", () => {
    const a = new Affine(new Float32Array([1]), new Float32Array([2]), new Float32Array([3]));
    const out = fmap({ walk: new SelectWalk({ select: trainableOnly }) }, twice, { a, n: 4 });
    expect(out.a).toBeInstanceOf(Affine);
    expect(Array.from(out.a.W)).toEqual([2]);
    expect(Array.from(out.a.b)).toEqual([4]);
    expect(out.a.scale).toBe(a.scale);
    const structure = fmapStructure({ walk: new SelectWalk({ select: trainableOnly, skip: () => "skipped", structural: true }) }, (x: Float32Array) => x.length, { a });
    expect(structure).toEqual({ a: { W: 1, b: 1, scale: "skipped" } });
  });

  test("without a selector it walks every child, like DefaultWalk and StructuralWalk", () => {
    const m = { a: [1, 2], b: new Map([["k", 3]]) };
    expect(fmap({ walk: new SelectWalk() }, (x: number) => x + 1, m)).toEqual({ a: [2, 3], b: new Map([["k", 4]]) });
    expect(fmapStructure({ walk: new SelectWalk({ structural: true }) }, (x: number) => x, new Affine(new Float32Array(0), new Float32Array(0), new Float32Array(0)))).toEqual({
      W: new Float32Array(0),
      b: new Float32Array(0),
      scale: new Float32Array(0),
    });
  });

  test("rebuilding keeps a node, and its class, as it is when no child changed", () => {
    const inner = { x: 1, s: "a" };
    const m = { inner, other: { y: 2 } };
    const out = fmap({ walk: new SelectWalk() }, (v: unknown) => (v === 2 ? 20 : v), m);
    expect(out).not.toBe(m);
    expect(out.inner).toBe(inner);
    expect(out.other).toEqual({ y: 20 });
    const a = new Affine(new Float32Array([1]), new Float32Array([2]), new Float32Array([3]));
    expect(fmap({ walk: new SelectWalk({ select: trainableOnly }) }, (x: unknown) => x, a)).toBe(a);
  });

  test("the other trees may be partial: a missing key, null or a leaf gives undefined children", () => {
    const seen: unknown[][] = [];
    const record = (x: unknown, ...ys: unknown[]): unknown => seen.push([x, ...ys]);
    fmap({ walk: new SelectWalk(), cache: null }, record, { a: 1, b: [2, 3], c: { d: 4 } }, { a: 10, b: null }, { a: 100, b: [], c: 7 });
    expect(seen).toEqual([
      [1, 10, 100],
      [2, undefined, undefined],
      [3, undefined, undefined],
      [4, undefined, undefined],
    ]);
  });

  test("an inherited name is not a key of a plain object, but a Map's and a class's fields are read", () => {
    const seen: unknown[] = [];
    const y = new Affine(new Float32Array([5]), new Float32Array([6]), new Float32Array([7]));
    fmap({ walk: new SelectWalk(), cache: null }, (_x: unknown, v: unknown) => seen.push(v), { toString: 1 }, {});
    fmap({ walk: new SelectWalk(), cache: null }, (_x: unknown, v: unknown) => seen.push(v), { W: 2 }, y);
    expect(seen).toEqual([undefined, y.W]);
    seen.length = 0;
    fmap({ walk: new SelectWalk(), cache: null }, (_x: unknown, v: unknown) => seen.push(v), new Map([["k", 1]]), new Map([["k", 2]]));
    expect(seen).toEqual([2]);
  });

  test("with exclude seeing the other trees, a null subtree stops the walk there", () => {
    const visits: string[] = [];
    const out = fmap(
      { walk: new SelectWalk({ structural: true }), exclude: (x: unknown, g: unknown) => g === null || typeof x === "number" },
      (x: unknown, g: unknown) => {
        visits.push(`${String(x)}:${String(g)}`);
        return g === null ? "skipped" : (x as number) + (g as number);
      },
      { a: { b: 1, c: 2 }, d: 3 },
      { a: null, d: 30 },
    );
    expect(out).toEqual({ a: "skipped", d: 33 });
    expect(visits).toEqual(["[object Object]:null", "3:30"]);
  });

  test("SelectWalkWithPath passes each child's KeyPath, only for selected children", () => {
    const a = new Affine(new Float32Array([1]), new Float32Array([2]), new Float32Array([3]));
    const paths: string[] = [];
    fmapWithPath({ walk: new SelectWalkWithPath({ select: trainableOnly, structural: true }) }, (kp: KeyPath) => paths.push(kp.toString({ compact: true })), {
      layers: [a],
    });
    expect(paths).toEqual(["layers.0.W", "layers.0.b"]);
  });

  test("the cache still shares a node reached twice", () => {
    const w = new Float32Array([1]);
    const out = fmap({ walk: new SelectWalk() }, twice, { p: w, q: [w] });
    expect(out.p).toBe(out.q[0]);
  });
});
