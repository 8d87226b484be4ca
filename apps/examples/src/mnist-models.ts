// The two MNIST networks of the demo and the browser playground: an MLP and a small CNN, on
// [batch, 784] pixel rows, with Glorot-uniform weights from a seeded Rng.
import { Chain, Conv, Dense, MaxPool, flatten, glorotUniform, relu, tf, type Rng } from "fluxion";

export const MODEL_KINDS = ["mlp", "cnn"] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

const SIDE = 28;

// A named function, so the model's summary prints `toImage` (an arrow inline would have no name).
const toImage = (x: tf.Tensor): tf.Tensor => tf.reshape(x, [-1, SIDE, SIDE, 1]);

export function buildModel(kind: ModelKind, rng: Rng): Chain {
  const init = glorotUniform({ rng });
  if (kind === "mlp") return new Chain(new Dense([SIDE * SIDE, 128], relu, { init }), new Dense([128, 10], undefined, { init }));
  return new Chain(
    toImage,
    new Conv([3, 3], [1, 8], relu, { init }),
    new MaxPool([2, 2]),
    new Conv([3, 3], [8, 16], relu, { init }),
    new MaxPool([2, 2]),
    flatten,
    new Dense([5 * 5 * 16, 10], undefined, { init }),
  );
}
