import { tf, useBackend } from "fluxion";
import { firstNonFinite, rewriteProblem } from "@fluxion/backend/internal";
await useBackend(process.argv[2]);
const ts = [tf.randomNormal([784,1024]), tf.randomNormal([1024,1024]), tf.randomNormal([1024]), tf.randomNormal([1024,10])];
console.log(rewriteProblem([], ts), firstNonFinite(ts));
for (let r = 0; r < 3; r++) { const t0 = performance.now(); for (let i = 0; i < 20; i++) firstNonFinite(ts); console.log("scan ms", ((performance.now()-t0)/20).toFixed(3)); }
const t0 = performance.now(); for (let i = 0; i < 20; i++) { const p = tf.tidy(() => tf.concat(ts.map(g => tf.reshape(tf.sum(g), [1])))); p.dataSync(); p.dispose(); } console.log("sum ms", ((performance.now()-t0)/20).toFixed(3));
