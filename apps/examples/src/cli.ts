#!/usr/bin/env node
// fluxion examples: `node dist/cli.js [command] [--backend cpu|wasm] [options]`.
import { useBackend, type BackendName } from "fluxion";
import { functorsTour } from "./functors-tour.js";
import { mnist, type ModelKind } from "./mnist.js";
import { optimisersTour } from "./optimisers-tour.js";

function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
}

function numberOption(args: string[], name: string, fallback: number, integer = true): number {
  const text = option(args, name, String(fallback));
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`--${name} must be a positive ${integer ? "integer" : "number"}, got '${text}'`);
  }
  return value;
}

const commands: Record<string, (args: string[]) => void | Promise<unknown>> = {
  mnist: (args) => {
    const model = option(args, "model", "mlp");
    if (model !== "mlp" && model !== "cnn") throw new Error(`--model must be mlp or cnn, got '${model}'`);
    const load = option(args, "load", "");
    const save = option(args, "save", "");
    return mnist({
      model: model as ModelKind,
      epochs: numberOption(args, "epochs", model === "mlp" ? 10 : 2),
      batchsize: numberOption(args, "batchsize", 32),
      lr: numberOption(args, "lr", 1e-3, false),
      seed: numberOption(args, "seed", 1),
      ...(load ? { load } : {}),
      ...(save ? { save } : {}),
    });
  },
  tour: () => {
    functorsTour();
    optimisersTour();
  },
  functors: functorsTour,
  optimisers: optimisersTour,
};

async function main(args: string[]): Promise<void> {
  const command = args[0] && !args[0].startsWith("--") ? args[0] : "mnist";
  const run = commands[command];
  if (!run) {
    console.error(`unknown command '${command}'; expected one of: ${Object.keys(commands).join(", ")}`);
    process.exit(2);
  }
  await useBackend(option(args, "backend", "wasm") as BackendName);
  await run(args);
}

main(process.argv.slice(2)).catch((err: Error) => {
  console.error(`error: ${err.message}`);
  process.exit(1);
});
