// Descent, Momentum and Nesterov against float64 references (see rule-spec.ts).
import { Descent } from "../src/rules/descent.js";
import { Momentum } from "../src/rules/momentum.js";
import { Nesterov } from "../src/rules/nesterov.js";
import { describeRuleSpecs, zeros, type Fields, type Ref, type Spec, type Vec } from "./rule-spec.js";

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
};

const SPECS: Record<string, Spec> = {
  Descent: { cls: Descent, fields: [["eta", 0.1]], show: "Descent(0.1)", configs: [{}, { eta: 0.3 }], custom: [0.03] },
  Momentum: { cls: Momentum, fields: [["eta", 0.01], ["rho", 0.9]], show: "Momentum(0.01, 0.9)", configs: [{}, { eta: 0.05, rho: 0.5 }], custom: [0.02, 0.5] },
  Nesterov: {
    cls: Nesterov,
    fields: [["eta", 0.001], ["rho", 0.9]],
    show: "Nesterov(0.001, 0.9)",
    configs: [{}, { eta: 0.05, rho: 0.7 }],
    custom: [0.01, 0.5],
  },
};

describeRuleSpecs(SPECS, refs);
