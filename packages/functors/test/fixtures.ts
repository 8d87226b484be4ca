// Shared test fixtures: the Julia test structs `Foo` and `Bar`, and small numeric helpers that
// play Julia's broadcasting on numeric arrays (which the port represents as typed arrays).
import { expect } from "@jest/globals";
import { registerFunctor } from "../src/index.js";

/** Julia `struct Foo; x; y; end` (a functor with all fields as children). */
export class Foo {
  constructor(
    public x: any,
    public y: any,
  ) {}
}
registerFunctor(Foo);

/** Julia `struct Bar; x; end`. */
export class Bar {
  constructor(public x: any) {}
}
registerFunctor(Bar);

export const i32 = (...v: number[]): Int32Array => Int32Array.from(v);
export const f64 = (...v: number[]): Float64Array => Float64Array.from(v);

export function isTyped(x: unknown): x is Int32Array | Float64Array {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}

/** Elementwise over a typed array (same array type), or plain on a number. */
function lift(x: any, fn: (v: number) => number): any {
  if (isTyped(x)) return (x as Int32Array).map(fn);
  if (typeof x === "number") return fn(x);
  throw new TypeError(`test helper: expected a number or a typed array, got ${String(x)}`);
}

/** Julia `x -> k * x` (broadcast on arrays). */
export const times = (k: number) => (x: any) => lift(x, (v) => k * v);

/** Julia `x -> x^2` / `x .^ 2`. */
export const square = (x: any): any => lift(x, (v) => v * v);

/** Julia `float`: an integer array becomes a new Float64Array; numbers are already floats. */
export const float = (x: any): any => (isTyped(x) ? Float64Array.from(x) : x);

/** Julia `+` (or `.+`) of several numbers or several equal-length typed arrays. */
export function plus(x: any, ...ys: any[]): any {
  if (isTyped(x)) return (x as Int32Array).map((v, i) => ys.reduce((s, y) => s + y[i], v));
  return ys.reduce((s, y) => s + y, x);
}

/** Julia `.*` of several numbers or typed arrays. */
export function mul(x: any, ...ys: any[]): any {
  if (isTyped(x)) return (x as Int32Array).map((v, i) => ys.reduce((s, y) => s * y[i], v));
  return ys.reduce((s, y) => s * y, x);
}

/** Julia's `string(x)` for the values the tests use: `[1, 2, 3]`, `Foo(6, 7)`, `Bar([1, 2, 3])`. */
export function show(x: any): string {
  if (isTyped(x)) return `[${Array.from(x as Int32Array).join(", ")}]`;
  if (x instanceof Foo) return `Foo(${show(x.x)}, ${show(x.y)})`;
  if (x instanceof Bar) return `Bar(${show(x.x)})`;
  return String(x);
}

/** Records the values `f` is called with, like Julia's `fmap(println, …)`; returns `undefined` (Julia `nothing`). */
export function recorder(): { seen: unknown[]; f: (x: unknown) => undefined } {
  const seen: unknown[] = [];
  return { seen, f: (x) => void seen.push(x) };
}

/** Element-wise identity (`toBe`, i.e. Object.is) of two arrays, for `fcollect`/`fleaves` results. */
export function expectSameElements(got: readonly unknown[], want: readonly unknown[]): void {
  expect(got).toHaveLength(want.length);
  want.forEach((w, i) => expect(got[i]).toBe(w));
}

// Julia's @flexiblefunctor test structs: the instance field `p` lists the children.
export class FFoo {
  constructor(
    public x: any,
    public y: any,
    public p: readonly string[],
  ) {}
}
registerFunctor(FFoo, (inst: FFoo) => inst.p);
export class FBar {
  constructor(
    public x: any,
    public p: readonly string[],
  ) {}
}
registerFunctor(FBar, (inst: FBar) => inst.p);
