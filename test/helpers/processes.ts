/** Whether processes are still running, for the tests that check Baton leaves no child process behind. */
import { readFileSync } from 'node:fs';
import { eventually } from './core.js';
import { isRunning } from './process-state.js';

export { isRunning };

/** Resolves once none of `pids` runs; fails naming those left after `timeoutMs`. */
export async function waitUntilGone(pids: number[], timeoutMs = 10_000): Promise<void> {
  try {
    await eventually(() => pids.every((pid) => !isRunning(pid)), timeoutMs, 'the processes to end');
  } catch {
    throw new Error(`still running after ${timeoutMs} ms: ${pids.filter(isRunning).join(', ')}`);
  }
}

/** The pids of the children of `pid` (from /proc), for servers started through a wrapper. */
export function childrenOf(pid: number): number[] {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return text ? text.split(/\s+/).map(Number) : [];
  } catch {
    return [];
  }
}
