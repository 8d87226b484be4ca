/** A hyper-parameter that changes with the step count (0 on the first update). */
export interface Schedule {
  (step: number): number;
  /** How it was made, for printing and saving: `{ kind: "exponential", ... }`. */
  readonly spec?: ScheduleSpec;
}

/** How a schedule was made: its `kind` and parameters (nested specs for joined schedules); prints as the schedule. */
export type ScheduleSpec = {
  readonly kind: string;
  readonly [param: string]: unknown;
  /** The schedule as printed, e.g. `exponentialDecay(0.1, 0.5, 10)`. */
  toString(): string;
};

/** A number, or a schedule giving the number at each step. */
export type Hyper = number | Schedule;

export function isSchedule(v: unknown): v is Schedule {
  return typeof v === "function";
}

/** The value of `h` at `step`, checked to be a finite number. */
export function valueAt(h: Hyper, step: number, what: string): number {
  const v = isSchedule(h) ? h(step) : h;
  if (typeof v !== "number" || Number.isNaN(v)) throw new Error(`${what}: schedule gave ${String(v)} at step ${step}, expected a number`);
  return v;
}
