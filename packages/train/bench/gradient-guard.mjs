// Cost of train's gradient guard on the MNIST MLP step (784-128-10, batch 32, Adam): steps with
// and without `checkGradients` interleaved (so load on the machine hits both alike), median ms.
// Run after `pnpm exec tsc -b`: node packages/train/bench/gradient-guard.mjs [cpu|wasm] [steps]
import { tf, useBackend } from "@fluxion/backend";
import { Chain, Dense, Rng, glorotUniform, logitCrossentropy, relu } from "@fluxion/nn";
import { Adam } from "@fluxion/optimisers";
import { setup, trainStep } from "../dist/index.js";

const backend = process.argv[2] ?? "cpu";
const steps = Number(process.argv[3] ?? 400);
await useBackend(backend);
const rng = new Rng(0);
const init = glorotUniform({ rng });
const model = new Chain(new Dense([784, 128], relu, { init }), new Dense([128, 10], undefined, { init }));
const opt = setup(new Adam(1e-4), model);
const x = tf.randomUniform([32, 784], 0, 1, "float32", 1);
const y = tf.oneHot(tf.randomUniform([32], 0, 10, "int32", 2), 10).toFloat();
const loss = (m, xb, yb) => logitCrossentropy(m.apply(xb), yb);

const time = (checkGradients) => {
  const t0 = performance.now();
  trainStep(loss, model, [x, y], opt, { checkGradients });
  return performance.now() - t0;
};
for (let i = 0; i < 30; i++) time(i % 2 === 0);
const on = [];
const off = [];
const tensorsBefore = tf.memory().numTensors;
for (let i = 0; i < steps; i++) {
  if (i % 2 === 0) {
    on.push(time(true));
    off.push(time(false));
  } else {
    off.push(time(false));
    on.push(time(true));
  }
}
const median = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
const [mOn, mOff] = [median(on), median(off)];
console.log(
  `${backend}: ${steps} steps each; median without guard ${mOff.toFixed(3)} ms, with guard ${mOn.toFixed(3)} ms, ` +
    `cost ${(mOn - mOff).toFixed(3)} ms (${((100 * (mOn - mOff)) / mOff).toFixed(2)} %); tensors ${tensorsBefore} -> ${tf.memory().numTensors}`,
);

// The guard alone, on this step's gradient: its readback against reading the loss only.
const { readLossAndGradients } = await import("../dist/finite-guard.js");
const { withGradient } = await import("@fluxion/nn");
const { val, grad } = withGradient((m) => loss(m, x, y), model);
const timeGuard = (check) => {
  const t0 = performance.now();
  readLossAndGradients(val, grad[0], check);
  return performance.now() - t0;
};
const guardOn = [];
const guardOff = [];
for (let i = 0; i < 2000; i++) (i % 2 ? guardOn : guardOff).push(timeGuard(i % 2 === 1));
console.log(`${backend}: the readback alone, median of 1000: loss only ${median(guardOff).toFixed(4)} ms, loss and gradient sums ${median(guardOn).toFixed(4)} ms`);
tf.dispose([val, grad]);
