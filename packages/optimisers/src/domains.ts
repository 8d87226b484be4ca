// The allowed values of a rule's numeric fields, declared per field in `defineRule`'s `domains`.
// Each domain says what is wrong with a value, so messages read "Momentum: rho must be in [0, 1), got 5".

/** A set of allowed numbers; `problem(v)` is null for an allowed value, else what is wrong ("must be in [0, 1)"). */
export interface Domain {
  /** The allowed range in words, for documentation: "[0, 1)", ">= 0 and finite". */
  readonly range: string;
  /** Null if `v` is allowed, else what is wrong with it ("must be in [0, 1)"). */
  problem(v: number): string | null;
}

function domain(range: string, problem: (v: number) => string | null): Domain {
  return Object.freeze({ range, problem, toString: () => range });
}

/** Any finite number: the domain of a numeric field that declares none. */
export const finite = domain("finite", (v) => (Number.isFinite(v) ? null : "must be finite"));

/** Finite and >= 0: learning rates, decay amounts. */
export const nonNegative = domain(">= 0 and finite", (v) => (v < 0 ? "cannot be negative" : Number.isFinite(v) ? null : "must be finite (and >= 0)"));

/** >= 0, Infinity allowed (a bound that never binds): clipping thresholds. */
export const nonNegativeOrInfinity = domain(">= 0 (Infinity allowed)", (v) => (v < 0 ? "cannot be negative" : null));

/** Finite and > 0: epsilons, scaling factors. */
export const positive = domain("> 0 and finite", (v) => (v > 0 && Number.isFinite(v) ? null : "must be positive and finite"));

/** [0, 1): momentum and moving-average coefficients. */
export const unitInterval = domain("[0, 1)", (v) => (v >= 0 && v < 1 ? null : "must be in [0, 1)"));

/** A whole number (Julia's `Int`). */
export const wholeNumber = domain("a whole number", (v) => (Number.isInteger(v) ? null : "must be a whole number"));

/** A whole number >= `min`: counts and periods. */
export function wholeAtLeast(min: number): Domain {
  return domain(`a whole number >= ${min}`, (v) => (Number.isInteger(v) && v >= min ? null : `must be a whole number >= ${min}`));
}

/** Any number but NaN, Infinity included (ClipNorm's `p`). */
export const anyNumber = domain("any number (not NaN)", () => null);
