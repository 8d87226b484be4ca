import { Adam, Rng, setup, tf, trainStep, useBackend } from "fluxion";
import { TRAINING_CASES, fluxionLoss } from "/work/main/apps/bench/dist/training-models.js";
const [caseName, backend] = process.argv.slice(2);
await useBackend(backend);
const c = TRAINING_CASES[caseName];
const model = c.build(new Rng(7));
let state = setup(new Adam(0.001), model);
const [x, y] = c.batch();
const loss = fluxionLoss(c.loss);
const t = { true: [], false: [] };
for (let i = 0; i < 40; i++) { const chk = i % 2 === 0; const t0 = performance.now(); trainStep(loss, model, [x, y], state, { checkGradients: chk }); t[chk].push(performance.now() - t0); }
const med = (a) => a.sort((p, q) => p - q)[a.length >> 1].toFixed(2);
console.log("checked", med(t.true), "unchecked", med(t.false));
