// The shared harness of the rule tests: each rule against a small float64 reference written from
// each rule's update formula as Optimisers.jl writes it in its `apply!` (plain numbers, not calling the rules),
// plus its constructors, printing, adjust, memory and state handling.
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import type { Leaf } from "../src/leaf.js";
import type { Rule } from "../src/rule.js";
import { setup } from "../src/setup.js";
import { update, updateInPlace } from "../src/update.js";


// ---------------------------------------------------------------------------------------------
// Helpers

export type Vec = number[];

/** Elementwise |a − e| <= atol + rtol·|e| (NaN fails), naming the first bad index. */
export function expectClose(actual: tf.Tensor | ArrayLike<number> | number, expected: ArrayLike<number> | number, rtol = 1e-5, atol = 1e-7, what = ""): void {
  const a = actual instanceof tf.Tensor ? Array.from(actual.dataSync()) : typeof actual === "number" ? [actual] : Array.from(actual);
  const e = typeof expected === "number" ? [expected] : Array.from(expected);
  expect(a.length).toBe(e.length);
  a.forEach((v, i) => {
    if (!(Math.abs(v - e[i]!) <= atol + rtol * Math.abs(e[i]!))) {
      throw new Error(`${what} index ${i}: got ${v}, expected ${e[i]} (rtol ${rtol}, atol ${atol})\n  actual:   [${a}]\n  expected: [${e}]`);
    }
  });
}

/**
 * Compares a rule's state with the reference state of the same (Julia) shape: a tensor against a
 * number array, a tuple element by element, a number (βt, a step counter) closely, and
 * `null`/`false` exactly.
 */
export function expectStateClose(actual: unknown, expected: unknown, what = "state"): void {
  if (actual instanceof tf.Tensor) {
    expectClose(actual, expected as Vec, 1e-5, 1e-7, what);
  } else if (Array.isArray(actual)) {
    expect(Array.isArray(expected)).toBe(true);
    expect(actual.length).toBe((expected as unknown[]).length);
    actual.forEach((a, i) => expectStateClose(a, (expected as unknown[])[i], `${what}[${i}]`));
  } else if (typeof actual === "number") {
    expectClose(actual, expected as number, 1e-12, 0, what);
  } else {
    expect(actual).toBe(expected);
  }
}

export function tensorsIn(x: unknown, out: Set<tf.Tensor> = new Set()): Set<tf.Tensor> {
  if (x instanceof tf.Tensor) out.add(x);
  else if (Array.isArray(x)) x.forEach((e) => tensorsIn(e, out));
  return out;
}

/** Disposes the tensors of `old` not held by `keep`. */
export function disposeExcept(old: unknown, keep: unknown): void {
  const held = tensorsIn(keep);
  for (const t of tensorsIn(old)) if (!held.has(t)) t.dispose();
}

export const zeros = (x: Vec): Vec => x.map(() => 0);
export const sign = (v: number): number => (v > 0 ? 1 : v < 0 ? -1 : 0);

// Eight gradients over four elements: sign flips, exact zeros, an always-zero element.
export const X0: Vec = [1, -2, 0.5, 3];
export const GRADS: Vec[] = [
  [0.5, -1, 0, 2],
  [-0.3, -1, 0, 1],
  [0, 0.7, 0, -2],
  [0.4, 0, 0, 0.5],
  [-0.2, -0.6, 0, 0],
  [0.1, 0.3, 0, -1],
  [0.25, 0.3, 0, -0.5],
  [-0.6, 0.1, 0, 1.5],
];

// ---------------------------------------------------------------------------------------------
// Float64 references, one per rule, from the pseudocode (state shapes as Julia's init).

export type Fields = Record<string, any>;
export interface Ref {
  init(x: Vec): unknown;
  apply(state: any, x: Vec, dx: Vec): [unknown, Vec];
}

export const adamMoments = (b1: number, b2: number, m: Vec, v: Vec, dx: Vec): [Vec, Vec] => [
  m.map((mi, i) => b1 * mi + (1 - b1) * dx[i]!),
  v.map((vi, i) => b2 * vi + (1 - b2) * dx[i]! ** 2),
];



