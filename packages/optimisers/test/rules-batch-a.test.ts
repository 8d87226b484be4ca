// Rules batch A (Nesterov, Rprop, RMSProp, RAdam, AdaMax, OAdam, NAdam, AdamW, AMSGrad, AdaBelief)
// plus Descent, Momentum and Adam, each against a small float64 reference written here from the
// "Update formulas" of reference/optimisers.md §1.3 (plain numbers, not calling the rules).
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { Leaf } from "../src/leaf.js";
import { Rule } from "../src/rule.js";
import { adjust } from "../src/adjust.js";
import { setup } from "../src/setup.js";
import { update, updateInPlace } from "../src/update.js";
import { Descent } from "../src/rules/descent.js";
import { Momentum } from "../src/rules/momentum.js";
import { Adam } from "../src/rules/adam.js";
import { Nesterov } from "../src/rules/nesterov.js";
import { Rprop } from "../src/rules/rprop.js";
import { RMSProp } from "../src/rules/rms-prop.js";
import { RAdam } from "../src/rules/r-adam.js";
import { AdaMax } from "../src/rules/ada-max.js";
import { OAdam } from "../src/rules/o-adam.js";
import { NAdam } from "../src/rules/n-adam.js";
import { AdamW } from "../src/rules/adam-w.js";
import { AMSGrad } from "../src/rules/ams-grad.js";
import { AdaBelief } from "../src/rules/ada-belief.js";

// ---------------------------------------------------------------------------------------------
// Helpers

type Vec = number[];

