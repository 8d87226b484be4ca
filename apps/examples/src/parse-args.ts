// Command-line options on node:util's parseArgs, with errors that name the flag and say what it
// expects. parseArgs runs non-strict so that every token can be checked here, in order, in words.
import { parseArgs } from "node:util";

/** One option of a command. With `value` it takes one; without, it is a flag. */
export interface OptionSpec {
  /** What the value must be, for help and errors: "a positive integer", "mlp or cnn". */
  value?: string;
  /** The placeholder shown in help: N, FILE, mlp|cnn. */
  placeholder?: string;
  short?: string;
  help: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

/** A mistake on the command line: the CLI prints it with the usage and exits with 2. */
export class UsageError extends Error {}

export interface ParsedArgs {
  positionals: string[];
  /** Option values by name; flags are `true`. */
  values: Record<string, string | true>;
}

/** Parses `args` against `specs`, throwing a UsageError on the first unknown option or missing value. */
export function parseCommandLine(args: string[], specs: OptionSpecs): ParsedArgs {
  const options = Object.fromEntries(
    Object.entries(specs).map(([name, s]) => [name, { type: s.value ? ("string" as const) : ("boolean" as const), ...(s.short ? { short: s.short } : {}) }]),
  );
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  const parsed: ParsedArgs = { positionals: [], values: {} };
  for (const token of tokens) {
    if (token.kind === "positional") parsed.positionals.push(token.value);
    if (token.kind !== "option") continue;
    const spec = specs[token.name];
    if (!spec) throw new UsageError(`unknown option ${token.rawName}${suggestion(token.name, Object.keys(specs))}`);
    if (!spec.value) {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value, got '${token.value}'`);
      parsed.values[token.name] = true;
    } else if (token.value === undefined || (!token.inlineValue && token.value.startsWith("-"))) {
      // "--epochs --lr 1": parseArgs would take "--lr" as the value.
      const next = token.value === undefined ? "" : `, got the option '${token.value}' (write ${token.rawName}=VALUE for a value starting with '-')`;
      throw new UsageError(`${token.rawName} needs a value: ${spec.value}${next}`);
    } else {
      parsed.values[token.name] = token.value;
    }
  }
  return parsed;
}

/** " (did you mean --epochs?)" for a near miss of a known option, else "". */
function suggestion(name: string, known: string[]): string {
  const near = known.find((k) => k.startsWith(name) || name.startsWith(k) || editDistance(k, name) <= 2);
  return near ? ` (did you mean --${near}?)` : "";
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next.push(Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    row = next;
  }
  return row[b.length]!;
}

/** The value of option `name` read as a number within bounds, or `fallback` when absent. */
export function numberValue(parsed: ParsedArgs, specs: OptionSpecs, name: string, fallback: number, check: (x: number) => boolean): number {
  const text = parsed.values[name];
  if (text === undefined) return fallback;
  const value = Number(text);
  if (typeof text !== "string" || text.trim() === "" || !check(value)) throw new UsageError(`--${name} expects ${specs[name]!.value}, got '${String(text)}'`);
  return value;
}

/** The value of option `name` if it is one of `choices`, or `fallback` when absent. */
export function choiceValue<C extends string>(parsed: ParsedArgs, specs: OptionSpecs, name: string, choices: readonly C[], fallback: C): C {
  const text = parsed.values[name];
  if (text === undefined) return fallback;
  if (!choices.includes(text as C)) throw new UsageError(`--${name} expects ${specs[name]!.value}, got '${String(text)}'`);
  return text as C;
}

/** Help lines for `specs`: the flag column, then what it does. */
export function describeOptions(specs: OptionSpecs): string {
  const flags = Object.entries(specs).map(([name, s]) => [`${s.short ? `-${s.short}, ` : ""}--${name}${s.value ? ` ${s.placeholder ?? "VALUE"}` : ""}`, s.help] as const);
  const width = Math.max(...flags.map(([f]) => f.length)) + 2;
  return flags.map(([f, h]) => `  ${f.padEnd(width)}${h}`).join("\n");
}
