// Schedule factories (optax's schedules): each returns a `Schedule`, a function of the step (0 on
// the first update) with a `spec` saying how it was made. Arguments are checked when the schedule
// is made, not when it is first used.
import { juliaFloat } from "@fluxion/backend/internal";
import { isSchedule, type Hyper, type Schedule, type ScheduleSpec } from "./schedule.js";

/** The value `value` at every step. */
export function constant(value: number): Schedule {
  finite("constant", "value", value);
  return make(() => value, "constant", { value }, [fmt(value)]);
}

/** Options of `exponentialDecay`. */
export interface ExponentialDecayOptions {
  /** The value at step 0. */
  init: number;
  /** The factor applied per `transitionSteps` steps (> 0). */
  decayRate: number;
  /** The number of steps over which the value is multiplied by `decayRate` (a whole number ≥ 1). */
  transitionSteps: number;
  /** Decay in whole multiples of `transitionSteps` (a staircase) rather than continuously. Default false. */
  staircase?: boolean;
  /** A bound the value does not pass: a floor when `decayRate < 1`, a ceiling when it is > 1. */
  endValue?: number;
}

/**
 * `init * decayRate^(step / transitionSteps)`, with the exponent floored when `staircase`, and
 * clipped at `endValue` if given (optax's `exponential_decay`).
 */
export function exponentialDecay(options: ExponentialDecayOptions): Schedule {
  const name = "exponentialDecay";
  checkKeys(name, options, ["init", "decayRate", "transitionSteps", "staircase", "endValue"]);
  const { init, decayRate, transitionSteps, staircase = false, endValue } = options;
  finite(name, "init", init);
  finite(name, "decayRate", decayRate);
  if (!(decayRate > 0)) throw new Error(`${name}: decayRate must be positive, got ${decayRate}`);
  wholeNumber(name, "transitionSteps", transitionSteps, 1);
  if (typeof staircase !== "boolean") throw new Error(`${name}: staircase must be true or false, got ${String(staircase)}`);
  if (endValue !== undefined) finite(name, "endValue", endValue);
  const fn = (step: number): number => {
    if (step <= 0) return init;
    const p = staircase ? Math.floor(step / transitionSteps) : step / transitionSteps;
    const v = init * decayRate ** p;
    if (endValue === undefined) return v;
    return decayRate < 1 ? Math.max(v, endValue) : Math.min(v, endValue);
  };
  const shown = [fmt(init), fmt(decayRate), String(transitionSteps)];
  if (staircase) shown.push("staircase=true");
  if (endValue !== undefined) shown.push(`endValue=${fmt(endValue)}`);
  return make(fn, name, { init, decayRate, transitionSteps, staircase, ...(endValue === undefined ? {} : { endValue }) }, shown);
}

/** Options of `stepDecay`. */
export interface StepDecayOptions {
  /** The value at step 0. */
  init: number;
  /** The factor applied every `stepSize` steps (≥ 0). */
  factor: number;
  /** Steps between decays (a whole number ≥ 1). */
  stepSize: number;
}

/** `init * factor^floor(step / stepSize)`: drops by `factor` every `stepSize` steps. */
export function stepDecay(options: StepDecayOptions): Schedule {
  const name = "stepDecay";
  checkKeys(name, options, ["init", "factor", "stepSize"]);
  const { init, factor, stepSize } = options;
  finite(name, "init", init);
  finite(name, "factor", factor);
  if (factor < 0) throw new Error(`${name}: factor cannot be negative, got ${factor}`);
  wholeNumber(name, "stepSize", stepSize, 1);
  const fn = (step: number): number => init * factor ** Math.floor(Math.max(step, 0) / stepSize);
  return make(fn, name, { init, factor, stepSize }, [fmt(init), fmt(factor), String(stepSize)]);
}

/** Options of `cosineDecay`. */
export interface CosineDecayOptions {
  /** The value at step 0. */
  init: number;
  /** Steps to decay over (a whole number ≥ 1); the value stays at `init * alpha` afterwards. */
  decaySteps: number;
  /** The final value as a fraction of `init`. Default 0. */
  alpha?: number;
}

/**
 * Half a cosine from `init` down to `init * alpha` over `decaySteps` (optax's `cosine_decay_schedule`):
 * `init * ((1 − alpha) * 0.5 * (1 + cos(π * min(step, decaySteps) / decaySteps)) + alpha)`.
 */
