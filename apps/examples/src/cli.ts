#!/usr/bin/env node
// fluxion examples: `node dist/cli.js [command] [--backend cpu|wasm]`.
import { useBackend, type BackendName } from "fluxion";
import { functorsTour } from "./functors-tour.js";
import { optimisersTour } from "./optimisers-tour.js";

const commands: Record<string, () => void | Promise<void>> = {
  tour: () => {
    functorsTour();
    optimisersTour();
  },
  functors: functorsTour,
  optimisers: optimisersTour,
};

function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
}

async function main(args: string[]): Promise<void> {
  const command = args[0] && !args[0].startsWith("--") ? args[0] : "tour";
  const run = commands[command];
  if (!run) {
    console.error(`unknown command '${command}'; expected one of: ${Object.keys(commands).join(", ")}`);
    process.exit(2);
  }
  await useBackend(option(args, "backend", "wasm") as BackendName);
  await run();
}

main(process.argv.slice(2)).catch((err: Error) => {
  console.error(`error: ${err.message}`);
  process.exit(1);
});
