import { Rule, setup as setupState, trainables, mayWrite, type StateTree } from "@fluxion/optimisers";

/**
 * Optimisers' `setup`, plus Flux's check that `train` can write every trainable parameter in
 * place: each must be a tf.Variable. The error names the path of the first one that is not.
 */
export function setup(rule: Rule, model: unknown): StateTree {
  if (!(rule instanceof Rule)) throw new Error(`setup(rule, model): the first argument must be an optimisation rule such as new Adam(), got ${String(rule)}`);
  for (const [path, x] of trainables(model, { path: true })) {
    if (!mayWrite(x)) {
      throw new Error(
        `model must be fully mutable for train to work, got a plain ${x.dtype} tensor of shape [${x.shape.join(", ")}] at ${path.toString({ compact: true }) || "the top"}.\n` +
          "Parameters must be tf.Variables (the @fluxion/nn layers make them so); or use update(), which returns a new model.",
      );
    }
  }
  return setupState(rule, model);
}
