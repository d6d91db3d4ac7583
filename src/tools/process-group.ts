/**
 * Child processes Baton starts for subagents (a `Bash` command, a stdio MCP server) run in a process group of their
 * own, so that ending one ends everything it started: SIGTERM to the group, then SIGKILL after a grace period. Every
 * live group is also killed if Baton's own process exits without closing it (issue 8: no orphaned child, ever).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const live = new Set<number>();
let exitHookInstalled = false;

/** Starts `command` as the leader of a new process group. */
export function spawnInGroup(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  installExitHook();
  const child = spawn(command, [...args], { ...options, detached: true, shell: false });
  const pid = child.pid;
  if (pid !== undefined) {
    live.add(pid);
    child.once('exit', () => {
      // The leader is gone; members it left behind still hold the group: keep it until they are killed too.
      if (!groupAlive(pid)) live.delete(pid);
    });
  }
  return child;
}

/** Sends `signal` to every process of the group led by `pid`; false when none is left. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Whether any process of the group led by `pid` still runs. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Ends the whole group: SIGTERM, then SIGKILL if anything is left after `graceMs`. Resolves once no process of the
 * group is left (or SIGKILL was sent and 1 s more passed).
 */
export async function terminateGroup(pid: number, graceMs = 2000): Promise<void> {
  if (!signalGroup(pid, 'SIGTERM')) {
    live.delete(pid);
    return;
  }
  if (!(await waitForGroupExit(pid, graceMs))) {
    signalGroup(pid, 'SIGKILL');
    await waitForGroupExit(pid, 1000);
  }
  live.delete(pid);
}

async function waitForGroupExit(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (groupAlive(pid)) {
    if (Date.now() >= end) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

/** The process groups started and not yet ended (for tests and the exit hook). */
export function liveGroups(): number[] {
  return [...live];
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL is the only thing that can be done there.
  process.once('exit', () => {
    for (const pid of live) signalGroup(pid, 'SIGKILL');
  });
}
