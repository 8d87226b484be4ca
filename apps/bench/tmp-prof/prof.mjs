import { Adam, Chain, Dense, Rng, glorotUniform, logitCrossentropy, relu, setup, tf, trainStep, useBackend } from "fluxion";
await useBackend("cpu");
const init = glorotUniform({ rng: new Rng(7) });
const model = new Chain(new Dense([784, 256], relu, { init }), new Dense([256, 10], undefined, { init }));
let state = setup(new Adam(0.001), model);
const x = tf.randomUniform([128, 784], 0, 1, "float32", 1);
const y = tf.tidy(() => tf.oneHot(tf.randomUniformInt([128], 0, 10, 2), 10));
const loss = (m, x, y) => logitCrossentropy(m.apply(x), y);
for (let i = 0; i < 5; i++) trainStep(loss, model, [x, y], state, { checkGradients: false });
const prof = await tf.profile(() => { trainStep(loss, model, [x, y], state, { checkGradients: false }); });
const by = {};
for (const k of prof.kernels) { by[k.name] = (by[k.name] ?? 0) + k.kernelTimeMs; }
const t0 = performance.now(); for (let i = 0; i < 20; i++) trainStep(loss, model, [x, y], state, { checkGradients: false }); const ms = (performance.now() - t0) / 20;
console.log("step ms", ms.toFixed(1));
console.log(Object.entries(by).sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, v]) => `${k}: ${v.toFixed(2)} ms`).join("\n"));
