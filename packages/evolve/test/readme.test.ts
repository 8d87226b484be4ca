// The README's MNIST example, as written (the README's printed numbers are checked here).
import { expect, test } from "@jest/globals";
import { createRequire } from "node:module";
import { tf } from "@fluxion/backend";
import { liveTensors } from "@fluxion/backend/testing";
import { Adam, setup } from "@fluxion/optimisers";
import { Dense, Rng, dispose, identityInit, logitCrossentropy, onecold, onehotbatch, relu, seedRandom } from "@fluxion/nn";
import { DataLoader, train } from "@fluxion/train";
import { CompGraph, changeNout, checkGraph, graphSummary, inputVertex, insertAfter, vertex } from "../src/index.js";

test("README: a trained MNIST model grows, gains a layer and shrinks", async () => {
  const before = liveTensors();
  seedRandom(0);
  const mnist = createRequire(__filename)("mnist");
  const take = (from: number, to: number) => {
    const rows = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((d) => mnist[d].range(from, to - 1).map((px: number[]) => [px, d] as const));
    return { x: tf.tensor2d(rows.map(([px]) => px)), labels: rows.map(([, d]) => d) };
  };
  const trainSet = take(0, 400);
  const testSet = take(600, 800);
  const classes = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const accuracy = (m: CompGraph) => {
    const logits = m.apply(testSet.x) as tf.Tensor;
    const right = (onecold(logits, classes) as number[]).filter((d, i) => d === testSet.labels[i]).length;
    logits.dispose();
    return right / testSet.labels.length;
  };

  const pixels = inputVertex("pixels", 784);
  const hidden = vertex("hidden", new Dense([784, 64], relu), pixels);
  const model = new CompGraph(pixels, vertex("logits", new Dense([64, 10]), hidden));
  const state = setup(new Adam(1e-3), model);
  const loss = (m: CompGraph, x: tf.Tensor, labels: number[]) => tf.tidy(() => logitCrossentropy(m.apply(x) as tf.Tensor, onehotbatch(labels, classes)));
  const loader = new DataLoader([trainSet.x, trainSet.labels], { batchsize: 32, shuffle: true, rng: new Rng(1) });
  await train(loss, model, loader, state);
  const trained = accuracy(model);
  expect(trained).toBeCloseTo(0.8575, 2); // the README's numbers (cpu and wasm agree)

  changeNout(model, "hidden", +32, { state });
  expect(accuracy(model)).toBe(trained);
  insertAfter(model, "hidden", "hidden2", new Dense([96, 96], relu, { init: identityInit }), { state });
  expect(accuracy(model)).toBe(trained);
  changeNout(model, "hidden", -40, { state });
  const shrunk = accuracy(model);
  expect(shrunk).toBeCloseTo(0.846, 2);
  checkGraph(model);
  await train(loss, model, loader, state);
  expect(accuracy(model)).toBeCloseTo(0.894, 2);
  expect(graphSummary(model)).toContain("hidden2  Dense(56 => 96, relu)");
  tf.dispose([trainSet.x, testSet.x]);
  dispose([model, state]);
  expect(liveTensors()).toBe(before);
}, 120_000);