export function cosineDecay(options: CosineDecayOptions): Schedule {
  const name = "cosineDecay";
  checkKeys(name, options, ["init", "decaySteps", "alpha"]);
  const { init, decaySteps, alpha = 0 } = options;
  finite(name, "init", init);
  wholeNumber(name, "decaySteps", decaySteps, 1);
  finite(name, "alpha", alpha);
  const fn = (step: number): number => {
    const t = Math.min(Math.max(step, 0), decaySteps);
    return init * ((1 - alpha) * 0.5 * (1 + Math.cos((Math.PI * t) / decaySteps)) + alpha);
  };
  const shown = [fmt(init), String(decaySteps)];
  if (alpha !== 0) shown.push(`alpha=${fmt(alpha)}`);
  return make(fn, name, { init, decaySteps, alpha }, shown);
}

/** Options of `linearWarmup`. */
export interface LinearWarmupOptions {
  /** The value at step 0. Default 0. */
  from?: number;
  /** The value from step `steps` on. */
  to: number;
  /** Steps to go from `from` to `to` (a whole number ≥ 1). */
  steps: number;
}

/** A straight line from `from` (step 0) to `to` (step `steps`), then `to` (optax's `linear_schedule`). */
export function linearWarmup(options: LinearWarmupOptions): Schedule {
  const name = "linearWarmup";
  checkKeys(name, options, ["from", "to", "steps"]);
  const { from = 0, to, steps } = options;
  finite(name, "from", from);
  finite(name, "to", to);
  wholeNumber(name, "steps", steps, 1);
  const fn = (step: number): number => {
    if (step <= 0) return from;
    if (step >= steps) return to;
    return from + ((to - from) * step) / steps;
  };
  const shown = [fmt(to), String(steps)];
  if (from !== 0) shown.push(`from=${fmt(from)}`);
  return make(fn, name, { from, to, steps }, shown);
}

/**
 * Runs `schedules[0]` until step `boundaries[0]`, then `schedules[1]` counting its steps from that
 * boundary (it sees `step − boundaries[0]`), and so on (optax's `join_schedules`). Needs one
 * boundary fewer than schedules, whole numbers ≥ 0 in non-decreasing order. A number in
 * `schedules` means a constant.
 */
export function joinSchedules(schedules: readonly Hyper[], boundaries: readonly number[]): Schedule {
  const name = "joinSchedules";
  if (!Array.isArray(schedules) || schedules.length === 0) throw new Error(`${name}: needs a non-empty array of schedules`);
  const parts = schedules.map((s, i) => {
    if (isSchedule(s)) return s;
    if (typeof s === "number") return constant(s);
    throw new Error(`${name}: schedules[${i}] must be a schedule or a number, got ${String(s)}`);
  });
  if (!Array.isArray(boundaries) || boundaries.length !== parts.length - 1) {
    throw new Error(`${name}: needs ${parts.length - 1} boundar${parts.length === 2 ? "y" : "ies"} for ${parts.length} schedules, got ${Array.isArray(boundaries) ? boundaries.length : String(boundaries)}`);
  }
  boundaries.forEach((b, i) => {
    wholeNumber(name, `boundaries[${i}]`, b, 0);
    if (i > 0 && b < boundaries[i - 1]!) throw new Error(`${name}: boundaries must not decrease, got [${boundaries.join(", ")}]`);
  });
  const bs = [...boundaries];
  const fn = (step: number): number => {
    let i = 0;
    while (i < bs.length && step >= bs[i]!) i++;
    return parts[i]!(i === 0 ? step : step - bs[i - 1]!);
  };
  const specs = parts.map((s) => s.spec ?? null);
  const shown = [`[${parts.map(showSchedule).join(", ")}]`, `[${bs.join(", ")}]`];
  return make(fn, name, { schedules: Object.freeze(specs), boundaries: Object.freeze(bs) }, shown);
}

/** Options of `warmupCosineDecay`. */
export interface WarmupCosineDecayOptions {
  /** The value reached at the end of the warmup. */
  peak: number;
  /** Steps of linear warmup from 0 to `peak` (a whole number ≥ 0). */
  warmupSteps: number;
  /** The length of the whole schedule, warmup included (> warmupSteps), as in optax. */
  decaySteps: number;
  /** The value at step `decaySteps` and after. Default 0. */
  end?: number;
}

