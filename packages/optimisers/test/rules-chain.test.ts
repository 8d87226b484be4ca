// OptimiserChain and AccumGrad against hand computations and float64 references (see trajectory.ts).
import { describe, expect, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { setup } from "../src/setup.js";
import { update, updateInPlace } from "../src/update.js";
import { Descent } from "../src/rules/descent.js";
import { Adam } from "../src/rules/adam.js";
import { OptimiserChain } from "../src/rules/optimiser-chain.js";
import { AccumGrad } from "../src/rules/accum-grad.js";
import { Lion } from "../src/rules/lion.js";
import { WeightDecay } from "../src/rules/weight-decay.js";
import { ClipGrad } from "../src/rules/clip-grad.js";
import { ClipNorm } from "../src/rules/clip-norm.js";
import { disposeTree, variable } from "./helpers.js";
import { applyOnce, expectClose, expectTrajectory, refAdam, refClipNorm, refLion, refWeightDecay, reference, trajectory } from "./trajectory.js";

// ---------- combinators with these rules ----------

describe("OptimiserChain and AccumGrad", () => {
  test("OptimiserChain(ClipGrad(1), Descent(0.1)) equals clipping then descending by hand", () => {
    const chain = new OptimiserChain(new ClipGrad(1), new Descent(0.1));
    expect(chain.toString()).toBe("OptimiserChain(ClipGrad(1.0), Descent(0.1))");
    const x0 = [1, 2, 3, 4];
    const dx = [0.5, -3, 2, 0];
    const expected = [1 - 0.1 * 0.5, 2 + 0.1 * 1, 3 - 0.1 * 1, 4];
    const x = tf.tensor1d(x0);
    const g = tf.tensor1d(dx);
    const tree = setup(chain, x);
    const [tree2, x2] = update(tree, x, g);
    expectClose(x2, expected);
    expectClose(x, x0); // update leaves the input alone
    tf.dispose([x, g, x2]);
    [tree, tree2].forEach(disposeTree);
  });

  test("OptimiserChain() is the identity: dx' = dx", () => {
    const chain = new OptimiserChain();
    expect(chain.toString()).toBe("OptimiserChain()");
    expectClose(applyOnce(chain, [1, 2], [0.25, -4]), [0.25, -4]);
    expectTrajectory(trajectory(chain), reference(null, (s, _x, dx) => [s, dx]));
  });

  test("OptimiserChain(WeightDecay(0.01), Adam(0.01)) against a float64 reference", () => {
    const [adamInit, adamStep] = refAdam(0.01, 0.9, 0.999, 1e-8);
    const wd = refWeightDecay(0.01);
    const ref = reference(adamInit, (s, x, dx) => adamStep(s, x, wd(null, x, dx)[1]));
    expectTrajectory(trajectory(new OptimiserChain(new WeightDecay(0.01), new Adam(0.01))), ref);
  });

  test("OptimiserChain(ClipNorm(1), Lion(0.05)) against a float64 reference", () => {
    const [lionInit, lionStep] = refLion(0.05, 0.9, 0.999);
    const clip = refClipNorm(1, 2);
    const ref = reference(lionInit, (s, x, dx) => lionStep(s, x, clip(null, x, dx)[1]));
    expectTrajectory(trajectory(new OptimiserChain(new ClipNorm(1), new Lion(0.05))), ref);
  });

  test("OptimiserChain(AccumGrad(3), Descent(1)) waits two steps, then subtracts the mean of three gradients", () => {
    const x = variable([1, 2]);
    const tree = setup(new OptimiserChain(new AccumGrad(3), new Descent(1)), x);
    const grads = [[0.3, -0.6], [0.9, 0], [-0.3, 1.5], [1, 1], [2, 2], [3, 3]];
    const seen: number[][] = [];
    for (const g of grads) {
      const dx = tf.tensor1d(g);
      updateInPlace(tree, x, dx);
      dx.dispose();
      seen.push(Array.from(x.dataSync()));
    }
    expectClose(seen[0]!, [1, 2]);
    expectClose(seen[1]!, [1, 2]);
    expectClose(seen[2]!, [1 - 0.3, 2 - 0.3]);
    expectClose(seen[4]!, seen[2]!);
    expectClose(seen[5]!, [0.7 - 2, 1.7 - 2]);
    disposeTree(tree);
    x.dispose();
  });

  test("AccumGrad(0) is rejected", () => {
    expect(() => new AccumGrad(0)).toThrow("AccumGrad must accumulate at least one gradient");
  });
});
