// The optimisers the page offers and their hyper-parameter inputs. The inputs are read off each
// rule's own fields and defaults (a tuple field such as Adam's beta becomes beta1, beta2), and a
// rule is built from the typed-in text with checks that say which value is wrong and why.
import { Adam, AdamW, Descent, Lion, Momentum, Nesterov, RMSProp, type Rule } from "fluxion";

export const OPTIMISERS = { Descent, Momentum, Nesterov, RMSProp, Adam, AdamW, Lion } as const;
export type OptimiserName = keyof typeof OPTIMISERS;
export const OPTIMISER_NAMES = Object.keys(OPTIMISERS) as OptimiserName[];

/** One input: `key` names it on the page (and in URL presets); `field[index]` is where it goes in the rule. */
export interface HyperInput {
  key: string;
  field: string;
  index?: number;
  kind: "number" | "boolean";
  value: number | boolean;
}

type RuleCtor = new (fields?: Record<string, unknown>) => Rule;
const ctor = (name: OptimiserName): RuleCtor => OPTIMISERS[name] as unknown as RuleCtor;

export function isOptimiserName(name: string): name is OptimiserName {
  return (OPTIMISER_NAMES as string[]).includes(name);
}

/** The inputs for `name`, with the rule's defaults. */
export function hyperInputs(name: OptimiserName): HyperInput[] {
  const rule = new (ctor(name))() as Rule & Record<string, unknown>;
  return rule.fieldNames().flatMap((field): HyperInput[] => {
    const v = rule[field];
    if (typeof v === "boolean") return [{ key: field, field, kind: "boolean", value: v }];
    if (Array.isArray(v)) return v.map((e, index) => ({ key: `${field}${index + 1}`, field, index, kind: "number", value: e as number }));
    return [{ key: field, field, kind: "number", value: v as number }];
  });
}

// Ranges the rules' own checks do not cover but that make training meaningless if broken.
const RANGES: Record<string, { ok: (v: number) => boolean; expected: string }> = {
  eta: { ok: (v) => v > 0, expected: "a positive number, e.g. 0.001" },
  rho: { ok: (v) => v >= 0 && v < 1, expected: "a number in [0, 1), e.g. 0.9" },
  beta: { ok: (v) => v >= 0 && v < 1, expected: "a number in [0, 1), e.g. 0.9 or 0.999" },
  epsilon: { ok: (v) => v > 0, expected: "a small positive number, e.g. 1e-8" },
  lambda: { ok: (v) => v >= 0, expected: "zero or a positive number, e.g. 0.01" },
};

/** Parses one typed-in value; throws "Adam: beta2 must be …, got '…'". */
export function parseHyper(rule: OptimiserName, input: HyperInput, text: string): number {
  const range = RANGES[input.field] ?? { ok: () => true, expected: "a number" };
  const trimmed = text.trim();
  const v = trimmed === "" ? NaN : Number(trimmed);
  if (!Number.isFinite(v) || !range.ok(v)) {
    throw new Error(`${rule}: ${input.key} must be ${range.expected}, got ${trimmed === "" ? "nothing" : `'${trimmed}'`}`);
  }
  return v;
}

/** The rule `name` with the values in `values` (text for numbers, booleans for checkboxes) keyed by input key. */
export function buildRule(name: OptimiserName, values: Readonly<Record<string, string | boolean>>): Rule {
  const fields: Record<string, unknown> = {};
  for (const input of hyperInputs(name)) {
    const given = values[input.key];
    let value: number | boolean;
    if (input.kind === "boolean") {
      if (typeof given !== "boolean") throw new Error(`${name}: ${input.key} must be on or off, got ${JSON.stringify(given)}`);
      value = given;
    } else {
      value = parseHyper(name, input, typeof given === "string" ? given : "");
    }
    if (input.index === undefined) fields[input.field] = value;
    else ((fields[input.field] ??= []) as unknown[])[input.index] = value;
  }
  try {
    return new (ctor(name))(fields);
  } catch (err) {
    throw new Error(`${name} rejected these hyper-parameters: ${(err as Error).message}`);
  }
}
