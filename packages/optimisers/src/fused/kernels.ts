// The fused kernels: for each covered rule class, its update as one loop over float32 arrays.
// Each loop computes what the rule's `apply` computes with tfjs ops (same formulas, same order of
// the state), but in one pass over memory and with no tensor made. Keyed by class, not
// `instanceof`: a subclass may change `apply`, so it takes the op-by-op path.
import { tf } from "@fluxion/backend";
import type { Rule } from "../rule.js";
import { Descent } from "../rules/descent.js";
import { Momentum } from "../rules/momentum.js";
import { Nesterov } from "../rules/nesterov.js";
import { Adam } from "../rules/adam.js";
import { AdamW } from "../rules/adam-w.js";
import { AdaBelief } from "../rules/ada-belief.js";
import { RMSProp } from "../rules/rms-prop.js";
import { Lion } from "../rules/lion.js";
import { WeightDecay } from "../rules/weight-decay.js";
import { SignDecay } from "../rules/sign-decay.js";
import { ClipGrad } from "../rules/clip-grad.js";
import { nextPowers, type BetaPowers } from "../rules/moments.js";

/**
 * One pass of a rule over a tensor: `x` the parameter before the step, `g` the incoming update (the
 * gradient, or the previous rule's output in a chain), `s` the current state arrays and `so` where
 * their new values go. Writes the rule's update `u` to `out[i]`, or `x[i] − u` when `last`. Reads
 * element i of every input before writing element i of any output (inputs and outputs may be the
 * same arrays).
 */
export type Loop = (x: Float32Array, g: Float32Array, out: Float32Array, last: boolean, s: Float32Array[], so: Float32Array[]) => void;

/** A rule's part of a fused step: the state tensors its loop rewrites, the loop, its state after the step. */
export interface Stage {
  tensors: tf.Tensor[];
  loop: Loop;
  state: unknown;
}

/** The stage of a rule (resolved at the leaf's step) for `state`, or null when the state is not in the rule's form. */
type StageOf<R> = (rule: R, state: unknown) => Stage | null;

const KERNELS = new Map<Function, StageOf<any>>();
function kernel<R extends Rule>(Class: abstract new (...args: any[]) => R, stageOf: StageOf<R>): void {
  KERNELS.set(Class, stageOf);
}

/** The stage of `rule` for `state`, or null when its class has no kernel or the state is not in its form. */
export function stageOf(rule: Rule, state: unknown): Stage | null {
  const make = KERNELS.get(rule.constructor);
  return make ? make(rule, state) : null;
}

const isTensor = (t: unknown): t is tf.Tensor => t instanceof tf.Tensor;
const stateless = (loop: Loop, state: unknown): Stage | null => (state === null ? { tensors: [], loop, state } : null);
const oneTensor = (loop: Loop, state: unknown): Stage | null => (isTensor(state) ? { tensors: [state], loop, state } : null);

/** `[m, v, [β1ᵗ, β2ᵗ]]`, the Adam family's state, checked; null if it is not that. */
function moments(state: unknown): [tf.Tensor, tf.Tensor, BetaPowers] | null {
  if (!Array.isArray(state) || state.length !== 3) return null;
  const [m, v, p] = state as unknown[];
  if (!isTensor(m) || !isTensor(v) || !Array.isArray(p) || p.length !== 2 || !p.every((b) => typeof b === "number")) return null;
  return [m, v, p as BetaPowers];
}

kernel(Descent, (rule, state) => {
  const { eta } = rule.values();
  return stateless((x, g, out, last) => {
    for (let i = 0; i < x.length; i++) {
      const u = eta * g[i]!;
      out[i] = last ? x[i]! - u : u;
    }
  }, state);
});

kernel(WeightDecay, (rule, state) => {
  const { lambda } = rule.values();
  return stateless((x, g, out, last) => {
    for (let i = 0; i < x.length; i++) {
      const xi = x[i]!;
      const u = g[i]! + lambda * xi;
      out[i] = last ? xi - u : u;
    }
  }, state);
});

kernel(SignDecay, (rule, state) => {
  const { lambda } = rule.values();
  return stateless((x, g, out, last) => {
    for (let i = 0; i < x.length; i++) {
      const xi = x[i]!;
      const u = g[i]! + lambda * Math.sign(xi);
      out[i] = last ? xi - u : u;
    }
  }, state);
});

kernel(ClipGrad, (rule, state) => {
  const { delta } = rule.values();
  return stateless((x, g, out, last) => {
    for (let i = 0; i < x.length; i++) {
      const gi = g[i]!;
      const u = gi < -delta ? -delta : gi > delta ? delta : gi; // NaN passes, as in tf.clipByValue
      out[i] = last ? x[i]! - u : u;
    }
  }, state);
});

