// Functions and other live values in a saved graph (activations, ApplyIf's predicate and action,
// MutationShield's allowed classes, a Dropout's Rng) are stored by a registered name: a closure
// cannot be written to a file, and the program that loads must supply the same value.
import { describe } from "@fluxion/functors";
import {
  activationName,
  celu,
  elu,
  flatten,
  gelu,
  geluErf,
  hardsigmoid,
  hardswish,
  hardtanh,
  identity,
  leakyrelu,
  lisht,
  logcosh,
  logsigmoid,
  logsoftmax,
  mish,
  relu,
  relu6,
  rrelu,
  selu,
  sigmoid,
  sigmoidFast,
  softmax,
  softplus,
  softshrink,
  softsign,
  swish,
  tanh,
  tanhFast,
  tanhshrink,
  trelu,
} from "@fluxion/nn";
import { hasSingleInput, removeVertex } from "../graph/operations.js";

const byName = new Map<string, unknown>();
const byValue = new Map<unknown, string>();

/**
 * Gives `value` (a function, class or object) the name it is saved under. Register it before
 * saving, and in the program that loads, before loading. A name names one value, a value has one name.
 */
export function registerName(name: string, value: unknown): void {
  if (typeof name !== "string" || name === "") throw new TypeError(`registerName: the name must be a non-empty string, got ${describe(name)}`);
  if (value === null || (typeof value !== "function" && typeof value !== "object")) {
    throw new TypeError(`registerName: only functions, classes and objects are registered (plain values are saved as they are), got ${describe(value)} for '${name}'`);
  }
  const known = byName.get(name);
  if (known !== undefined && known !== value) throw new Error(`registerName: '${name}' already names ${describe(known)}`);
  const other = byValue.get(value);
  if (other !== undefined && other !== name) throw new Error(`registerName: ${describe(value)} is already registered as '${other}'`);
  byName.set(name, value);
  byValue.set(value, name);
}

/** The name `value` is registered under, if any. */
export function registeredName(value: unknown): string | undefined {
  return byValue.get(value);
}

/** The value registered under `name`, if any. */
export function registeredValue(name: string): unknown {
  return byName.get(name);
}

/** The name of `value`, or an error saying how to register it. `where` names the place in the graph. */
export function nameOf(fn: string, where: string, value: unknown): string {
  const name = byValue.get(value);
  if (name === undefined) {
    const label = typeof value === "function" && value.name ? value.name : "value";
    throw new Error(`${fn}: ${where} is ${describe(value)}, which has no registered name, so it could not be loaded again; call registerName("<name>", ${label}) before saving (and before loading)`);
  }
  return name;
}

/** The value registered as `name`, or an error naming it and saying how to register it. */
export function valueOf(fn: string, where: string, name: unknown): unknown {
  if (typeof name !== "string") throw new Error(`${fn}: ${where} must be a registered name (a string), got ${describe(name)}`);
  if (!byName.has(name)) throw new Error(`${fn}: ${where} is '${name}', which is not registered in this program; call registerName(${JSON.stringify(name)}, value) before loading`);
  return byName.get(name);
}

// nn's activations under the names Flux prints (σ, tanh_fast, …); flatten; removeIfSingleInput's parts.
for (const f of [identity, relu, sigmoid, tanh, leakyrelu, elu, selu, celu, softplus, logsigmoid, softsign, swish, gelu, mish, relu6, hardsigmoid, hardtanh, lisht, tanhshrink, softmax, logsoftmax, geluErf, hardswish, logcosh, softshrink, trelu, rrelu, tanhFast, sigmoidFast]) {
  registerName(activationName(f), f);
}
registerName("flatten", flatten);
registerName("hasSingleInput", hasSingleInput);
registerName("removeVertex", removeVertex);
