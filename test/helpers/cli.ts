/** Runs the built CLI (`dist/bin/cli.js`) as a child process, isolated from the caller's BATON_* environment. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built entry point; `npm test` builds it first (pretest). */
export const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/bin/cli.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment without any BATON_* variable, so the host's settings cannot leak into a test. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('BATON_')) env[key] = value;
  return { ...env, ...extra };
}

/** Runs `node dist/bin/cli.js ...args` to completion and collects its output. */
export async function runCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<CliResult> {
  const cli = spawnCli(args, options);
  const timer = setTimeout(() => cli.process.kill('SIGKILL'), options.timeoutMs ?? 15_000);
  try {
    const { code, signal } = await cli.exited;
    return { code, signal, stdout: cli.stdout(), stderr: cli.stderr() };
  } finally {
    clearTimeout(timer);
  }
}

export interface SpawnedCli {
  process: ChildProcess;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `node dist/bin/cli.js ...args` with piped stdio (nothing reaches the test's own stdout); `command` runs
 * another program instead (a pty wrapper around the CLI).
 */
export function spawnCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
  command: [file: string, args: string[]] = [process.execPath, [CLI, ...args]],
): SpawnedCli {
  const child = spawn(command[0], command[1], {
    cwd: options.cwd,
    env: cleanEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  return { process: child, stderr: () => stderr, stdout: () => stdout, exited };
}

/**
 * Starts `baton serve --http HOST:0 ...` and waits for its `listening on http://HOST:PORT/mcp` line.
 * Kills the process and throws (with its stderr) if it exits or does not listen in time.
 */
export async function startHttpServer(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<SpawnedCli & { url: string }> {
  const cli = spawnCli(['serve', ...args], options);
  const timeoutMs = options.timeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const url = await Promise.race([
      new Promise<string>((resolve) => {
        const check = () => {
          const match = /listening on (http:\/\/\S+?)\/mcp/.exec(cli.stderr());
          if (match) {
            cli.process.stderr?.off('data', check);
            resolve(match[1]!);
          }
        };
        cli.process.stderr?.on('data', check);
      }),
      cli.exited.then(({ code, signal }) => {
        throw new Error(`baton serve exited (${code ?? signal}) before listening:\n${cli.stderr()}`);
      }),
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`baton serve did not listen within ${timeoutMs} ms:\n${cli.stderr()}`)),
          timeoutMs,
        );
      }),
    ]);
    return { ...cli, url };
  } catch (error) {
    cli.process.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
