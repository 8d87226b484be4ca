// README-utils.md's examples, run as written (with the values they state checked).
import { afterEach, beforeEach, expect, test } from "@jest/globals";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tf } from "@fluxion/backend";
import { liveTensors } from "@fluxion/backend/testing";
import { Adam, Descent, Leaf, OptimiserChain, adjust, loadState, saveState, setup } from "@fluxion/optimisers";
import { Chain, Conv, Dense, dispose, flatten, mse, relu } from "@fluxion/nn";
import { ImplicitOpt, PersistentArray, ShieldedOpt, autoOptimiser, checkImplicitOptimiser, clearOptimiserState, implicitTrainStep, persist } from "@fluxion/evolve";
import { stateLeaves } from "../src/utils/auto-optimiser.js";

let cwd: string;
let root: string;
beforeEach(async () => {
  cwd = process.cwd();
  root = await mkdtemp(join(tmpdir(), "fluxion-readme-"));
  process.chdir(root);
});
afterEach(async () => {
  process.chdir(cwd);
  await rm(root, { recursive: true, force: true });
});

test("README: PersistentArray", async () => {
  const members = await PersistentArray.create("run/members", 5, (i) => ({ id: i, fitness: 0 }));
  members[0] = { id: 0, fitness: 0.9 };
  await persist(members);
  const resumed = await PersistentArray.create("run/members", 7, (i) => ({ id: i, fitness: 0 }));
  expect(resumed[0]!.fitness).toBe(0.9);
  expect(resumed.length).toBe(7);
  await resumed.rm(1);
  expect(await PersistentArray.create("run/members", 2, () => "new")).toEqual([{ id: 0, fitness: 0.9 }, "new"]);
});

test("README: ShieldedOpt and ImplicitOpt", () => {
  const before = liveTensors();
  const model = new Dense([2, 1]);
  const rule = new OptimiserChain(new Adam(0.01), new ShieldedOpt(new Descent(0.5)));
  expect(String(rule)).toBe("OptimiserChain(Adam(0.01, (0.9, 0.999), 1.0e-8), ShieldedOpt(Descent(0.5)))");
  expect(String(adjust(rule, 0.1))).toBe("OptimiserChain(Adam(0.1, (0.9, 0.999), 1.0e-8), ShieldedOpt(Descent(0.1)))");
  const state = setup(new ImplicitOpt(rule), model);
  const again = loadState(saveState(state));
  expect(String(stateLeaves(again)[0]!.rule)).toBe(`ImplicitOpt(${rule})`);
  for (const l of [...stateLeaves(state), ...stateLeaves(again)]) tf.dispose((l as Leaf).state as tf.TensorContainer);
  dispose(model);
  expect(liveTensors()).toBe(before);
});

test("README: AutoOptimiser", () => {
  const before = liveTensors();
  const x = tf.randomNormal([8, 6, 6, 1], 0, 1, "float32", 1);
  const y = tf.randomNormal([8, 1], 0, 1, "float32", 2);
  const wrap = autoOptimiser(new ImplicitOpt(new Adam(0.01)));
  const model = new Chain(wrap(new Conv([3, 3], [1, 4], relu)), flatten, wrap(new Dense([4 * 4 * 4, 1])));
  expect(checkImplicitOptimiser(model)).toBe(true);
  const loss = (m: Chain, x: tf.Tensor, y: tf.Tensor) => mse(m.apply(x), y);
  const losses: number[] = [];
  for (let step = 0; step < 10; step++) losses.push(implicitTrainStep(loss, model, [x, y]));
  expect(losses[9]!).toBeLessThan(losses[0]!);
  clearOptimiserState(model);
  dispose(model);
  tf.dispose([x, y]);
  expect(liveTensors()).toBe(before);
});
