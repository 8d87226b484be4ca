// The README's trainStep example, run as written (checked results, and no leak).
import { expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { assertNoLeaks } from "@fluxion/backend/testing";
import { Dense, dispose, mse } from "@fluxion/nn";
import { Descent } from "@fluxion/optimisers";
import { earlyStopping, setup, trainStep } from "../src/index.js";

test("README example: trainStep with an aux output, stopped by earlyStopping", () => {
  const model = new Dense([1, 1]);
  const opt = setup(new Descent(0.1), model);
  const x = tf.tensor2d([[1], [2], [3]]);
  const y = tf.tensor2d([[2], [4], [6]]);
  const stop = earlyStopping((l: number) => l, 3, { minDist: 1e-4 }); // 3 calls without progress
  const losses: number[] = [];
  assertNoLeaks(() => {
    for (let epoch = 0; epoch < 1000; epoch++) {
      const [l, yhat] = trainStep((m: Dense) => {
        const out = m.apply(x);
        return [mse(out, y), out]; // the loss first, then anything to keep
      }, model, [], opt);
      yhat.dispose(); // aux tensors are the caller's
      losses.push(l);
      if (stop(l)) break;
    }
  }, 0);
  // It stopped early, after three steps in a row that improved the loss by less than 1e-4.
  expect(losses.length).toBeLessThan(1000);
  const n = losses.length;
  for (const i of [n - 3, n - 2, n - 1]) expect(Math.min(...losses.slice(0, i)) - losses[i]!).toBeLessThan(1e-4);
  expect(Math.min(...losses.slice(0, n - 4)) - losses[n - 4]!).toBeGreaterThanOrEqual(1e-4);
  expect(losses[n - 1]!).toBeLessThan(losses[0]!);
  tf.dispose([x, y]);
  dispose(model);
});
