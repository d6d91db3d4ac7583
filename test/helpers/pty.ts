/**
 * Runs the built CLI on a pseudo-terminal of a given width, as a person's shell would: util-linux `script` makes
 * the pty (stdin, stdout and stderr are all the terminal), `stty` sets its size (0 columns: a terminal that reports
 * no width). The CLI's pid is written to a file, so a test can signal the CLI itself rather than `script`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CLI, spawnCli } from './cli.js';
import type { SpawnedCli } from './cli.js';
import { eventually } from './core.js';

export interface PtyCli extends SpawnedCli {
  /** Everything the terminal showed (stdout and stderr together, with \r\n line ends). */
  screen(): string;
  /** The pid of the CLI process inside the terminal. */
  pid(): Promise<number>;
}

export function spawnInPty(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; columns: number; pidFile?: string },
): PtyCli {
  const pidFile = options.pidFile ?? path.join(options.cwd, 'cli.pid');
  const command = [
    `stty cols ${options.columns} rows 24`,
    `echo $$ > ${quote(pidFile)}`,
    `exec ${[process.execPath, CLI, ...args].map(quote).join(' ')}`,
  ].join('; ');
  // -q quiet, -f flush at once, -e exit with the child's status, -c run this command; no typescript file.
  const cli = spawnCli([], { cwd: options.cwd, ...(options.env ? { env: options.env } : {}) }, [
    'script',
    ['-qfec', command, '/dev/null'],
  ]);
  return {
    ...cli,
    screen: cli.stdout,
    pid: () =>
      eventually(async () => Number((await readFile(pidFile, 'utf8').catch(() => '')).trim()) || null, 5000, 'the pid'),
  };
}

function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
