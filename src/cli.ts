#!/usr/bin/env node
/**
 * The `baton` command: argv → one of the commands in src/cli/commands.ts → its exit code (src/cli/command.ts
 * EXIT). The only place that exits the process. A mistake on the command line is one line on stderr and exit 2;
 * help goes to stdout. In stdio mode stdout carries the protocol and nothing else.
 */
import { Command, CommanderError } from 'commander';
import type { CommandSpec, RunContext } from './cli/command.js';
import { EXIT, signalExitCode } from './cli/command.js';
import { COMMANDS, COMMAND_NAMES, DEFAULT_COMMAND } from './cli/commands.js';
import { SHARED_OPTIONS, addOptions } from './cli/options.js';
import { unknownCommand, usageError } from './cli/usage.js';
import { BatonError, ConfigError } from './errors.js';
import { VERSION } from './version.js';

/** How long a stop may take after SIGINT / SIGTERM before the process exits anyway. */
const STOP_GRACE_MS = 10_000;

function buildProgram(context: RunContext, setExitCode: (code: number) => void): Command {
  const program = new Command('baton')
    .description(
      'Baton: an MCP server that lets agents dispatch subagents, delegate and track tasks, and merge results.\n' +
        `Without a command, baton [options] is baton ${DEFAULT_COMMAND.name} [options]: MCP over stdio, as hosts launch it.`,
    )
    .usage('[command] [options]')
    .version(VERSION, '-V, --version', 'print the version')
    .enablePositionalOptions()
    // Errors are printed once, as one line, by main(); subcommands inherit this.
    .configureOutput({ outputError: () => undefined })
    .showSuggestionAfterError()
    // Listed in the help; main() turns `help X` into `X --help` (commander's own would print the whole help
    // after a mistake).
    .helpCommand('help [command]', 'show the help of a command');

  const define = (command: Command, spec: CommandSpec, usagePath: string) => {
    for (const [syntax, description] of spec.arguments ?? []) command.argument(syntax, description);
    // Its own options first: they are what sets the command apart.
    addOptions(command, spec.options ?? []);
    for (const group of spec.groups) addOptions(command, SHARED_OPTIONS[group]);
    command.exitOverride((error) => {
      throw error.exitCode === 0 ? error : usageError(error, usagePath);
    });
    command.action(async (...params: unknown[]) => {
      const self = params[params.length - 1] as Command;
      setExitCode(await spec.run(self.processedArgs as string[], self.opts(), context));
    });
  };

  for (const spec of COMMANDS) define(program.command(spec.name).description(spec.summary), spec, `baton ${spec.name}`);
  // `baton [options]`: the default command. A first word that is no command is a mistake, not its argument.
  define(program, DEFAULT_COMMAND, 'baton');
  program.allowExcessArguments();
  program.hook('preAction', (self, action) => {
    if (action === program && program.args.length > 0) {
      throw unknownCommand(program.args[0]!, COMMAND_NAMES);
    }
  });
  return program;
}

async function main(argv: string[]): Promise<number> {
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) return exitNow(`baton: ${signal} again; exiting now`, signalExitCode(signal));
    stop.abort(signal);
    // The command stops (cancels its work, flushes the store) and returns; if it cannot, exit all the same.
    setTimeout(
      () => exitNow(`baton: still stopping ${STOP_GRACE_MS / 1000} s after ${signal}; exiting`, signalExitCode(signal)),
      STOP_GRACE_MS,
    ).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let code: number = EXIT.ok;
  try {
    await buildProgram({ stop: stop.signal }, (c) => (code = c)).parseAsync(helpAsFlag(argv));
    return code;
  } catch (error) {
    // --help and --version end by "throwing" exit code 0 (commander's exitOverride).
    if (error instanceof CommanderError && error.exitCode === 0) return EXIT.ok;
    // One clear line on stderr; a stack only for faults that are not the user's or the configuration's.
    const message =
      error instanceof BatonError ? error.message : (error instanceof Error && error.stack) || String(error);
    process.stderr.write(`baton: ${message}\n`);
    return error instanceof ConfigError ? EXIT.usage : EXIT.failed;
  }
}

/** `baton help [command]` is `baton [command] --help`; help for a command that does not exist is a mistake. */
function helpAsFlag(argv: string[]): string[] {
  const [node = 'node', script = 'baton', first, second] = argv;
  if (first !== 'help') return argv;
  if (second !== undefined && !COMMAND_NAMES.includes(second)) throw unknownCommand(second, COMMAND_NAMES);
  return [node, script, ...(second === undefined ? [] : [second]), '--help'];
}

function exitNow(line: string, code: number): never {
  process.stderr.write(`${line}\n`);
  process.exit(code);
}

void main(process.argv).then((code) => {
  // Let stdout drain (an answer piped to another program) before exiting.
  process.stdout.write('', () => process.exit(code));
});
