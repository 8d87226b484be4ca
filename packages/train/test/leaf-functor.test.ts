import { describe, expect, jest, test } from "@jest/globals";
import { tf } from "@fluxion/backend";
import { registerFunctor } from "@fluxion/functors";
import { Descent, Leaf, Momentum } from "@fluxion/optimisers";
import { Dense, dispose } from "@fluxion/nn";
import { train } from "../src/index.js";

// Optimisers may make Leaf a functor over its state; train's state check must stop at Leafs
// either way. The registration is global, so it lives in its own test file (module registry).
registerFunctor(Leaf, ["state"]);

describe("train with Leaf registered as a functor", () => {
  test("a rule's state is found inside Maps, and a stateless rule does not warn", async () => {
    const model = new Map([["dense", new Dense(tf.tensor2d([[1]]), false)]]);
    const x = tf.tensor2d([[1]]);
    const loss = (m: typeof model, v: tf.Tensor) => tf.sum(m.get("dense")!.apply(v));
    const warn = jest.spyOn(console, "warn").mockImplementation(() => {});
    await train(loss, model, [x], new Descent(0.1), { progress: false });
    expect(warn).not.toHaveBeenCalled();
    await train(loss, model, [x], new Momentum(0.1), { progress: false });
    expect(warn.mock.calls[0]![0]).toContain("Optimiser Momentum has state which will be discarded");
    warn.mockRestore();
    x.dispose();
    dispose(model.get("dense")!);
  });
});
