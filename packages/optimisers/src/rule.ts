import type { tf } from "@fluxion/backend";
import { isPlainObject } from "@fluxion/functors";
import { juliaFloat, juliaValue } from "@fluxion/backend/internal";
import { isSchedule, valueAt, type Hyper } from "./schedule.js";
import { finite, nonNegative, wholeNumber, type Domain } from "./domains.js";
import { stateTensors } from "./state-tensors.js";

/**
 * An optimisation rule (Optimisers.jl's `AbstractRule`): immutable hyper-parameters plus two
 * functions. `init(x)` makes the state for parameter `x`; `apply(state, x, dx)` returns the new
 * state and the update `dx'` that is subtracted from `x` (or `null`: leave `x` unchanged).
 * `apply` must not dispose or modify `state`: the caller owns it and disposes what is replaced.
 * `update`/`updateInPlace` run `apply` inside `tf.tidy`, so intermediates need no care; call it
 * inside `tf.tidy` yourself when using a rule directly.
 */
export abstract class Rule<S = any> {
  /** The initial state for parameter `x`. */
  abstract init(x: tf.Tensor): S;
  /** `[newState, dx']`: the new state and the update subtracted from `x` (null: leave `x` unchanged). */
  abstract apply(state: S, x: tf.Tensor, dx: tf.Tensor): [S, tf.Tensor | null];

  /** The name printed and saved; a class's own name by default. */
  get ruleName(): string {
    return (this.constructor as { ruleName?: string }).ruleName ?? this.constructor.name;
  }

  /** Hyper-parameter names, in positional order. */
  fieldNames(): readonly string[] {
    return [];
  }

  /** This rule with every schedule-valued field replaced by its value at `step`. */
  at(_step: number): this {
    return this;
  }

  /** A copy with the named fields changed (names this rule lacks are ignored). */
  adjusted(_changes: Readonly<Record<string, unknown>>): this {
    return this;
  }

  /**
   * What is wrong with `state` as this rule's state for parameter `x`, or null if nothing. By
   * default every tensor in it must be alive and have `x`'s shape and dtype, as the built-in rules'
   * `init` makes them; override it for a state holding other shapes. `update` asks before `apply`.
   */
  stateProblem(state: S, x: tf.Tensor): string | null {
    let i = 0;
    for (const t of stateTensors(state)) {
      i += 1;
      if (t.isDisposed) return `its state tensor ${i} is disposed`;
      if (t.dtype !== x.dtype || !sameShape(t.shape, x.shape)) {
        return `its state tensor ${i} is ${t.dtype} [${t.shape.join(", ")}] but the parameter is ${x.dtype} [${x.shape.join(", ")}] (was the state made for another model?)`;
      }
    }
    return null;
  }

