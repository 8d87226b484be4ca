// The form: backend, model, optimiser with its hyper-parameters, batch size, steps, evaluation
// interval and seed. Reads it into a checked run configuration, and fills it from URL presets
// (e.g. ?backend=wasm&optimiser=Adam&eta=0.003&steps=20).
import type { BackendName, Rule } from "fluxion";
import { PAGE_BACKENDS } from "./backends.js";
import { MODEL_KINDS, type ModelKind } from "@fluxion/examples/mnist-models";
import { buildRule, hyperInputs, isOptimiserName, OPTIMISER_NAMES, type OptimiserName } from "./optimisers.js";

export interface RunConfig {
  backend: BackendName;
  model: ModelKind;
  optimiser: OptimiserName;
  rule: Rule;
  batchSize: number;
  steps: number;
  evalEvery: number;
  seed: number;
}

const byId = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id} element`);
  return el as T;
};

/** Presets that are not hyper-parameters; every other query key must name an input of the chosen optimiser. */
const PLAIN_PRESETS: Record<string, string> = { backend: "backend", model: "model", optimiser: "optimiser", batch: "batch", steps: "steps", evalEvery: "eval-every", seed: "seed" };

export class Controls {
  readonly backend = byId<HTMLSelectElement>("backend");
  readonly model = byId<HTMLSelectElement>("model");
  readonly optimiser = byId<HTMLSelectElement>("optimiser");
  private readonly hyper = byId<HTMLElement>("hyper");
  private readonly batch = byId<HTMLInputElement>("batch");
  private readonly steps = byId<HTMLInputElement>("steps");
  private readonly evalEvery = byId<HTMLInputElement>("eval-every");
  private readonly seed = byId<HTMLInputElement>("seed");
  readonly start = byId<HTMLButtonElement>("start");
  readonly stop = byId<HTMLButtonElement>("stop");

  constructor() {
    fill(this.backend, PAGE_BACKENDS);
    fill(this.model, MODEL_KINDS, (k) => (k === "mlp" ? "MLP 784→128→10" : "CNN 2×conv→10"));
    fill(this.optimiser, OPTIMISER_NAMES);
    this.optimiser.value = "Adam";
    this.optimiser.addEventListener("change", () => this.showHyperInputs());
    this.showHyperInputs();
    this.setRunning(false);
  }

  /** Applies URL query presets; throws naming the first key or value that is not understood. */
  applyPresets(query: URLSearchParams): void {
    const optimiser = query.get("optimiser");
    if (optimiser !== null) {
      if (!isOptimiserName(optimiser)) throw new Error(`URL preset optimiser=${optimiser} is not one of ${OPTIMISER_NAMES.join(", ")}`);
      this.optimiser.value = optimiser;
      this.showHyperInputs();
    }
    for (const [key, value] of query) {
      if (key === "optimiser") continue;
      const plain = PLAIN_PRESETS[key];
      const el = document.getElementById(plain ?? `hp-${key}`) as HTMLInputElement | HTMLSelectElement | null;
      if (!el || (!plain && !el.closest("#hyper"))) {
        const hyper = hyperInputs(this.optimiser.value as OptimiserName).map((h) => h.key);
        throw new Error(`URL preset ${key}=${value} is not understood; expected ${[...Object.keys(PLAIN_PRESETS), ...hyper].join(", ")}`);
      }
      if (el instanceof HTMLSelectElement) {
        const options = Array.from(el.options).map((o) => o.value);
        if (!options.includes(value)) throw new Error(`URL preset ${key}=${value} is not one of ${options.join(", ")}`);
      }
      if (el instanceof HTMLInputElement && el.type === "checkbox") el.checked = value === "1" || value === "true";
      else el.value = value;
    }
  }

  /** The form as a run configuration; throws an Error saying which field is wrong and what it expects. */
  read(trainSize: number): RunConfig {
    const optimiser = this.optimiser.value as OptimiserName;
    const values: Record<string, string | boolean> = {};
    for (const el of Array.from(this.hyper.querySelectorAll("input"))) {
      values[el.name] = el.type === "checkbox" ? el.checked : el.value;
    }
    return {
      backend: this.backend.value as BackendName,
      model: this.model.value as ModelKind,
      optimiser,
      rule: buildRule(optimiser, values),
      batchSize: integer("batch size", this.batch.value, 1, trainSize),
      steps: integer("steps", this.steps.value, 1, 1_000_000),
      evalEvery: integer("evaluate every", this.evalEvery.value, 1, 1_000_000),
      seed: integer("seed", this.seed.value, 0, 2 ** 32 - 1),
    };
  }

  /** While a run is on, only Stop (and drawing) stays usable. */
  setRunning(running: boolean): void {
    this.start.disabled = running;
    this.stop.disabled = !running;
    for (const el of Array.from(document.querySelectorAll<HTMLInputElement | HTMLSelectElement>("#controls input, #controls select"))) el.disabled = running;
  }

  private showHyperInputs(): void {
    const name = this.optimiser.value as OptimiserName;
    this.hyper.replaceChildren(
      ...hyperInputs(name).map((h) => {
        const label = document.createElement("label");
        const input = document.createElement("input");
        input.id = `hp-${h.key}`;
        input.name = h.key;
        if (h.kind === "boolean") {
          input.type = "checkbox";
          input.checked = h.value as boolean;
        } else {
          input.type = "text";
          input.inputMode = "decimal";
          input.size = 8;
          input.value = String(h.value);
        }
        label.append(`${h.key} `, input);
        return label;
      }),
    );
  }
}

function fill(select: HTMLSelectElement, values: readonly string[], text: (v: string) => string = (v) => v): void {
  select.replaceChildren(...values.map((v) => new Option(text(v), v)));
}

function integer(name: string, text: string, min: number, max: number): number {
  const trimmed = text.trim();
  const v = trimmed === "" ? NaN : Number(trimmed);
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${trimmed === "" ? "nothing" : `'${trimmed}'`}`);
  }
  return v;
}
