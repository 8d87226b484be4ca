// The fused kernels: for each covered rule class, its update as one loop over float32 arrays.
// Each loop does the ops the rule's `apply` does with tfjs, in the same order, rounding each
// result to float32 (`f`) as a tfjs kernel stores it, and each number to float32 as tfjs makes it
// a scalar tensor: so the result is the op-by-op result bit for bit (a float32 op equals the
// double op rounded once), in one pass over memory and with no tensor made. Keyed by class, not
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
import type { SimdCall, SimdPre } from "./simd.js";

/**
 * One pass of a rule over a tensor: `x` the parameter before the step, `g` the incoming update (the
 * gradient, or the previous rule's output in a chain), `s` the current state arrays and `so` where
 * their new values go. Writes the rule's update `u` to `out[i]`, or `x[i] − u` when `last`. Reads
 * element i of every input before writing element i of any output (inputs and outputs may be the
 * same arrays).
 */
export type Loop = (x: Float32Array, g: Float32Array, out: Float32Array, last: boolean, s: Float32Array[], so: Float32Array[]) => void;

/**
 * A rule's part of a fused step: the state tensors its loop rewrites, the loop, its state after
 * the step, and for most rules the same loop in SIMD WebAssembly (kernels.wat): `simd` as the
 * last rule of a step, `simdPre` (stateless rules) before another rule in a chain.
 */
