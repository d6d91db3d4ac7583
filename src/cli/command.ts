/**
 * The shape of one `baton` command. Each command is one file under src/cli/ exporting a `CommandSpec`, listed in
 * src/cli/commands.ts; src/cli.ts turns the list into the command line, its help and its errors.
 */
import type { CliOption, OptionGroup } from './options.js';

/** Flag values as commander hands them over, by camelCase name. */
export type Flags = Record<string, unknown>;

/** What a running command gets besides its arguments. */
export interface RunContext {
  /** Aborted on SIGINT or SIGTERM, with the signal's name as the reason. The command stops and resolves. */
  stop: AbortSignal;
}

export interface CommandSpec {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Positional arguments in commander's syntax (`<agent>`, `[id]`) with their help. */
  arguments?: ReadonlyArray<readonly [syntax: string, description: string]>;
  /** The shared options it takes (src/cli/options.ts). */
  groups: readonly OptionGroup[];
  /** Options of this command only. */
  options?: readonly CliOption[];
  /** Runs the command and resolves to the process exit code (EXIT below). */
  run(args: string[], flags: Flags, context: RunContext): Promise<number>;
}

/**
 * Exit codes: 0 done; 1 the work failed (a dispatch failed, a task was not found, the store is unreadable);
 * 2 the command line or the configuration is wrong, and nothing was done; 128 + N stopped by signal N.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const SIGNAL_NUMBERS: Partial<Record<string, number>> = { SIGINT: 2, SIGTERM: 15 };

/** 128 + the signal's number, for a one-shot command that a signal stopped (130 for SIGINT, 143 for SIGTERM). */
export function signalExitCode(signal: unknown): number {
  return 128 + (SIGNAL_NUMBERS[String(signal)] ?? 15);
}
