// Rule classes by name, so a saved state tree (which names its rules) can be loaded again.
import { describe } from "@fluxion/functors";
import { BUILTIN_RULES } from "./builtin-rules.js";
import { Rule } from "./rule.js";

/** A concrete rule class: what `registerRule` takes. */
export type RuleClass = new (...args: any[]) => Rule;

const registry = new Map<string, RuleClass>();

/** The name a rule class is saved under: its static `ruleName` (set by `defineRule`), else its class name. */
export function ruleClassName(Class: Function): string {
  return (Class as { ruleName?: string }).ruleName ?? Class.name;
}

/**
 * Makes a rule class loadable by `loadState`, under its `ruleName` (`defineRule`'s name, else the
 * class name). The built-in rules are registered already. A rule is rebuilt on load as
 * `new Class(fields)` from its `fieldNames()` values (`new Class()` when it has none), or
 * `new Class(...rules)` for an `OptimiserChain` subclass. Registering the same class again does
 * nothing; registering a different class under a name already taken throws.
 */
export function registerRule(Class: RuleClass): void {
  if (typeof Class !== "function" || !(Class.prototype instanceof Rule)) {
    throw new TypeError(`registerRule: expected a rule class (a subclass of Rule), got ${describe(Class)}`);
  }
  const name = ruleClassName(Class);
  if (typeof name !== "string" || name === "") {
    throw new Error("registerRule: the class has no name; give it a static ruleName");
  }
  const old = registry.get(name);
  if (old !== undefined && old !== Class) {
    throw new Error(`registerRule: a different class is already registered as '${name}'; give yours another static ruleName`);
  }
  registry.set(name, Class);
}

/** The class registered as `name`, if any. */
export function registeredRule(name: string): RuleClass | undefined {
  return registry.get(name);
}


for (const R of BUILTIN_RULES) registerRule(R);
