/** Whether a process runs, from /proc: no dependency on the rest of the helpers (the globalSetup uses it). */
import { readFileSync } from 'node:fs';

/** True while `pid` runs; a zombie (exited, waiting to be reaped by whoever adopted it) counts as gone. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) STATE …: comm may hold spaces and parentheses, so read after the last ")".
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