kernel(Momentum, (rule, state) => {
  const { eta, rho } = rule.values();
  return oneTensor((x, g, out, last, [v], [vo]) => {
    for (let i = 0; i < x.length; i++) {
      const u = rho * v![i]! + eta * g[i]!;
      vo![i] = u;
      out[i] = last ? x[i]! - u : u;
    }
  }, state);
});

kernel(Nesterov, (rule, state) => {
  const { eta, rho } = rule.values();
  const [a, b] = [-(rho * rho), (1 + rho) * eta];
  return oneTensor((x, g, out, last, [v], [vo]) => {
    for (let i = 0; i < x.length; i++) {
      const vi = v![i]!;
      const gi = g[i]!;
      const u = a * vi + b * gi;
      vo![i] = rho * vi - eta * gi;
      out[i] = last ? x[i]! - u : u;
    }
  }, state);
});

kernel(Lion, (rule, state) => {
  const { eta, beta: [b1, b2] } = rule.values();
  return oneTensor((x, g, out, last, [m], [mo]) => {
    for (let i = 0; i < x.length; i++) {
      const gi = g[i]!;
      const mi = b2 * gi + (1 - b2) * m![i]!; // the Julia order, as Lion.apply
      mo![i] = mi;
      const u = eta * Math.sign((b2 - b1) * gi + b1 * mi);
      out[i] = last ? x[i]! - u : u;
    }
  }, state);
});

/**
 * Adam and AdamW: `m ← β1 m + (1−β1) g`, `v ← β2 v + (1−β2) g²`,
 * `u = m/(1−β1ᵗ) / (sqrt(v/(1−β2ᵗ)) + ϵ)`, update `a·u + c·x` (Adam: a = η, c = 0).
 */
function adamStage(state: unknown, beta: readonly [number, number], epsilon: number, a: number, c: number): Stage | null {
  const mv = moments(state);
  if (mv === null) return null;
  const [m, v, betaT] = mv;
  const [b1, b2] = beta;
  const [c1, c2] = [1 - betaT[0], 1 - betaT[1]];
  const loop: Loop = (x, g, out, last, [ms, vs], [mo, vo]) => {
    for (let i = 0; i < x.length; i++) {
      const gi = g[i]!;
      const xi = x[i]!;
      const mi = b1 * ms![i]! + (1 - b1) * gi;
      const vi = b2 * vs![i]! + (1 - b2) * gi * gi;
      mo![i] = mi;
      vo![i] = vi;
      const u = a * (mi / c1 / (Math.sqrt(vi / c2) + epsilon)) + c * xi;
      out[i] = last ? xi - u : u;
    }
  };
  return { tensors: [m, v], loop, state: [m, v, nextPowers(betaT, beta)] };
}

kernel(Adam, (rule, state) => {
  const { eta, beta, epsilon } = rule.values();
  return adamStage(state, beta, epsilon, eta, 0);
});

kernel(AdamW, (rule, state) => {
  const { eta, beta, lambda, epsilon, couple } = rule.values();
  return adamStage(state, beta, epsilon, eta, couple ? eta * lambda : lambda);
});

kernel(AdaBelief, (rule, state) => {
  const { eta, beta, epsilon } = rule.values();
  const mv = moments(state);
  if (mv === null) return null;
  const [m, s, betaT] = mv;
  const [b1, b2] = beta;
  const [c1, c2] = [1 - betaT[0], 1 - betaT[1]];
  const loop: Loop = (x, g, out, last, [ms, ss], [mo, so]) => {
    for (let i = 0; i < x.length; i++) {
      const gi = g[i]!;
      const mi = b1 * ms![i]! + (1 - b1) * gi;
      const d = gi - mi;
      const si = b2 * ss![i]! + (1 - b2) * d * d + epsilon;
      mo![i] = mi;
      so![i] = si;
      const u = eta * (mi / c1 / (Math.sqrt(si / c2) + epsilon));
      out[i] = last ? x[i]! - u : u;
    }
  };
  return { tensors: [m, s], loop, state: [m, s, nextPowers(betaT, beta)] };
});

kernel(RMSProp, (rule, state) => {
  const { eta, rho, epsilon, centred } = rule.values();
  if (!Array.isArray(state) || state.length !== 2 || !isTensor(state[0])) return null;
  const [quad, lin] = state as [tf.Tensor, unknown];
  if (centred && !isTensor(lin)) return null; // op-by-op reports it
  const loop: Loop = (x, g, out, last, [q, l], [qo, lo]) => {
    for (let i = 0; i < x.length; i++) {
      const gi = g[i]!;
      const qi = rho * q![i]! + (1 - rho) * gi * gi;
      qo![i] = qi;
      let spread = qi;
      if (centred) {
        const li = rho * l![i]! + (1 - rho) * gi;
        lo![i] = li;
        spread = qi - li * li;
      }
      const u = (gi * eta) / (Math.sqrt(spread) + epsilon);
      out[i] = last ? x[i]! - u : u;
    }
  };
  return { tensors: centred ? [quad, lin as tf.Tensor] : [quad], loop, state: [quad, lin] };
});
