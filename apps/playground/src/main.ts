// The playground page: wires the form, the training run, the plot, the digit grid and the draw box
// together, and makes sure every failure ends up in #error.
import { dispose, Rng, setup, tf, type Chain, type StateTree } from "fluxion";
import { Controls } from "./controls.js";
import { installRecord } from "./debug-hook.js";
import { DigitGrid } from "./digit-grid.js";
import { fetchDigits, splitDigits, type DigitSplit } from "./digits-data.js";
import { DrawBox } from "./draw-box.js";
import { ErrorView } from "./error-view.js";
import { classify } from "./inference.js";
import { toMnist } from "./mnist-format.js";
import { buildModel } from "@fluxion/examples/mnist-models";
import { paintDigit } from "./paint-digit.js";
import { Plot } from "./plot.js";
import { PredictionView } from "./prediction-view.js";
import { ProgressView } from "./progress-view.js";
import { liveTensors, startBackend } from "./backends.js";
import { runTraining } from "./train-loop.js";

const TEST_SIZE = 1000;
const GRID_SIZE = 24;
const SPLIT_SEED = 0;

const el = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const errors = new ErrorView(el("error"));
window.addEventListener("error", (e) => errors.show("Unexpected error", e.error ?? e.message));
window.addEventListener("unhandledrejection", (e) => errors.show("Unhandled promise rejection", e.reason));

const record = installRecord(liveTensors);
const statusEl = el("status");
const backendEl = el("backend-status");
const tensorsEl = el("tensors");
const setStatus = (status: string): void => {
  record.status = status;
  statusEl.textContent = status;
  statusEl.dataset.status = status.split(" ")[0];
};
const showTensors = (): void => {
  tensorsEl.textContent = `tensors: ${liveTensors()}`;
};

const controls = new Controls();
const plot = new Plot(el<HTMLElement>("plot") as unknown as SVGSVGElement);
const progress = new ProgressView(el("progress"), el("progress-text"));
const grid = new DigitGrid(el("digits"), GRID_SIZE);
const prediction = new PredictionView(el("prediction"));
const preview = el<HTMLCanvasElement>("draw-preview");

let model: Chain | null = null;
let running = false;
let stopRequested = false;
let lastDrawing: Float32Array | null = null;

// The digits load once, while the user is choosing settings.
const digits: Promise<DigitSplit> = fetchDigits().then((all) => splitDigits(all, TEST_SIZE, SPLIT_SEED));
digits.then(
  (split) => {
    grid.show(split.test);
    el("data-status").textContent = `${split.train.labels.length} training and ${split.test.labels.length} held-out MNIST digits`;
  },
  (err) => {
    el("data-status").textContent = "the MNIST digits did not load";
    errors.show("Could not load the MNIST digits", err);
  },
);

try {
  controls.applyPresets(new URLSearchParams(location.search));
} catch (err) {
  errors.show("Bad URL preset", err);
}
setStatus("idle");
showTensors();

function predictDrawing(): void {
  if (!lastDrawing) {
    prediction.message("Draw a digit in the box.");
  } else if (!model) {
    prediction.message(running ? "The model is being built: draw again in a moment." : "No model yet: press Start to train one, then draw again.");
  } else {
    prediction.show(classify(model, lastDrawing));
  }
  showTensors();
}

const draw = new DrawBox(el("draw"), (gray, width, height) => {
  try {
    lastDrawing = toMnist(gray, width, height);
    if (lastDrawing) paintDigit(preview, lastDrawing, true);
    predictDrawing();
  } catch (err) {
    errors.show("Could not classify the drawing", err);
  }
});
el("clear").addEventListener("click", () => {
  draw.clear();
  lastDrawing = null;
  preview.getContext("2d")?.clearRect(0, 0, preview.width, preview.height);
  predictDrawing();
});

controls.stop.addEventListener("click", () => {
  stopRequested = true;
  setStatus("stopping");
});
controls.start.addEventListener("click", () => {
  start().catch((err) => errors.show("Training failed", err));
});

async function start(): Promise<void> {
  if (running) return;
  errors.clear();
  let split: DigitSplit;
  try {
    split = await digits;
  } catch (err) {
    errors.show("Cannot train without the MNIST digits", err);
    return;
  }
  let config;
  try {
    config = controls.read(split.train.labels.length);
  } catch (err) {
    errors.show("Check the settings", err);
    return;
  }
  running = true;
  stopRequested = false;
  record.runs += 1;
  controls.setRunning(true);
  let opt: StateTree | null = null;
  let phase = `Could not start the ${config.backend} backend`;
  try {
    // A fresh model every run; the old one's tensors belong to the backend it was made on.
    if (model) dispose(model);
    model = null;
    setStatus(`starting ${config.backend}`);
    await startBackend(config.backend);
    record.backend = tf.getBackend();
    backendEl.textContent = `backend: ${record.backend}`;
    phase = "Could not build the model";
    model = buildModel(config.model, new Rng(config.seed));
    opt = setup(config.rule, model);
    record.losses = [];
    record.evals = [];
    plot.reset(config.steps);
    progress.reset(config.steps);
    setStatus("training");
    phase = "Training failed";
    const started = performance.now();
    const result = await runTraining(model, opt, split, config, {
      shouldStop: () => stopRequested,
      onStep: (e) => {
        record.losses.push(e.loss);
        plot.addLoss(e.step, e.loss);
        progress.update(e.step, e.total, e.rate, e.eta);
        showTensors();
      },
      onEval: ({ predicted, ...e }) => {
        record.evals.push(e);
        plot.addAccuracy(e.step, e.accuracy);
        grid.label(predicted);
        el("accuracy").textContent = `test accuracy ${(100 * e.accuracy).toFixed(1)}% at step ${e.step}`;
      },
    });
    plot.render();
    progress.finish(result.steps, config.steps, result.stopped ? "stopped" : "done", (performance.now() - started) / 1000);
    setStatus(result.stopped ? "stopped" : "done");
  } catch (err) {
    setStatus("failed");
    errors.show(phase, err);
  } finally {
    if (opt) tf.dispose(opt as tf.TensorContainer);
    running = false;
    controls.setRunning(false);
    showTensors();
    if (lastDrawing) predictDrawing();
  }
}