/**
 * Linear warmup from 0 to `peak` over `warmupSteps`, then cosine decay from `peak` to `end` until
 * step `decaySteps` (optax's `warmup_cosine_decay_schedule` with `init_value = 0`): `linearWarmup`
 * and `cosineDecay` (with `alpha = end/peak`, over `decaySteps − warmupSteps`) joined at `warmupSteps`.
 */
export function warmupCosineDecay(options: WarmupCosineDecayOptions): Schedule {
  const name = "warmupCosineDecay";
  checkKeys(name, options, ["peak", "warmupSteps", "decaySteps", "end"]);
  const { peak, warmupSteps, decaySteps, end = 0 } = options;
  finite(name, "peak", peak);
  wholeNumber(name, "warmupSteps", warmupSteps, 0);
  wholeNumber(name, "decaySteps", decaySteps, 1);
  finite(name, "end", end);
  if (!(decaySteps > warmupSteps)) {
    throw new Error(`${name}: decaySteps (the whole schedule, warmup included) must exceed warmupSteps, got decaySteps ${decaySteps}, warmupSteps ${warmupSteps}`);
  }
  const decay = cosineDecay({ init: peak, decaySteps: decaySteps - warmupSteps, alpha: peak === 0 ? 0 : end / peak });
  const fn = warmupSteps === 0 ? decay : joinSchedules([linearWarmup({ from: 0, to: peak, steps: warmupSteps }), decay], [warmupSteps]);
  const shown = [fmt(peak), String(warmupSteps), String(decaySteps)];
  if (end !== 0) shown.push(`end=${fmt(end)}`);
  return make((step) => fn(step), name, { peak, warmupSteps, decaySteps, end }, shown);
}

/**
 * Rebuilds a schedule from its `spec` (for example one read back from JSON). Throws for a spec
 * of unknown kind, or a join containing a schedule that had no spec.
 */
export function scheduleFromSpec(spec: { readonly kind: string; readonly [param: string]: unknown }): Schedule {
  const { kind, ...params } = spec as { kind: string } & Record<string, any>;
  switch (kind) {
    case "constant":
      return constant(params.value);
    case "exponentialDecay":
      return exponentialDecay(params as ExponentialDecayOptions);
    case "stepDecay":
      return stepDecay(params as StepDecayOptions);
    case "cosineDecay":
      return cosineDecay(params as CosineDecayOptions);
    case "linearWarmup":
      return linearWarmup(params as LinearWarmupOptions);
    case "warmupCosineDecay":
      return warmupCosineDecay(params as WarmupCosineDecayOptions);
    case "joinSchedules": {
      const parts = (params.schedules as unknown[]).map((s, i) => {
        if (s === null || typeof s !== "object") throw new Error(`scheduleFromSpec: joinSchedules part ${i} has no spec, so it cannot be rebuilt`);
        return scheduleFromSpec(s as ScheduleSpec);
      });
      return joinSchedules(parts, params.boundaries);
    }
    default:
      throw new Error(`scheduleFromSpec: unknown schedule kind ${JSON.stringify(kind)}`);
  }
}

// ---- helpers ----

function make(fn: (step: number) => number, kind: string, params: Record<string, unknown>, shown: string[]): Schedule {
  const text = `${kind}(${shown.join(", ")})`;
  const spec = { kind, ...params } as ScheduleSpec;
  Object.defineProperty(spec, "toString", { value: () => text, enumerable: false });
  const schedule = (step: number): number => fn(step);
  Object.defineProperty(schedule, "spec", { value: Object.freeze(spec), enumerable: true });
  Object.defineProperty(schedule, "toString", { value: () => text, enumerable: false });
  return schedule as Schedule;
}

function showSchedule(s: Schedule): string {
  return s.spec?.toString() ?? "<schedule>";
}

const fmt = juliaFloat;

function checkKeys(name: string, options: unknown, known: readonly string[]): void {
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new Error(`${name}: expects one options object { ${known.join(", ")} }, got ${String(options)}`);
  }
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new Error(`${name}: unknown option${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => `'${k}'`).join(", ")}; its options are ${known.join(", ")}`);
}

function finite(name: string, key: string, v: unknown): asserts v is number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`${name}: ${key} must be a finite number, got ${String(v)}`);
}

function wholeNumber(name: string, key: string, v: unknown, min: number): asserts v is number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
    throw new Error(`${name}: ${key} must be a whole number >= ${min}, got ${String(v)}`);
  }
}
