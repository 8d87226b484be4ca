// The tfjs side of the optimiser rows: tf.train's optimisers where tfjs has the rule, with
// hyper-parameters matched to fluxion's (Optimisers.jl's) maths; hand-written tfjs-core ops where
// it has none (AdamW, Lion), as a tfjs user would write them.
import { tf } from "fluxion";

/** One step of the baseline on `vars` with the fixed gradients `grads` (same order). */
export type BaselineStep = (vars: tf.Variable[], grads: tf.Tensor[]) => void;

export interface Baseline {
  label: string;
  make: () => { step: BaselineStep; dispose: () => void };
}

const ETA = 0.001;
export const WEIGHT_DECAY = 0.01;

function fromOptimizer(label: string, create: () => tf.Optimizer): Baseline {
  return {
    label,
    make: () => {
      const opt = create();
      const step: BaselineStep = (vars, grads) => opt.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: grads[i]! })));
      return { step, dispose: () => opt.dispose() };
    },
  };
}

/** Per-variable state tensors of a hand-written rule, disposed with the baseline. */
function handWritten(label: string, slots: number, apply: (x: tf.Variable, g: tf.Tensor, s: tf.Variable[], t: number) => void): Baseline {
  return {
    label,
    make: () => {
      const states = new Map<tf.Variable, tf.Variable[]>();
      let t = 0;
      const step: BaselineStep = (vars, grads) => {
        t++;
        vars.forEach((x, i) => {
          if (!states.has(x)) states.set(x, Array.from({ length: slots }, () => tf.tidy(() => tf.variable(tf.zerosLike(x), false))));
          tf.tidy(() => apply(x, grads[i]!, states.get(x)!, t));
        });
      };
      return { step, dispose: () => states.forEach((s) => tf.dispose(s)) };
    },
  };
}

// AdamW, coupled as fluxion's default (PyTorch's): x ← x − η (m̂/(sqrt(v̂)+ϵ) + λ x).
const adamW = handWritten("tfjs ops (tf.train has no AdamW)", 2, (x, g, [m, v], t) => {
  m!.assign(tf.add(tf.mul(m!, 0.9), tf.mul(g, 0.1)));
  v!.assign(tf.add(tf.mul(v!, 0.999), tf.mul(tf.square(g), 0.001)));
  const mHat = tf.div(m!, 1 - 0.9 ** t);
  const vHat = tf.div(v!, 1 - 0.999 ** t);
  const u = tf.div(mHat, tf.add(tf.sqrt(vHat), 1e-8));
  x.assign(tf.sub(x, tf.mul(tf.add(u, tf.mul(x, WEIGHT_DECAY)), ETA)));
});

// Lion as Optimisers.jl writes it: m ← β2 g + (1−β2) m, x ← x − η sign((β2−β1) g + β1 m).
const lion = handWritten("tfjs ops (tf.train has no Lion)", 1, (x, g, [m]) => {
  m!.assign(tf.add(tf.mul(g, 0.999), tf.mul(m!, 0.001)));
  const direction = tf.sign(tf.add(tf.mul(g, 0.999 - 0.9), tf.mul(m!, 0.9)));
  x.assign(tf.sub(x, tf.mul(direction, ETA)));
});

/**
 * Baselines by fluxion rule name. tfjs's RMSProp divides by sqrt(ms + ϵ) where fluxion divides by
 * sqrt(ms) + ϵ: ϵ = 1e-16 there against 1e-8 here agree except on gradients below about 1e-7.
 */
export const BASELINES: Record<string, Baseline> = {
  Descent: fromOptimizer("tf.train.sgd", () => tf.train.sgd(0.1)),
  Momentum: fromOptimizer("tf.train.momentum", () => tf.train.momentum(0.01, 0.9)),
  Adam: fromOptimizer("tf.train.adam", () => tf.train.adam(ETA, 0.9, 0.999, 1e-8)),
  RMSProp: fromOptimizer("tf.train.rmsprop (ϵ² inside sqrt)", () => tf.train.rmsprop(ETA, 0.9, 0, 1e-16)),
  AdamW: adamW,
  Lion: lion,
};