export interface Stage {
  tensors: tf.Tensor[];
  loop: Loop;
  state: unknown;
  simd?: SimdCall;
  simdPre?: SimdPre;
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

const f = Math.fround;
/** `β·m + (1−β)·g` as `ema` computes it with tfjs ops, from float32 `m`, `g` and `b = f(β)`, `c = f(1−β)`. */
const ema = (m: number, g: number, b: number, c: number): number => f(f(m * b) + f(g * c));

/**
 * The least |v| that `tf.sign` gives ±1 for on the active backend: tfjs-backend-wasm 4.22 gives 0
 * below float32's epsilon 2⁻²³; cpu only at 0 (2⁻¹⁴⁹ is the least positive float32).
 */
const signFloor = (): number => (tf.getBackend() === "wasm" ? 2 ** -23 : 2 ** -149);
/** `tf.sign` with that floor: 0 also at NaN and −0 (where Math.sign gives NaN and −0). */
const sign = (v: number, floor: number): number => (v >= floor ? 1 : v <= -floor ? -1 : 0);

const isTensor = (t: unknown): t is tf.Tensor => t instanceof tf.Tensor;
const stateless = (loop: Loop, state: unknown, simd?: SimdCall, simdPre?: SimdPre): Stage | null =>
  state === null ? { tensors: [], loop, state, simd, simdPre } : null;
const oneTensor = (loop: Loop, state: unknown, simd?: SimdCall): Stage | null => (isTensor(state) ? { tensors: [state], loop, state, simd } : null);

/** `[m, v, [β1ᵗ, β2ᵗ]]`, the Adam family's state, checked; null if it is not that. */
function moments(state: unknown): [tf.Tensor, tf.Tensor, BetaPowers] | null {
  if (!Array.isArray(state) || state.length !== 3) return null;
  const [m, v, p] = state as unknown[];
  if (!isTensor(m) || !isTensor(v) || !Array.isArray(p) || p.length !== 2 || !p.every((b) => typeof b === "number")) return null;
  return [m, v, p as BetaPowers];
}

kernel(Descent, (rule, state) => {
  const eta = f(rule.values().eta);
  return stateless((x, g, out, last) => {
    for (let i = 0; i < x.length; i++) {
      const u = f(g[i]! * eta);
      out[i] = last ? x[i]! - u : u;
    }
  }, state, (k, x, g, _s, n) => k.descent(x, g, n, eta));
});

kernel(WeightDecay, (rule, state) => {
  const lambda = f(rule.values().lambda);
  return stateless((x, g, out, last) => {
    for (let i = 0; i < x.length; i++) {
      const xi = x[i]!;
      const u = f(g[i]! + f(xi * lambda));
      out[i] = last ? xi - u : u;
    }
  }, state, undefined, (k, g, out, x, n) => k.weightdecay(g, out, x, n, lambda));
});

kernel(SignDecay, (rule, state) => {
  const lambda = f(rule.values().lambda);
  const floor = signFloor();
  return stateless((x, g, out, last) => {
    for (let i = 0; i < x.length; i++) {
      const xi = x[i]!;
      const u = f(g[i]! + f(sign(xi, floor) * lambda));
      out[i] = last ? xi - u : u;
    }
  }, state, undefined, (k, g, out, x, n) => k.signdecay(g, out, x, n, lambda, floor));
});

kernel(ClipGrad, (rule, state) => {
  const { delta } = rule.values();
  // tf.clipByValue keeps a NaN on cpu; tfjs-backend-wasm 4.22 clamps it to the lower bound.
  const nan = tf.getBackend() === "wasm" ? -delta : NaN;
  return stateless((x, g, out, last) => {
    for (let i = 0; i < x.length; i++) {
      const gi = g[i]!;
      const u = f(gi > delta ? delta : gi < -delta ? -delta : gi === gi ? gi : nan);
      out[i] = last ? x[i]! - u : u;
    }
  }, state, undefined, (k, g, out, _x, n) => k.clipgrad(g, out, n, delta, nan));
});

kernel(Momentum, (rule, state) => {
  const { eta, rho } = rule.values();
  const [r, e] = [f(rho), f(eta)];
  return oneTensor((x, g, out, last, [v], [vo]) => {
    for (let i = 0; i < x.length; i++) {
      const u = f(f(v![i]! * r) + f(g[i]! * e));
      vo![i] = u;
      out[i] = last ? x[i]! - u : u;
    }
  }, state, (k, x, g, [v], n) => k.momentum(x, g, v!, n, r, e));
});

kernel(Nesterov, (rule, state) => {
  const { eta, rho } = rule.values();
  const [a, b, r, e] = [f(-(rho * rho)), f((1 + rho) * eta), f(rho), f(eta)];
  return oneTensor((x, g, out, last, [v], [vo]) => {
    for (let i = 0; i < x.length; i++) {
      const vi = v![i]!;
      const gi = g[i]!;
      const u = f(f(vi * a) + f(gi * b));
      vo![i] = f(vi * r) - f(gi * e);
      out[i] = last ? x[i]! - u : u;
    }
  }, state, (k, x, g, [v], n) => k.nesterov(x, g, v!, n, a, b, r, e));
});

kernel(Lion, (rule, state) => {
  const { eta, beta: [b1, b2] } = rule.values();
  const [gm, mm, gd, md, e] = [f(b2), f(1 - b2), f(b2 - b1), f(b1), f(eta)];
  const floor = signFloor();
  return oneTensor((x, g, out, last, [m], [mo]) => {
    for (let i = 0; i < x.length; i++) {
      const gi = g[i]!;
      const mi = ema(gi, m![i]!, gm, mm); // β2*dx + (1−β2)*m, the Julia order, as Lion.apply
      mo![i] = mi;
      const u = f(sign(f(f(gi * gd) + f(mi * md)), floor) * e);
      out[i] = last ? x[i]! - u : u;
    }
  }, state, (k, x, g, [m], n) => k.lion(x, g, m!, n, gm, mm, gd, md, e, floor));
});

/** The constants of the Adam family's step, rounded as tfjs makes them scalar tensors. */
function adamConstants(beta: readonly [number, number], betaT: BetaPowers, epsilon: number) {
  const [b1, b2] = beta;
  return { b1: f(b1), c1: f(1 - b1), b2: f(b2), c2: f(1 - b2), u1: f(1 - betaT[0]), u2: f(1 - betaT[1]), eps: f(epsilon) };
}

/**
 * Adam and AdamW: `m ← β1 m + (1−β1) g`, `v ← β2 v + (1−β2) g²`,
 * `u = m/(1−β1ᵗ) / (sqrt(v/(1−β2ᵗ)) + ϵ)`; the update is `u·η` (Adam), `(u + x·λ)·η` (AdamW
 * coupled) or `u·η + x·λ` (AdamW not coupled).
 */
function adamStage(state: unknown, beta: readonly [number, number], epsilon: number, eta: number, lambda: number | null, couple: boolean): Stage | null {
  const mv = moments(state);
  if (mv === null) return null;
  const [m, v, betaT] = mv;
  const { b1, c1, b2, c2, u1, u2, eps } = adamConstants(beta, betaT, epsilon);
  const [e, l] = [f(eta), f(lambda ?? 0)];
  const loop: Loop = (x, g, out, last, [ms, vs], [mo, vo]) => {
    for (let i = 0; i < x.length; i++) {
      const gi = g[i]!;
      const xi = x[i]!;
      const mi = ema(ms![i]!, gi, b1, c1);
      const vi = ema(vs![i]!, f(gi * gi), b2, c2);
      mo![i] = mi;
      vo![i] = vi;
      const d = f(f(mi / u1) / f(f(Math.sqrt(f(vi / u2))) + eps));
      const u = lambda === null ? f(d * e) : couple ? f(f(d + f(xi * l)) * e) : f(f(d * e) + f(xi * l));
      out[i] = last ? xi - u : u;
    }
  };
  const mode = lambda === null ? 0 : couple ? 1 : 2;
  const simd: SimdCall = (k, x, g, [mp, vp], n) => k.adam(x, g, mp!, vp!, n, b1, c1, b2, c2, u1, u2, eps, e, l, mode);
  return { tensors: [m, v], loop, state: [m, v, nextPowers(betaT, beta)], simd };
}

kernel(Adam, (rule, state) => {
  const { eta, beta, epsilon } = rule.values();
  return adamStage(state, beta, epsilon, eta, null, false);
});

kernel(AdamW, (rule, state) => {
  const { eta, beta, lambda, epsilon, couple } = rule.values();
  return adamStage(state, beta, epsilon, eta, lambda, couple);
});

kernel(AdaBelief, (rule, state) => {
  const { eta, beta, epsilon } = rule.values();
  const mv = moments(state);
  if (mv === null) return null;
  const [m, s, betaT] = mv;
  const { b1, c1, b2, c2, u1, u2, eps } = adamConstants(beta, betaT, epsilon);
  const e = f(eta);
  const loop: Loop = (x, g, out, last, [ms, ss], [mo, so]) => {
    for (let i = 0; i < x.length; i++) {
      const gi = g[i]!;
      const mi = ema(ms![i]!, gi, b1, c1);
      const d = f(gi - mi);
      const si = f(ema(ss![i]!, f(d * d), b2, c2) + eps);
      mo![i] = mi;
      so![i] = si;
      const u = f(f(f(mi / u1) / f(f(Math.sqrt(f(si / u2))) + eps)) * e);
      out[i] = last ? x[i]! - u : u;
    }
  };
  const simd: SimdCall = (k, x, g, [mp, sp], n) => k.adabelief(x, g, mp!, sp!, n, b1, c1, b2, c2, u1, u2, eps, e);
  return { tensors: [m, s], loop, state: [m, s, nextPowers(betaT, beta)], simd };
});

kernel(RMSProp, (rule, state) => {
  const { eta, rho, epsilon, centred } = rule.values();
  if (!Array.isArray(state) || state.length !== 2 || !isTensor(state[0])) return null;
  const [quad, lin] = state as [tf.Tensor, unknown];
  if (centred && !isTensor(lin)) return null; // op-by-op reports it
  const [r, c, e, eps] = [f(rho), f(1 - rho), f(eta), f(epsilon)];
  const loop: Loop = (x, g, out, last, [q, l], [qo, lo]) => {
    for (let i = 0; i < x.length; i++) {
      const gi = g[i]!;
      const qi = ema(q![i]!, f(gi * gi), r, c);
      qo![i] = qi;
      let spread = qi;
      if (centred) {
        const li = ema(l![i]!, gi, r, c);
        lo![i] = li;
        spread = f(qi - f(li * li));
      }
      const u = f(f(gi * e) / f(f(Math.sqrt(spread)) + eps));
      out[i] = last ? x[i]! - u : u;
    }
  };
  const simd: SimdCall = (k, x, g, [qp, lp], n) => k.rmsprop(x, g, qp!, lp ?? 0, n, r, c, e, eps, centred ? 1 : 0);
  return { tensors: centred ? [quad, lin as tf.Tensor] : [quad], loop, state: [quad, lin], simd };
});
