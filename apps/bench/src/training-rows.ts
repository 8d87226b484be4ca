// Training-step rows: fluxion's trainStep (with and without the finite-gradient check) against
// tfjs-layers' trainOnBatch, same architecture, same initial weights, same batch, Adam.
import { Adam, Rng, dispose, setup, tf, trainStep, type Chain } from "fluxion";
import type * as tflTypes from "@tensorflow/tfjs-layers";
import { interleave, type TimingPlan } from "./timing.js";
import { makeRow, type Row } from "./row.js";
import { fluxionLoss, layersLoss, type TrainingCase } from "./training-models.js";

type Tfl = typeof tflTypes;

export async function trainingRows(c: TrainingCase, tfl: Tfl, backend: string, plan: TimingPlan): Promise<Row[]> {
  const before = tf.memory().numTensors;
  const model: Chain = c.build(new Rng(7));
  const layers = c.layers(tfl, model);
  const adam = tf.train.adam(0.001, 0.9, 0.999, 1e-8);
  layers.compile({ optimizer: adam, loss: layersLoss(c.loss) });
  let state = setup(new Adam(0.001), model);
  const [x, y] = c.batch();
  const loss = fluxionLoss(c.loss);
  const ours = (checkGradients: boolean) => () => trainStep(loss, model, [x, y], state, { checkGradients });
  const theirs = async () => (await layers.trainOnBatch(x, y)) as number;
  // From identical weights, the first step's losses (measured before each update) must agree.
  const ourFirst = ours(true)() as number;
  // tfjs-layers cannot train some models on some backends (conv2d on wasm: no Conv2DBackpropFilter).
  const theirFirst = await theirs().catch((err: unknown) => (err instanceof Error ? err.message : String(err)));
  const baselineOk = typeof theirFirst === "number";
  const times = await interleave(
    [
      { name: "checked", run: ours(true) },
      { name: "unchecked", run: ours(false) },
      ...(baselineOk ? [{ name: "layers", run: theirs }] : []),
    ],
    plan,
  );
  const n = tf.memory().numTensors;
  ours(false)();
  const stepGrowth = tf.memory().numTensors - n;
  dispose(model);
  tf.dispose([x, y, state as tf.TensorContainer]);
  layers.dispose();
  adam.dispose();
  const after = tf.memory().numTensors;
  const versus = baselineOk ? `vs ${theirFirst.toFixed(5)}` : `(tfjs-layers failed: ${theirFirst})`;
  const check = `first loss ${ourFirst.toFixed(5)} ${versus}; step growth ${stepGrowth}`;
  const row = (variant: string, ms: number) =>
    makeRow({ name: `${c.name} (${variant})`, backend, fluxion_ms: ms, baseline_ms: times.layers ?? null, baseline: "tfjs-layers trainOnBatch", tensors_before: before, tensors_after: after, check, ...(c.anchor ? { anchor: c.anchor } : {}) });
  return [row("checkGradients", times.checked!), row("checkGradients: false", times.unchecked!)];
}