/** Elementwise |a − e| <= atol + rtol·|e| (NaN fails), naming the first bad index. */
function expectClose(actual: tf.Tensor | ArrayLike<number> | number, expected: ArrayLike<number> | number, rtol = 1e-5, atol = 1e-7, what = ""): void {
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
function expectStateClose(actual: unknown, expected: unknown, what = "state"): void {
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

function tensorsIn(x: unknown, out: Set<tf.Tensor> = new Set()): Set<tf.Tensor> {
  if (x instanceof tf.Tensor) out.add(x);
  else if (Array.isArray(x)) x.forEach((e) => tensorsIn(e, out));
  return out;
}

/** Disposes the tensors of `old` not held by `keep`. */
function disposeExcept(old: unknown, keep: unknown): void {
  const held = tensorsIn(keep);
  for (const t of tensorsIn(old)) if (!held.has(t)) t.dispose();
}

const zeros = (x: Vec): Vec => x.map(() => 0);
const sign = (v: number): number => (v > 0 ? 1 : v < 0 ? -1 : 0);

// Eight gradients over four elements: sign flips, exact zeros, an always-zero element.
const X0: Vec = [1, -2, 0.5, 3];
const GRADS: Vec[] = [
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

type Fields = Record<string, any>;
interface Ref {
  init(x: Vec): unknown;
  apply(state: any, x: Vec, dx: Vec): [unknown, Vec];
}

const adamMoments = (b1: number, b2: number, m: Vec, v: Vec, dx: Vec): [Vec, Vec] => [
  m.map((mi, i) => b1 * mi + (1 - b1) * dx[i]!),
  v.map((vi, i) => b2 * vi + (1 - b2) * dx[i]! ** 2),
];

const refs: Record<string, (f: Fields) => Ref> = {
  Descent: ({ eta }) => ({
    init: () => null,
    apply: (s, _x, dx) => [s, dx.map((d) => d * eta)],
  }),
  Momentum: ({ eta, rho }) => ({
    init: zeros,
    apply: (v: Vec, _x, dx) => {
      const v2 = v.map((vi, i) => rho * vi + eta * dx[i]!);
      return [v2, v2];
    },
  }),
  Nesterov: ({ eta, rho }) => ({
    init: zeros,
    apply: (v: Vec, _x, dx) => {
      const step = v.map((vi, i) => -(rho ** 2) * vi + (1 + rho) * eta * dx[i]!); // old v
      const v2 = v.map((vi, i) => rho * vi - eta * dx[i]!);
      return [v2, step];
    },
  }),
  Rprop: ({ eta, ell: [l1, l2], gamma: [g1, g2] }) => ({
    init: (x) => [zeros(x), x.map(() => eta)],
    apply: ([g, e]: [Vec, Vec], _x, dx) => {
      const e2 = e.map((ei, i) => {
        const p = g[i]! * dx[i]!;
        return p > 0 ? Math.min(ei * l2, g2) : p < 0 ? Math.max(ei * l1, g1) : ei;
      });
      const gNew = g.map((gi, i) => (gi * dx[i]! < 0 ? 0 : dx[i]!));
      return [[gNew, e2], e2.map((ei, i) => ei * sign(gNew[i]!))];
    },
  }),
  RMSProp: ({ eta, rho, epsilon, centred }) => ({
    init: (x) => [zeros(x), centred ? zeros(x) : false],
    apply: ([quad, lin]: [Vec, Vec | false], _x, dx) => {
      const q2 = quad.map((q, i) => rho * q + (1 - rho) * dx[i]! ** 2);
      const l2 = lin === false ? false : lin.map((l, i) => rho * l + (1 - rho) * dx[i]!);
      const step = dx.map((d, i) => (d * eta) / (Math.sqrt(q2[i]! - (l2 === false ? 0 : l2[i]! ** 2)) + epsilon));
      return [[q2, l2], step];
    },
  }),
  Adam: ({ eta, beta: [b1, b2], epsilon }) => ({
    init: (x) => [zeros(x), zeros(x), [b1, b2]],
    apply: ([m, v, bt]: [Vec, Vec, Vec], _x, dx) => {
      const [m2, v2] = adamMoments(b1, b2, m, v, dx);
      const step = m2.map((mi, i) => (mi / (1 - bt[0]!) / (Math.sqrt(v2[i]! / (1 - bt[1]!)) + epsilon)) * eta);
      return [[m2, v2, [bt[0]! * b1, bt[1]! * b2]], step];
    },
  }),
  RAdam: ({ eta, beta: [b1, b2], epsilon }) => ({
    init: (x) => [zeros(x), zeros(x), [b1, b2], 1],
    apply: ([m, v, bt, t]: [Vec, Vec, Vec, number], _x, dx) => {
      const rhoInf = 2 / (1 - b2) - 1;
      const [m2, v2] = adamMoments(b1, b2, m, v, dx);
      const rho = rhoInf - (2 * t * bt[1]!) / (1 - bt[1]!);
      let step: Vec;
      if (rho > 4) {
        const r = Math.sqrt(((rho - 4) * (rho - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rho));
        step = m2.map((mi, i) => (mi / (1 - bt[0]!) / (Math.sqrt(v2[i]! / (1 - bt[1]!)) + epsilon)) * eta * r);
      } else {
        step = m2.map((mi) => (mi / (1 - bt[0]!)) * eta);
      }
      return [[m2, v2, [bt[0]! * b1, bt[1]! * b2], t + 1], step];
    },
  }),
  AdaMax: ({ eta, beta: [b1, b2], epsilon }) => ({
    init: (x) => [zeros(x), zeros(x), [b1, b2]],
    apply: ([m, u, bt]: [Vec, Vec, Vec], _x, dx) => {
      const m2 = m.map((mi, i) => b1 * mi + (1 - b1) * dx[i]!);
      const u2 = u.map((ui, i) => Math.max(b2 * ui, Math.abs(dx[i]!)));
      const step = m2.map((mi, i) => ((eta / (1 - bt[0]!)) * mi) / (u2[i]! + epsilon));
      return [[m2, u2, [bt[0]! * b1, bt[1]! * b2]], step];
    },
  }),
  OAdam: ({ eta, beta: [b1, b2], epsilon }) => ({
    init: (x) => [zeros(x), zeros(x), [b1, b2], zeros(x)],
    apply: ([m, v, bt, term]: [Vec, Vec, Vec, Vec], _x, dx) => {
      const [m2, v2] = adamMoments(b1, b2, m, v, dx);
      const prev = [...term];
      const term2 = m2.map((mi, i) => (eta * mi) / (1 - bt[0]!) / (Math.sqrt(v2[i]! / (1 - bt[1]!)) + epsilon));
      return [[m2, v2, [bt[0]! * b1, bt[1]! * b2], term2], term2.map((ti, i) => 2 * ti - prev[i]!)];
    },
  }),
  AMSGrad: ({ eta, beta: [b1, b2], epsilon }) => ({
    init: (x) => [x.map(() => epsilon), x.map(() => epsilon), x.map(() => epsilon)],
    apply: ([m, v, vh]: [Vec, Vec, Vec], _x, dx) => {
      const [m2, v2] = adamMoments(b1, b2, m, v, dx);
      const vh2 = vh.map((h, i) => Math.max(h, v2[i]!));
      return [[m2, v2, vh2], m2.map((mi, i) => (eta * mi) / (Math.sqrt(vh2[i]!) + epsilon))];
    },
  }),
  NAdam: ({ eta, beta: [b1, b2], epsilon }) => ({
    init: (x) => [zeros(x), zeros(x), [b1, b2]],
    apply: ([m, v, bt]: [Vec, Vec, Vec], _x, dx) => {
      const [m2, v2] = adamMoments(b1, b2, m, v, dx);
      const step = m2.map(
        (mi, i) =>
          (((b1 * mi) / (1 - b1 * bt[0]!) + ((1 - b1) * dx[i]!) / (1 - bt[0]!)) / (Math.sqrt((v2[i]! * b2) / (1 - bt[1]!)) + epsilon)) * eta,
      );
      return [[m2, v2, [bt[0]! * b1, bt[1]! * b2]], step];
    },
  }),
  AdamW: ({ eta, beta: [b1, b2], lambda, epsilon, couple }) => ({
    init: (x) => [zeros(x), zeros(x), [b1, b2]],
    apply: ([m, v, bt]: [Vec, Vec, Vec], x, dx) => {
      const [m2, v2] = adamMoments(b1, b2, m, v, dx);
      const u = m2.map((mi, i) => mi / (1 - bt[0]!) / (Math.sqrt(v2[i]! / (1 - bt[1]!)) + epsilon));
      const step = u.map((ui, i) => (couple ? eta * (ui + lambda * x[i]!) : eta * ui + lambda * x[i]!));
      return [[m2, v2, [bt[0]! * b1, bt[1]! * b2]], step];
    },
  }),
  AdaBelief: ({ eta, beta: [b1, b2], epsilon }) => ({
    init: (x) => [zeros(x), zeros(x), [b1, b2]],
    apply: ([m, s, bt]: [Vec, Vec, Vec], _x, dx) => {
      const m2 = m.map((mi, i) => b1 * mi + (1 - b1) * dx[i]!);
      const s2 = s.map((si, i) => b2 * si + (1 - b2) * (dx[i]! - m2[i]!) ** 2 + epsilon);
      const step = m2.map((mi, i) => (eta * mi) / (1 - bt[0]!) / (Math.sqrt(s2[i]! / (1 - bt[1]!)) + epsilon));
      return [[m2, s2, [bt[0]! * b1, bt[1]! * b2]], step];
    },
  }),
};

/** Runs a reference over GRADS from X0: the parameters and state after each step. */
function runRef(ref: Ref, steps = GRADS.length): { xs: Vec[]; states: unknown[]; steps: Vec[] } {
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

interface Spec {
  cls: new (...args: any[]) => Rule;
  fields: [string, unknown][];
  show: string;
  configs: Fields[];
  /** Non-default values, in positional order, for the two-constructor test. */
  custom: unknown[];
}

const adamLike = (name: string, beta = [0.9, 0.999], eps = "1.0e-8"): Pick<Spec, "show" | "configs" | "custom"> => ({
  show: `${name}(0.001, (${beta.join(", ")}), ${eps})`,
  configs: [{}, { eta: 0.1, beta: [0.8, 0.9], epsilon: 1e-3 }],
  custom: [0.01, [0.8, 0.99], 1e-6],
});

const SPECS: Record<string, Spec> = {
  Descent: { cls: Descent, fields: [["eta", 0.1]], show: "Descent(0.1)", configs: [{}, { eta: 0.3 }], custom: [0.03] },
  Momentum: { cls: Momentum, fields: [["eta", 0.01], ["rho", 0.9]], show: "Momentum(0.01, 0.9)", configs: [{}, { eta: 0.05, rho: 0.5 }], custom: [0.02, 0.5] },
  Adam: { cls: Adam, fields: [["eta", 0.001], ["beta", [0.9, 0.999]], ["epsilon", 1e-8]], ...adamLike("Adam") },
  Nesterov: {
    cls: Nesterov,
    fields: [["eta", 0.001], ["rho", 0.9]],
    show: "Nesterov(0.001, 0.9)",
    configs: [{}, { eta: 0.05, rho: 0.7 }],
    custom: [0.01, 0.5],
  },
  Rprop: {
    cls: Rprop,
    fields: [["eta", 0.001], ["ell", [0.5, 1.2]], ["gamma", [1e-6, 50.0]]],
    show: "Rprop(0.001, (0.5, 1.2), (1.0e-6, 50.0))",
    // The second run hits both step-size bounds.
    configs: [{}, { eta: 0.1, ell: [0.5, 1.2], gamma: [0.06, 0.13] }, { eta: 0.01, ell: [0.3, 2.0], gamma: [1e-3, 1.0] }],
    custom: [0.01, [0.4, 1.5], [1e-4, 10.0]],
  },
  RMSProp: {
    cls: RMSProp,
    fields: [["eta", 0.001], ["rho", 0.9], ["epsilon", 1e-8], ["centred", false]],
    show: "RMSProp(0.001, 0.9, 1.0e-8, false)",
    configs: [{}, { eta: 0.01, rho: 0.8, epsilon: 1e-3 }, { centred: true }, { eta: 0.01, rho: 0.8, epsilon: 1e-3, centred: true }],
    custom: [0.01, 0.8, 1e-6, true],
  },
  RAdam: { cls: RAdam, fields: [["eta", 0.001], ["beta", [0.9, 0.999]], ["epsilon", 1e-8]], ...adamLike("RAdam") },
  AdaMax: { cls: AdaMax, fields: [["eta", 0.001], ["beta", [0.9, 0.999]], ["epsilon", 1e-8]], ...adamLike("AdaMax") },
  OAdam: { cls: OAdam, fields: [["eta", 0.001], ["beta", [0.5, 0.9]], ["epsilon", 1e-8]], ...adamLike("OAdam", [0.5, 0.9]) },
  NAdam: { cls: NAdam, fields: [["eta", 0.001], ["beta", [0.9, 0.999]], ["epsilon", 1e-8]], ...adamLike("NAdam") },
  AdamW: {
    cls: AdamW,
    fields: [["eta", 0.001], ["beta", [0.9, 0.999]], ["lambda", 0.0], ["epsilon", 1e-8], ["couple", true]],
    show: "AdamW(0.001, (0.9, 0.999), 0.0, 1.0e-8, true)",
    configs: [
      {},
      { eta: 0.1, beta: [0.8, 0.9], lambda: 0.05, epsilon: 1e-3 },
      { eta: 0.1, beta: [0.8, 0.9], lambda: 0.05, epsilon: 1e-3, couple: false },
      { lambda: 0.01, couple: false },
    ],
    custom: [0.01, [0.8, 0.99], 0.1, 1e-6, false],
  },
  AMSGrad: { cls: AMSGrad, fields: [["eta", 0.001], ["beta", [0.9, 0.999]], ["epsilon", 1e-8]], ...adamLike("AMSGrad") },
  AdaBelief: { cls: AdaBelief, fields: [["eta", 0.001], ["beta", [0.9, 0.999]], ["epsilon", 1e-16]], ...adamLike("AdaBelief", [0.9, 0.999], "1.0e-16") },
};

const fullFields = (spec: Spec, config: Fields): Fields => ({ ...Object.fromEntries(spec.fields), ...config });
const fieldsOf = (rule: Rule): Fields => Object.fromEntries(rule.fieldNames().map((k) => [k, (rule as unknown as Fields)[k]]));

// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Rule-specific behaviour

describe("RMSProp specifics", () => {
  test("centred is stored; the state's lin is a tensor only when centred", () => {
    const x = tf.tensor1d([1, 2]);
    const [q, lin] = new RMSProp().init(x);
    expect(lin).toBe(false);
    const [q2, lin2] = new RMSProp({ centred: true }).init(x);
    expect(lin2).toBeInstanceOf(tf.Tensor);
    tf.dispose([x, q, q2, lin2 as tf.Tensor]);
  });

  test("the named form accepts `centered` as well as `centred` (either true makes it centred)", () => {
    expect(new RMSProp({ centered: true }).centred).toBe(true);
    expect(new RMSProp({ eta: 0.01, centered: true }).toString()).toBe("RMSProp(0.01, 0.9, 1.0e-8, true)");
    expect(new RMSProp({ centered: false }).centred).toBe(false);
    expect(new RMSProp({ centred: true, centered: false }).centred).toBe(true);
    expect(new RMSProp({ centred: false, centered: true }).centred).toBe(true);
    expect(new RMSProp(0.01, 0.9, 1e-8, true).centred).toBe(true);
    expect(() => new RMSProp({ centered: 1 as unknown as boolean })).toThrow(/centered must be true or false/);
    expect(() => new RMSProp({ centred: "yes" as unknown as boolean })).toThrow(/centred must be true or false/);
  });

  test("adjusting centred is not allowed; other fields adjust and keep centred", () => {
    const r = new RMSProp({ centred: true });
    const msg = "adjust(::RMSProp; centred) is not allowed, as the variants store different states";
    expect(() => r.adjusted({ centred: false })).toThrow(msg);
    expect(() => r.adjusted({ centred: true, eta: 0.1 })).toThrow(msg);
    expect(() => adjust(r, { centred: false })).toThrow(msg);
    const r2 = r.adjusted({ eta: 0.1, rho: 0.5 });
    expect(r2.toString()).toBe("RMSProp(0.1, 0.5, 1.0e-8, true)");
    expect(adjust(new RMSProp(), 0.2).toString()).toBe("RMSProp(0.2, 0.9, 1.0e-8, false)");

    const w = tf.tensor1d([1, 2]);
    const tree = setup(new RMSProp(), { w });
    const before = tf.memory().numTensors;
    expect(() => adjust(tree, { centred: true })).toThrow(msg);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w, ...tensorsIn((tree as { w: Leaf }).w.state)]);
  });

  test("Leaf printing shows the non-centred state as (quad, false)", () => {
    const w = tf.tensor1d([1, 2]);
    const tree = setup(new RMSProp(), { w }) as { w: Leaf };
    expect(tree.w.toString()).toBe("Leaf(RMSProp(0.001, 0.9, 1.0e-8, false), ([0.0, 0.0], false))");
    tf.dispose([w, ...tensorsIn(tree.w.state)]);
  });
});

describe("Rprop specifics", () => {
  test("the step sizes start at eta; the state is (last gradient, step sizes)", () => {
    const x = tf.tensor1d([1, 2, 3]);
    const st = new Rprop(0.25).init(x);
    expectStateClose(st, [[0, 0, 0], [0.25, 0.25, 0.25]]);
    tf.dispose([x, ...st]);
  });

  test("ell and gamma must be pairs of numbers, positive factors, ordered non-negative bounds", () => {
    expect(() => new Rprop({ ell: [0.5] as unknown as [number, number] })).toThrow(/tuple of 2 numbers/);
    expect(() => new Rprop({ ell: 0.5 as unknown as [number, number] })).toThrow(/tuple of 2 numbers/);
    expect(() => new Rprop({ gamma: [1e-6, Number.NaN] })).toThrow(/tuple of 2 numbers/);
    expect(() => new Rprop({ ell: [0, 1.2] })).toThrow(/ell must be positive/);
    expect(() => new Rprop({ gamma: [1, 0.5] })).toThrow(/gamma must be/);
    expect(() => new Rprop({ gamma: [-1, 0.5] })).toThrow(/gamma must be/);
    expect(new Rprop(0.1, [0.4, 1.5], [0, 0]).toString()).toBe("Rprop(0.1, (0.4, 1.5), (0.0, 0.0))");
  });

  test("hand-checked first steps: grow, shrink and forget on a sign flip, hold on zero", () => {
    const rule = new Rprop({ eta: 0.1, ell: [0.5, 2], gamma: [0.01, 0.3] });
    const x = tf.tensor1d([0, 0, 0]);
    let st = rule.init(x);
    const steps: number[][] = [];
    for (const g of [[1, 1, 0], [1, -1, 0], [1, -1, 3]]) {
      const dx = tf.tensor1d(g);
      const [st2, d] = tf.tidy(() => rule.apply(st, x, dx));
      steps.push(Array.from(d.dataSync()));
      tf.dispose([dx, d, ...st]);
      st = st2;
    }
    // element 1: 0.1 → 0.2 → 0.3 (capped); element 2: 0.1, then flip → 0.05 with g = 0 (no step),
    // then g_old = 0 so the size holds; element 3: no gradient, no step.
    expectClose(steps[0]!, [0.1, 0.1, 0]);
    expectClose(steps[1]!, [0.2, 0, 0]);
    expectClose(steps[2]!, [0.3, -0.05, 0.1]);
    tf.dispose([x, ...st]);
  });
});

describe("RAdam specifics", () => {
  test("rho over the first steps is 1, 2, 3, 3.997, 4.996 with beta2 = 0.999, so steps 1-4 are un-adapted", () => {
    const b2 = 0.999;
    const rhoInf = 2 / (1 - b2) - 1;
    const rhos = [1, 2, 3, 4, 5].map((t) => rhoInf - (2 * t * b2 ** t) / (1 - b2 ** t));
    expectClose(rhos, [1, 2, 3, 3.997, 4.996], 0, 2e-3);
    // Steps 1-4 are m̂·η: with a constant gradient g that is exactly g·η.
    const rule = new RAdam();
    const x = tf.tensor1d([0, 0]);
    let st = rule.init(x);
    const dx = tf.tensor1d([2, -3]);
    for (let t = 1; t <= 5; t++) {
      const [st2, d] = tf.tidy(() => rule.apply(st, x, dx));
      if (t <= 4) expectClose(d, [2e-3, -3e-3]);
      else expect(Math.abs(d.dataSync()[0]!)).toBeLessThan(1e-4); // rectified: r ≈ 0.0176, v̂ normalises
      expect(st2[3]).toBe(t + 1);
      tf.dispose([d, ...tensorsIn(st)]);
      st = st2;
    }
    tf.dispose([x, dx, ...tensorsIn(st)]);
  });
});

describe("AMSGrad specifics", () => {
  test("m, v and v̂ all start at epsilon", () => {
    const x = tf.tensor1d([1, 2]);
    const st = new AMSGrad({ epsilon: 1e-3 }).init(x);
    expectStateClose(st, [[1e-3, 1e-3], [1e-3, 1e-3], [1e-3, 1e-3]]);
    expect(new Set(st).size).toBe(3);
    tf.dispose([x, ...st]);
  });
});

describe("AdamW specifics", () => {
  test("couple defaults to true and only changes how lambda is scaled", () => {
    expect(new AdamW().couple).toBe(true);
    expect(new AdamW(0.1, [0.9, 0.999], 0.5, 1e-8, false).toString()).toBe("AdamW(0.1, (0.9, 0.999), 0.5, 1.0e-8, false)");
    // With a zero gradient the Adam part is 0: coupled decay is eta*lambda*x, decoupled lambda*x.
    const x = tf.tensor1d([2, -4]);
    const dx = tf.zerosLike(x);
    for (const [couple, expected] of [[true, [0.1 * 0.5 * 2, 0.1 * 0.5 * -4]], [false, [0.5 * 2, 0.5 * -4]]] as const) {
      const rule = new AdamW({ eta: 0.1, lambda: 0.5, couple });
      const st = rule.init(x);
      const [st2, d] = tf.tidy(() => rule.apply(st, x, dx));
      expectClose(d, expected);
      tf.dispose([d, ...tensorsIn(st), ...tensorsIn(st2)]);
    }
    tf.dispose([x, dx]);
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
