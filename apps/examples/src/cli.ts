#!/usr/bin/env node
// fluxion examples: `node dist/cli.js [command] [options]`; `--help` lists the commands.
// Exit status: 0 on success, 1 on a failure, 2 on a usage error (printed with the usage on stderr).
import { useBackend } from "fluxion";
import { backendOption, COMMANDS } from "./commands.js";
import { commandHelp, commandUsage, PROGRAM, toolHelp, toolUsage } from "./help.js";
import { parseCommandLine, UsageError } from "./parse-args.js";

const DEFAULT_COMMAND = "mnist";

/** Runs the command line `args`; resolves to the exit status. */
async function main(args: string[]): Promise<number> {
  let usage = toolUsage();
  try {
    // As in git, the command comes first; without one, the options are mnist's.
    const word = args[0] !== undefined && !args[0].startsWith("-") ? args[0] : undefined;
    if (word === "help") return printHelp(args.slice(1));
    const name = word ?? DEFAULT_COMMAND;
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`unknown command '${name}'; expected one of: ${Object.keys(COMMANDS).join(", ")}, help`);
    usage = `${commandUsage(name)}\n(${PROGRAM} ${name} --help lists its options)`;
    const parsed = parseCommandLine(word ? args.slice(1) : args, command.options);
    if (parsed.values.help) return printHelp(word ? [name] : []);
    if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument '${parsed.positionals[0]}' (the command, if any, comes first)`);
    await useBackend(backendOption(parsed));
    await command.run(parsed);
    return 0;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`error: ${message}`);
    if (!(err instanceof UsageError)) return 1;
    console.error(usage);
    return 2;
  }
}

/** `help` alone or `help <command>`. */
function printHelp(rest: string[]): number {
  const [name, ...more] = rest;
  if (name === undefined) console.log(toolHelp());
  else if (COMMANDS[name] && more.length === 0) console.log(commandHelp(name));
  else throw new UsageError(`help takes one command name, one of: ${Object.keys(COMMANDS).join(", ")}; got '${rest.join(" ")}'`);
  return 0;
}

main(process.argv.slice(2)).then((status) => {
  process.exitCode = status;
});