  /** The rule as Julia prints it, e.g. `Adam(0.001, (0.9, 0.999), 1.0e-8)`. */
  toString(): string {
    return `${this.ruleName}()`;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

type FieldDefault = number | boolean | readonly number[];
type FieldValue<D> = D extends number
  ? Hyper
  : D extends boolean
    ? boolean
    : D extends readonly number[]
      ? { readonly [K in keyof D]: Hyper }
      : D;
/** The fields as stored on a rule: numbers may be schedules (`Hyper`). */
export type RuleFields<F> = { readonly [K in keyof F]: FieldValue<F[K]> };
/** The fields with schedules resolved: what `apply` computes with. */
export type RuleValues<F> = { readonly [K in keyof F]: ValueOf<F[K]> };
type ValueOf<D> = D extends number ? number : D extends boolean ? boolean : D extends readonly number[] ? { readonly [I in keyof D]: number } : D;

/** Options of `defineRule`: which fields are whole numbers, their allowed values, how the rule prints. */
export interface DefineRuleOptions<F> {
  /** Fields that hold whole numbers (printed without ".0"; checked to be whole unless `domains` says more). */
  integers?: readonly (keyof F & string)[];
  /**
   * The allowed values of numeric fields (each element of a tuple field), from `./domains.js`:
   * `{ rho: unitInterval, epsilon: positive }`. Unlisted fields must be finite; `eta` must be >= 0.
   * Checked on construction, so also on `adjust` and wherever a schedule is evaluated (`at`).
   */
  domains?: { readonly [K in keyof F]?: Domain };
  /** Extra checks on the final field values; throw an Error to reject them. */
  check?: (fields: RuleFields<F>) => void;
}

/** The base class `defineRule` returns: construct with positional values or one object of named fields. */
export type DefinedRule<F> = abstract new (
  ...args: [Partial<RuleFields<F>>] | FieldValue<F[keyof F]>[]
) => Rule & RuleFields<F> & {
  /** The field values as numbers; throws if one is still a schedule (see `at`). */
  values(): RuleValues<F>;
};

/**
 * The analogue of Optimisers.jl's `@def`: a base class for a rule with the given fields and
 * defaults (in positional order). It gives the rule a positional constructor
 * (`new Adam(0.01)`) and a named one (`new Adam({ eta: 0.01 })`), type and range checks
 * (a number field may also be a schedule; `eta` cannot be negative), `toString`, `at` and
 * `adjusted`. Subclasses write only `init` and `apply`.
 */
export function defineRule<const F extends Record<string, FieldDefault>>(
  name: string,
  defaults: F,
  options: DefineRuleOptions<F> = {},
): DefinedRule<F> {
  const names = Object.keys(defaults);
  const domainOf = (k: string): Domain => options.domains?.[k] ?? (options.integers?.includes(k as never) ? wholeNumber : k === "eta" ? nonNegative : finite);

  abstract class Defined extends Rule {
    static readonly ruleName = name;

    constructor(...args: unknown[]) {
      super();
      const values = readArgs(name, names, defaults, args);
      for (const k of names) checkField(name, k, values[k], defaults[k]!, domainOf(k));
      options.check?.(values as RuleFields<F>);
      for (const k of names) {
        const v = values[k];
        Object.defineProperty(this, k, { value: Array.isArray(v) ? Object.freeze([...v]) : v, enumerable: true });
      }
    }

    override fieldNames(): readonly string[] {
      return names;
    }

    values(): RuleValues<F> {
      const self = this as unknown as Record<string, unknown>;
      for (const k of names) {
        if (hasSchedule(self[k])) {
          throw new Error(`${name}.${k} is a schedule: apply the rule through update/updateInPlace, or resolve it with rule.at(step)`);
        }
      }
      return self as RuleValues<F>;
    }

    override at(step: number): this {
      const self = this as unknown as Record<string, unknown>;
      if (!names.some((k) => hasSchedule(self[k]))) return this;
      const resolved: Record<string, unknown> = {};
      for (const k of names) {
        const v = self[k];
        const at = (h: unknown) => (isSchedule(h) ? valueAt(h, step, `${name}.${k}`) : h);
        resolved[k] = Array.isArray(v) ? v.map(at) : at(v);
      }
      try {
        return new (this.constructor as new (f: object) => this)(resolved);
      } catch (err) {
        throw new Error(`${name}: a schedule gave a value outside its field's domain at step ${step}: ${(err as Error).message}`, { cause: err });
      }
    }

    override adjusted(changes: Readonly<Record<string, unknown>>): this {
      const self = this as unknown as Record<string, unknown>;
      if (!names.some((k) => k in changes)) return this;
      const merged = Object.fromEntries(names.map((k) => [k, k in changes ? changes[k] : self[k]]));
      return new (this.constructor as new (f: object) => this)(merged);
    }

    override toString(): string {
      const self = this as unknown as Record<string, unknown>;
      const show = (k: string, v: unknown): string =>
        typeof v === "number" ? (options.integers?.includes(k as never) ? String(v) : juliaFloat(v)) : juliaValue(v);
      const parts = names.map((k) => {
        const v = self[k];
        return Array.isArray(v) ? `(${v.map((e) => show(k, e)).join(", ")})` : show(k, v);
      });
      return `${name}(${parts.join(", ")})`;
    }
  }
  return Defined as unknown as DefinedRule<F>;
}

function hasSchedule(v: unknown): boolean {
  return isSchedule(v) || (Array.isArray(v) && v.some(isSchedule));
}

/** Positional values or one object of named values, filled up with the defaults. */
function readArgs(name: string, names: string[], defaults: Record<string, unknown>, args: unknown[]): Record<string, unknown> {
  const values: Record<string, unknown> = { ...defaults };
  if (args.length === 1 && isPlainObject(args[0])) {
    for (const [k, v] of Object.entries(args[0])) {
      if (!names.includes(k)) throw new Error(`${name}: unknown field '${k}'; its fields are ${names.join(", ") || "(none)"}`);
      if (v !== undefined) values[k] = v;
    }
    return values;
  }
  if (args.length > names.length) {
    throw new Error(`${name}: takes at most ${names.length} positional argument(s) (${names.join(", ")}), got ${args.length}`);
  }
  args.forEach((v, i) => {
    if (v !== undefined) values[names[i]!] = v;
  });
  return values;
}


function checkField(name: string, key: string, v: unknown, d: unknown, domain: Domain): void {
  const where = `${name}: field ${key}`;
  const label = key === "eta" ? "the learning rate eta" : key;
  // A schedule's values are checked where it is evaluated (`at`).
  const outside = (e: unknown): string | null => (isSchedule(e) ? null : domain.problem(e as number));
  if (typeof d === "number") {
    if (isSchedule(v)) return;
    if (typeof v !== "number" || Number.isNaN(v)) throw new Error(`${where} must be a number or a schedule, got ${describeValue(v)}`);
    const problem = outside(v);
    if (problem) throw new Error(`${name}: ${label} ${problem}, got ${v}`);
  } else if (typeof d === "boolean") {
    if (typeof v !== "boolean") throw new Error(`${where} must be true or false, got ${describeValue(v)}`);
  } else if (Array.isArray(d)) {
    if (!Array.isArray(v) || v.length !== d.length || !v.every((e) => isSchedule(e) || (typeof e === "number" && !Number.isNaN(e)))) {
      throw new Error(`${where} must be a tuple of ${d.length} numbers, like [${d.join(", ")}], got ${describeValue(v)}`);
    }
    const problem = v.map(outside).find((p) => p !== null);
    if (problem) throw new Error(`${name}: ${label} ${problem} (each element), got ${describeValue(v)}`);
  }
}

export function describeValue(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(describeValue).join(", ")}]`;
  if (v === null || typeof v !== "object") return String(v);
  return v.constructor?.name ?? "object";
}
