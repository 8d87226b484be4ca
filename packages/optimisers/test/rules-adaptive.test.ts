// The adaptive rules without momentum: Rprop and RMSProp against float64 references (see
// rule-spec.ts) with their specifics, and AdaGrad, AdaDelta and Lion trajectories (see trajectory.ts).
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { setup } from "../src/setup.js";
import { adjust } from "../src/adjust.js";
import type { Leaf } from "../src/leaf.js";
import type { Rule } from "../src/rule.js";
import { Rprop } from "../src/rules/rprop.js";
import { RMSProp } from "../src/rules/rms-prop.js";
import { describeRuleSpecs, expectClose, expectStateClose, sign, tensorsIn, zeros, type Fields, type Ref, type Spec, type Vec } from "./rule-spec.js";
import { AdaGrad } from "../src/rules/ada-grad.js";
import { AdaDelta } from "../src/rules/ada-delta.js";
import { Lion } from "../src/rules/lion.js";
import { applyOnce, expectTrajectory, refAdaDelta, refAdaGrad, refLion, reference, trajectory } from "./trajectory.js";

const refs: Record<string, (f: Fields) => Ref> = {
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
};

const SPECS: Record<string, Spec> = {
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
};

describeRuleSpecs(SPECS, refs);

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

describe("AdaGrad, AdaDelta and Lion: trajectories against float64 references (7 steps, sign flips and zero gradients)", () => {
  test("AdaGrad: accumulator starts at epsilon", () => {
    expectTrajectory(trajectory(new AdaGrad(0.1)), reference(...refAdaGrad(0.1, 1e-8)));
    expectTrajectory(trajectory(new AdaGrad({ eta: 0.3, epsilon: 0.5 })), reference(...refAdaGrad(0.3, 0.5)));
  });

  test("AdaDelta: epsilon inside both roots, old Δacc in the numerator", () => {
    expectTrajectory(trajectory(new AdaDelta()), reference(...refAdaDelta(0.9, 1e-8)));
    expectTrajectory(trajectory(new AdaDelta(0.8, 0.01)), reference(...refAdaDelta(0.8, 0.01)));
  });

  test("AdaDelta's first step is dx*sqrt(ϵ)/sqrt((1−ρ)dx² + ϵ), not using the new Δacc", () => {
    const [rho, eps] = [0.5, 0.04];
    const expected = [0.6, -2].map((g) => (g * Math.sqrt(eps)) / Math.sqrt((1 - rho) * g * g + eps));
    expectClose(applyOnce(new AdaDelta(rho, eps), [0, 0], [0.6, -2]), expected);
  });

  test("Lion: momentum as the Julia source writes it", () => {
    expectTrajectory(trajectory(new Lion(0.01)), reference(...refLion(0.01, 0.9, 0.999)));
    expectTrajectory(trajectory(new Lion({ eta: 0.05, beta: [0.5, 0.7] })), reference(...refLion(0.05, 0.5, 0.7)));
  });
});
