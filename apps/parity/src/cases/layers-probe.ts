// The common shape of a layer case: build a seeded model and input, run the forward pass (outside
// any gradient, the path a user's inference takes), then take the gradient of a loss that weights
// every output element by fixed random numbers (a plain sum would hide wrong gradient entries).
import { tf } from "@fluxion/backend";
import { dispose, glorotUniform, gradient, Rng, type Initialiser } from "@fluxion/nn";
import type { Outputs, ParityCase } from "../case.js";
import { collectTensors, randn } from "./tensors.js";

/** A seeded glorotUniform, the same weights on every backend. */
export const seeded = (seed: number, gain?: number): Initialiser => glorotUniform({ rng: new Rng(seed), gain });

/** A seeded N(mean, scale²) initialiser, for biases, γ and β that should not be zeros and ones. */
export const normalInit = (seed: number, scale = 1, mean = 0): Initialiser => (shape) =>
  tf.tidy(() => tf.add(randn([...shape], seed, scale), mean));

export interface Probe<M> {
  /** Builds the model; temporaries (seeded bias tensors, warm-up outputs) are freed by a tidy. */
  build: () => M;
  /** Float inputs, differentiated as `dx` (one) or `dx.i` (several). */
  inputs: () => tf.Tensor[];
  /** The layer's outputs: a tensor, or an array / object of them (named y.0, y.h, …). */
  forward: (model: M, ...xs: tf.Tensor[]) => unknown;
  /** Extra outputs read after the gradient (running statistics, say); they must be new tensors. */
  after?: (model: M) => Outputs;
  /** Outputs not compared: gradients that are exactly zero in exact arithmetic, so only rounding noise. */
  omit?: string[];
}

/** Runs a probe: outputs `y…`, `dmodel…`, `dx…` and whatever `after` adds. */
export function probe<M>(p: Probe<M>, seed: number): Outputs {
  let model!: M;
  tf.tidy(() => {
    model = p.build();
  });
  const xs = p.inputs();
  const outputs = (m: M, inputs: tf.Tensor[]): Record<string, tf.Tensor> => collectTensors(p.forward(m, ...inputs), "y");
  // An output that is an input passed through (identity) is copied: the inputs are freed below.
  const y = tf.tidy(() => {
    const raw = outputs(model, xs);
    for (const [k, t] of Object.entries(raw)) if (xs.includes(t)) raw[k] = tf.clone(t);
    return raw;
  });
  // One weight tensor per output, seeded by its position, built from the forward pass's shapes.
  const weights = Object.values(y).map((t, i) => randn(t.shape, seed * 100 + i));
  const loss = (m: M, inputs: tf.Tensor[]): tf.Tensor =>
    tf.addN(Object.values(outputs(m, inputs)).map((t, i) => tf.sum(tf.mul(t, weights[i]!))));
  let grads: unknown[];
  if (xs.length === 0) grads = gradient((m: M) => loss(m, xs), model);
  else if (xs.length === 1) grads = gradient((m: M, x: tf.Tensor) => loss(m, [x]), model, xs[0]!);
  else grads = gradient((m: M, x: tf.Tensor[]) => loss(m, x), model, xs);
  const out: Outputs = { ...y, ...collectTensors(grads[0], "dmodel"), ...collectTensors(grads[1] ?? null, "dx") };
  Object.assign(out, p.after?.(model) ?? {});
  for (const name of p.omit ?? []) {
    tf.dispose(out[name] as tf.Tensor);
    delete out[name];
  }
  dispose(model);
  tf.dispose([...xs, ...weights]);
  return out;
}

/** A layers-group case from a probe; `seed` also seeds the loss weights. */
export function layerCase<M>(name: string, seed: number, p: Probe<M>): ParityCase {
  return { group: "layers", name, run: () => probe(p, seed) };
}
