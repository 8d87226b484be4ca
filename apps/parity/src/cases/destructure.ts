// destructure and its Restructure: flattening order, rebuilding, and gradients through both,
// including a tied tensor (flattened once, its gradient summed over both uses) and non-trainable
// running statistics (left out of the vector, kept by the rebuilt model).
import { tf } from "@fluxion/backend";
import { BatchNorm, Chain, Dense, dispose, glorotUniform, Rng, tanh, testMode, trainMode } from "@fluxion/nn";
import { destructure } from "@fluxion/optimisers";
import type { Outputs, ParityCase } from "../case.js";
import { randn } from "./tensors.js";

function smallModel(): Chain {
  const init = glorotUniform({ rng: new Rng(7) });
  return new Chain(new Dense([3, 4], tanh, { init }), new Dense([4, 2], undefined, { init }));
}

/** Dense → Dense sharing one weight Variable (a tied tensor) → Dense. */
function tiedModel(): Chain {
  const init = glorotUniform({ rng: new Rng(21) });
  const first = new Dense([4, 4], tanh, { init });
  const second = new Dense([4, 4], tanh, { init });
  second.weight.dispose();
  second.weight = first.weight;
  return new Chain(first, second, new Dense([4, 2], undefined, { init }));
}

/** Dense → BatchNorm (in test mode, with running statistics from one training pass) → Dense. */
function normModel(): Chain {
  const init = glorotUniform({ rng: new Rng(31) });
  const model = new Chain(new Dense([3, 4], undefined, { init }), new BatchNorm(4, tanh), new Dense([4, 2], undefined, { init }));
  const x = randn([16, 3], 32, 2);
  trainMode(model);
  tf.dispose([model.apply(x) as tf.Tensor, x]);
  testMode(model);
  return model;
}

/** flat, length, the rebuilt model's output at flat + noise, and the gradient through the rebuild. */
function flatAndRebuilt(model: Chain, nIn: number, seed: number): Outputs {
  const [flat, re] = destructure(model);
  const x = randn([5, nIn], seed);
  const shifted = tf.tidy(() => tf.add(flat, randn([re.length], seed + 1, 0.1)));
  const rebuilt = re(shifted);
  const y = tf.tidy(() => rebuilt.apply(x) as tf.Tensor);
  // Fixed random weights on the output, so every parameter's gradient is distinct.
  const w = randn([5, 2], seed + 2);
  const grad = tf.tidy(() => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(re(v).apply(x) as tf.Tensor, w)))(shifted));
  // The rebuilt model shares the non-trainable tensors with the original: dispose each once.
  dispose([rebuilt, model]);
  tf.dispose([x, shifted, w]);
  return { flat, length: re.length, y, grad };
}

export const destructureCases: ParityCase[] = [
  {
    group: "destructure",
    name: "flat vector of a Chain, and the model rebuilt from 2·flat",
    run: () => {
      const model = smallModel();
      const [flat, re] = destructure(model);
      const x = randn([5, 3], 11);
      const doubled = tf.mul(flat, 2);
      const rebuilt = re(doubled);
      doubled.dispose();
      const y = tf.tidy(() => rebuilt.apply(x) as tf.Tensor);
      dispose(rebuilt);
      dispose(model);
      x.dispose();
      return { flat, y, length: re.length };
    },
  },
  {
    group: "destructure",
    name: "gradient of a loss with respect to the flat vector",
    run: () => {
      const model = smallModel();
      const [flat, re] = destructure(model);
      const x = randn([5, 3], 12);
      const g = tf.tidy(() => tf.grad((v: tf.Tensor) => tf.sum(tf.square(re(v).apply(x) as tf.Tensor)))(flat));
      dispose(model);
      tf.dispose([x, flat]);
      return { grad: g };
    },
  },
  {
    group: "destructure",
    name: "tied weight: flattened once, rebuilt tied, gradient summed over both uses",
    run: () => flatAndRebuilt(tiedModel(), 4, 40),
  },
  {
    group: "destructure",
    name: "BatchNorm's running statistics are not flattened but kept by the rebuilt model",
    run: () => {
      const model = normModel();
      const bn = model.at(1) as BatchNorm;
      // Copies: the originals are disposed with the model.
      const mu = bn.mu!.clone();
      const sigma2 = bn.sigma2!.clone();
      return { ...flatAndRebuilt(model, 3, 50), mu, sigma2 };
    },
  },
];