/** Runs a reference over GRADS from X0: the parameters and state after each step. */
export function runRef(ref: Ref, steps = GRADS.length): { xs: Vec[]; states: unknown[]; steps: Vec[] } {
  let x = [...X0];
  let st = ref.init(x);
  const out = { xs: [] as Vec[], states: [] as unknown[], steps: [] as Vec[] };
  for (const dx of GRADS.slice(0, steps)) {
    const [st2, d] = ref.apply(st, x, dx);
    x = x.map((xi, i) => xi - d[i]!);
    st = st2;
    out.xs.push(x);
    out.states.push(st);
    out.steps.push(d);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The rules under test: Julia's fields in positional order with defaults, the printed default,
// and named configurations for the numerical runs (the defaults, then non-default values).

export interface Spec {
  cls: new (...args: any[]) => Rule;
  fields: [string, unknown][];
  show: string;
  configs: Fields[];
  /** Non-default values, in positional order, for the two-constructor test. */
  custom: unknown[];
}

export const adamLike = (name: string, beta = [0.9, 0.999], eps = "1.0e-8"): Pick<Spec, "show" | "configs" | "custom"> => ({
  show: `${name}(0.001, (${beta.join(", ")}), ${eps})`,
  configs: [{}, { eta: 0.1, beta: [0.8, 0.9], epsilon: 1e-3 }],
  custom: [0.01, [0.8, 0.99], 1e-6],
});

export const fullFields = (spec: Spec, config: Fields): Fields => ({ ...Object.fromEntries(spec.fields), ...config });
export const fieldsOf = (rule: Rule): Fields => Object.fromEntries(rule.fieldNames().map((k) => [k, (rule as unknown as Fields)[k]]));

/** The spec tests for every rule in `specs`, each against its float64 reference in `refs`. */
export function describeRuleSpecs(SPECS: Record<string, Spec>, refs: Record<string, (f: Fields) => Ref>): void {
  describe.each(Object.entries(SPECS))("%s", (name, spec) => {
    const ref = refs[name]!;

    test.each(spec.configs.map((c) => [JSON.stringify(c), c] as const))(
      "init/apply matches the float64 reference for 8 steps, config %s",
      (_label, config) => {
        const rule = new spec.cls(config);
        const expected = runRef(ref(fullFields(spec, config)));
        const before = tf.memory().numTensors;
        let x: tf.Tensor = tf.tensor1d(X0);
        let st = rule.init(x);
        expectStateClose(st, ref(fullFields(spec, config)).init(X0), "init");
        GRADS.forEach((g, k) => {
          const dx = tf.tensor1d(g);
          const [st2, d] = tf.tidy(() => rule.apply(st, x, dx) as tf.TensorContainer) as unknown as [unknown, tf.Tensor];
          expectClose(d, expected.steps[k]!, 1e-5, 1e-9, `${name} step ${k + 1} dx'`);
          const x2 = tf.sub(x, d);
          disposeExcept(st, st2);
          if (!tensorsIn(st2).has(d)) d.dispose();
          x.dispose();
          dx.dispose();
          x = x2;
          st = st2;
          expectClose(x, expected.xs[k]!, 1e-5, 1e-7, `${name} step ${k + 1} x`);
          expectStateClose(st, expected.states[k], `${name} step ${k + 1} state`);
        });
        x.dispose();
        tf.dispose([...tensorsIn(st)]);
        expect(tf.memory().numTensors).toBe(before);
      },
    );

    test("setup + updateInPlace on a tf.Variable matches the reference, and update leaves its inputs alone", () => {
      const config = spec.configs[spec.configs.length - 1]!;
      const rule = new spec.cls(config);
      const expected = runRef(ref(fullFields(spec, config)));
      const w = tf.variable(tf.tensor1d(X0));
      const model = { w };
      const tree = setup(rule, model) as { w: Leaf };
      for (const g of GRADS.slice(0, 5)) {
        const dx = tf.tensor1d(g);
        const [t2, m2] = updateInPlace(tree, model, { w: dx });
        expect(t2).toBe(tree);
        expect(m2.w).toBe(w);
        dx.dispose();
      }
      expectClose(w, expected.xs[4]!);
      expectStateClose(tree.w.state, expected.states[4]);
      expect(tree.w.step).toBe(5);

      // The functional form: a new tree and new parameter; the old ones are unchanged.
      const dx = tf.tensor1d(GRADS[5]!);
      const [t3, m3] = update(tree, model, { w: dx }) as unknown as [{ w: Leaf }, { w: tf.Tensor }];
      expect(m3.w).not.toBe(w);
      expectClose(m3.w, expected.xs[5]!);
      expectStateClose(t3.w.state, expected.states[5]);
      expectClose(w, expected.xs[4]!);
      expectStateClose(tree.w.state, expected.states[4]);

      tf.dispose([dx, m3.w, w, ...tensorsIn(tree.w.state), ...tensorsIn(t3.w.state)]);
    });

    test("no tensors leak: setup + 3 updateInPlace steps on Variables, then disposing the state", () => {
      const model = { w: tf.variable(tf.tensor2d([[1, -2], [0.5, 3]])), b: tf.variable(tf.tensor1d([0.1, -0.1])) };
      const grads = { w: tf.tensor2d([[0.5, -1], [0, 2]]), b: tf.tensor1d([0.3, 0]) };
      const before = tf.memory().numTensors;
      assertNoLeaks(() => {
        const tree = setup(new spec.cls(spec.configs[spec.configs.length - 1]!), model) as { w: Leaf; b: Leaf };
        for (let i = 0; i < 3; i++) updateInPlace(tree, model, grads);
        tf.dispose([...tensorsIn(tree.w.state), ...tensorsIn(tree.b.state)]);
      }, 0);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([model.w, model.b, grads.w, grads.b]);
    });

    test("defaults are Julia's, in Julia's positional order", () => {
      const rule = new spec.cls();
      expect(rule.fieldNames()).toEqual(spec.fields.map(([k]) => k));
      expect(fieldsOf(rule)).toEqual(Object.fromEntries(spec.fields));
      expect(rule.ruleName).toBe(name);
    });

    test("positional and named constructors agree", () => {
      const named = Object.fromEntries(spec.fields.map(([k], i) => [k, spec.custom[i]]));
      const a = new spec.cls(...spec.custom);
      const b = new spec.cls(named);
      expect(fieldsOf(a)).toEqual(named);
      expect(fieldsOf(b)).toEqual(named);
      // A shorter positional list fills up with the defaults, like the named form.
      const c = new spec.cls(spec.custom[0]);
      const d = new spec.cls({ [spec.fields[0]![0]]: spec.custom[0] });
      expect(fieldsOf(c)).toEqual(fieldsOf(d));
      expect(fieldsOf(c)).toEqual({ ...Object.fromEntries(spec.fields), [spec.fields[0]![0]]: spec.custom[0] });
    });

    test("toString prints Julia's positional form", () => {
      expect(new spec.cls().toString()).toBe(spec.show);
      expect(String(new spec.cls())).toBe(spec.show);
    });

    test("a negative learning rate and an unknown field are rejected", () => {
      expect(() => new spec.cls(-0.1)).toThrow(/learning rate eta cannot be negative/);
      expect(() => new spec.cls({ eta: -1e-3 })).toThrow(/learning rate eta cannot be negative/);
      expect(() => new spec.cls({ etaa: 0.1 })).toThrow(/unknown field 'etaa'/);
      expect(() => new spec.cls(...spec.fields.map(([, d]) => d), 1)).toThrow(/positional argument/);
    });

    test("adjusted changes eta and keeps the other fields", () => {
      const rule = new spec.cls(...spec.custom);
      const r2 = rule.adjusted({ eta: 0.5 });
      expect(r2).toBeInstanceOf(spec.cls);
      expect(fieldsOf(r2)).toEqual({ ...fieldsOf(rule), eta: 0.5 });
    });
  });

  describe("apply leaves the given state alone", () => {
    test.each(Object.entries(SPECS))("%s", (_name, spec) => {
      const rule = new spec.cls(spec.configs[spec.configs.length - 1]!);
      const x = tf.tensor1d(X0);
      const dx0 = tf.tensor1d(GRADS[0]!);
      const dx1 = tf.tensor1d(GRADS[1]!);
      const st0 = rule.init(x);
      const [st1, d0] = tf.tidy(() => rule.apply(st0, x, dx0) as tf.TensorContainer) as unknown as [unknown, tf.Tensor];
      const snapshot = [...tensorsIn(st1)].map((t) => Array.from(t.dataSync()));
      const scalars = JSON.stringify(st1, (_k, v) => (v instanceof tf.Tensor ? "T" : v));
      const [st2, d1] = tf.tidy(() => rule.apply(st1, x, dx1) as tf.TensorContainer) as unknown as [unknown, tf.Tensor];
      [...tensorsIn(st1)].forEach((t, i) => {
        expect(t.isDisposed).toBe(false);
        expect(Array.from(t.dataSync())).toEqual(snapshot[i]);
      });
      expect(JSON.stringify(st1, (_k, v) => (v instanceof tf.Tensor ? "T" : v))).toBe(scalars);
      for (const t of tensorsIn(st2)) expect(tensorsIn(st1).has(t)).toBe(false);
      tf.dispose([...new Set([x, dx0, dx1, d0, d1, ...tensorsIn(st0), ...tensorsIn(st1), ...tensorsIn(st2)])]);
    });
  });
}
