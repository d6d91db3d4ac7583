/**
 * `Bash` (Claude Code's name and meaning): runs a command with the first workspace root as its folder, in a process
 * group of its own, with a timeout and an output cap. On cancel or timeout the whole group is killed, children
 * included; so is anything it left running in the background when it ends. Offered only with `--allow bash`.
 * It is not a sandbox: the command can do whatever the user running Baton can.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { CancelledError } from '../../errors.js';
import { tool, type AgentTool, type ToolOutput } from '../agent-tool.js';
import { spawnInGroup, terminateGroup } from '../process-group.js';
import type { Workspace } from './workspace.js';

export const name = 'Bash';

/** Claude Code's limits: 2 minutes by default, 10 at most; 30,000 characters of output. */
export const BASH_DEFAULT_TIMEOUT_MS = 120_000;
export const BASH_MAX_TIMEOUT_MS = 600_000;
export const BASH_MAX_OUTPUT_CHARS = 30_000;

/** Variables a command must not see: Baton's own keys and tokens. */
const SECRET_ENV = /^(ANTHROPIC_API_KEY|OPENAI_API_KEY|BATON_.*)$/;

const InputSchema = z.object({
  command: z.string().min(1).describe('The shell command to run (bash -c).'),
  timeout: z
    .number()
    .int()
    .positive()
    .max(BASH_MAX_TIMEOUT_MS)
    .optional()
    .describe(
      `Milliseconds before the command is killed (default ${BASH_DEFAULT_TIMEOUT_MS}, at most ${BASH_MAX_TIMEOUT_MS}).`,
    ),
  description: z.string().optional().describe('What the command does, in a few words.'),
});

/** Options of the Bash tool (tests shorten the grace period). */
export interface BashOptions {
  /** Time between SIGTERM and SIGKILL. Default 2000 ms. */
  graceMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** The Bash tool over `workspace`. */
export function create(workspace: Workspace, options: BashOptions = {}): AgentTool {
  const shell = existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';
  return tool(
    name,
    `Run a shell command in ${workspace.primary} (the first workspace root). Output (stdout and stderr) is cut at ` +
      `${BASH_MAX_OUTPUT_CHARS} characters; the command is killed after its timeout (default ${BASH_DEFAULT_TIMEOUT_MS / 1000} s).`,
    InputSchema,
    (args, signal) =>
      runCommand(shell, args.command, {
        cwd: workspace.primary,
        timeoutMs: args.timeout ?? BASH_DEFAULT_TIMEOUT_MS,
        signal,
        graceMs: options.graceMs ?? 2000,
        env: cleanEnv(options.env ?? process.env),
      }),
  );
}

interface RunOptions {
  cwd: string;
  timeoutMs: number;
  signal: AbortSignal;
  graceMs: number;
  env: NodeJS.ProcessEnv;
}

async function runCommand(shell: string, command: string, options: RunOptions): Promise<ToolOutput> {
  if (options.signal.aborted) throw new CancelledError();
  const child = spawnInGroup(shell, ['-c', command], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let dropped = 0;
  const collect = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    const room = BASH_MAX_OUTPUT_CHARS - output.length;
    if (room > 0) output += text.slice(0, room);
    dropped += Math.max(0, text.length - Math.max(room, 0));
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  let ended: 'timeout' | 'cancel' | null = null;
  const pid = child.pid!;
  const stop = (why: 'timeout' | 'cancel') => {
    if (ended) return;
    ended = why;
    void terminateGroup(pid, options.graceMs);
  };
  const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
  const onAbort = () => stop('cancel');
  options.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
      (resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (exitCode, exitSignal) => resolve({ code: exitCode, signal: exitSignal }));
      },
    );
    // Whatever it left running in the background goes with it: no orphans.
    await terminateGroup(pid, options.graceMs);
    if (ended === 'cancel') throw new CancelledError('Bash: the command was cancelled and its processes killed');
    const notes: string[] = [];
    if (dropped > 0) notes.push(`[output truncated: ${dropped} more characters]`);
    if (ended === 'timeout') notes.push(`[killed after the ${options.timeoutMs} ms timeout]`);
    else if (code !== 0) notes.push(code === null ? `[killed by ${signal}]` : `[exit code ${code}]`);
    const text = [output.trimEnd() || '(no output)', ...notes].join('\n');
    return { text, ...(ended === 'timeout' || code !== 0 ? { isError: true } : {}) };
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', onAbort);
  }
}

function cleanEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !SECRET_ENV.test(key)));
}
