// The Adam family (Adam, RAdam, AdaMax, OAdam, NAdam, AdamW, AMSGrad, AdaBelief) against float64
// references (see rule-spec.ts), and their specifics.
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import type { Rule } from "../src/rule.js";
import { Adam } from "../src/rules/adam.js";
import { RAdam } from "../src/rules/r-adam.js";
import { AdaMax } from "../src/rules/ada-max.js";
import { OAdam } from "../src/rules/o-adam.js";
import { NAdam } from "../src/rules/n-adam.js";
import { AdamW } from "../src/rules/adam-w.js";
import { AMSGrad } from "../src/rules/ams-grad.js";
import { AdaBelief } from "../src/rules/ada-belief.js";
import { adamLike, adamMoments, describeRuleSpecs, expectClose, expectStateClose, tensorsIn, zeros, type Fields, type Ref, type Spec, type Vec } from "./rule-spec.js";

const refs: Record<string, (f: Fields) => Ref> = {
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
  AMSGrad: ({ eta, beta: [b1, b2], epsilon }) => ({
    init: (x) => [x.map(() => epsilon), x.map(() => epsilon), x.map(() => epsilon)],
    apply: ([m, v, vh]: [Vec, Vec, Vec], _x, dx) => {
      const [m2, v2] = adamMoments(b1, b2, m, v, dx);
      const vh2 = vh.map((h, i) => Math.max(h, v2[i]!));
      return [[m2, v2, vh2], m2.map((mi, i) => (eta * mi) / (Math.sqrt(vh2[i]!) + epsilon))];
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

const SPECS: Record<string, Spec> = {
  Adam: { cls: Adam, fields: [["eta", 0.001], ["beta", [0.9, 0.999]], ["epsilon", 1e-8]], ...adamLike("Adam") },
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

describeRuleSpecs(SPECS, refs);

// ---------------------------------------------------------------------------------------------
// Rule-specific behaviour

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
