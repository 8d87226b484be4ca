// One training run: fluxion's `train` over an async generator of batches. The generator is where
// the page gets its turn: it yields to the browser (repaint, clicks, drawing), evaluates on the
// held-out digits every few steps, and ends the run cleanly when stop was pressed.
import { DataLoader, logitCrossentropy, onehotbatch, Rng, tf, train, type Chain, type ProgressEvent, type StateTree } from "fluxion";
import { toFloats, type DigitSplit } from "./digits-data.js";
import { PIXELS } from "./digits-format.js";
import { CLASSES, evaluate, type Evaluation } from "./inference.js";

export interface RunSettings {
  batchSize: number;
  steps: number;
  /** Evaluate on the test digits every this many steps (and before the first and after the last). */
  evalEvery: number;
  seed: number;
}

export interface EvalEvent extends Evaluation {
  step: number;
  /** Live tensors when this evaluation ran: flat from one evaluation to the next in a healthy run. */
  numTensors: number;
  /** True for the evaluation after the last step (one batch fewer is alive then). */
  final: boolean;
}

export interface RunHooks {
  onStep(event: ProgressEvent & { total: number }): void;
  onEval(event: EvalEvent): void;
  shouldStop(): boolean;
}

export interface RunResult {
  steps: number;
  stopped: boolean;
  lastLoss: number;
}

const loss = (m: Chain, x: tf.Tensor, labels: number[]) =>
  tf.tidy(() => logitCrossentropy(m.apply(x) as tf.Tensor, onehotbatch(labels, CLASSES)));

// Give the browser a frame at least this often (ms); yielding after every step would cap a fast
// backend at the display's frame rate.
const FRAME_BUDGET = 25;

export async function runTraining(model: Chain, optState: StateTree, data: DigitSplit, settings: RunSettings, hooks: RunHooks): Promise<RunResult> {
  const { batchSize, steps, evalEvery } = settings;
  const trainX = tf.tensor2d(toFloats(data.train.pixels), [data.train.labels.length, PIXELS]);
  const testX = tf.tensor2d(toFloats(data.test.pixels), [data.test.labels.length, PIXELS]);
  const loader = new DataLoader([trainX, data.train.labels], { batchsize: batchSize, shuffle: true, rng: new Rng(settings.seed + 1) });
  let done = 0;
  let stopped = false;
  let lastEval = -1;
  const evalAt = (step: number, final: boolean) => {
    lastEval = step;
    hooks.onEval({ step, final, numTensors: tf.memory().numTensors, ...evaluate(model, testX, data.test.labels) });
  };

  async function* batches(): AsyncGenerator<[tf.Tensor, number[]]> {
    let lastYield = performance.now();
    for (;;) {
      // Leaving this loop early (return) lets the DataLoader dispose the batch it holds.
      for (const batch of loader) {
        if (hooks.shouldStop()) {
          stopped = true;
          return;
        }
        if (done >= steps) return;
        if (done % evalEvery === 0) evalAt(done, false);
        if (performance.now() - lastYield > FRAME_BUDGET) {
          await tf.nextFrame();
          lastYield = performance.now();
          if (hooks.shouldStop()) {
            stopped = true;
            return;
          }
        }
        yield batch as [tf.Tensor, number[]];
        done += 1;
      }
    }
  }

  try {
    const result = await train(loss, model, batches(), optState, {
      progress: false,
      onProgress: (event) => hooks.onStep({ ...event, total: steps, eta: event.rate > 0 ? (steps - event.step) / event.rate : undefined }),
    });
    if (lastEval !== done) evalAt(done, true);
    return { steps: done, stopped, lastLoss: result.loss };
  } finally {
    tf.dispose([trainX, testX]);
  }
}
