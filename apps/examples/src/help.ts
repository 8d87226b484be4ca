// The CLI's help texts, built from the command table so they cannot drift from what is parsed.
import { COMMANDS, COMMON_OPTIONS } from "./commands.js";
import { describeOptions } from "./parse-args.js";

/** How to run the CLI: `node dist/cli.js` from apps/examples, or `bash scripts/demo.sh` from the root. */
export const PROGRAM = "cli.js";

export function toolUsage(): string {
  return `usage: ${PROGRAM} [command] [options]\n       ${PROGRAM} <command> --help`;
}

export function toolHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length)) + 2;
  const commands = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`);
  return [
    toolUsage(),
    "",
    "Runnable fluxion examples in Node. From the repository root: bash scripts/demo.sh [command] [options].",
    "",
    "commands:",
    ...commands,
    `  ${"help".padEnd(width)}this help; help <command>: that command's`,
    "",
    "options of every command:",
    describeOptions(COMMON_OPTIONS),
    "",
    "exit status: 0 on success, 1 on a failure, 2 on a usage error",
  ].join("\n");
}

export function commandUsage(name: string): string {
  return `usage: ${PROGRAM} ${name} [options]`;
}

export function commandHelp(name: string): string {
  const command = COMMANDS[name]!;
  return [commandUsage(name), "", command.about, "", "options:", describeOptions(command.options)].join("\n");
}
