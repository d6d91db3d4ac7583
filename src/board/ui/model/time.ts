/** Elapsed time against the deadline (SPEC §12), and how durations and clock times read. */
import { isTerminal } from './task.js';
import type { BoardTask } from './task.js';

export interface Timing {
  /**
   * waiting: pending, not started (elapsed counts the wait); running: started, before its deadline;
   * overdue: past its deadline but not yet ended (the server's timer is about to end it); finished: terminal.
   */
  phase: 'waiting' | 'running' | 'overdue' | 'finished';
  elapsedMs: number;
  /** Start to deadline, when both are known. */
  limitMs: number | null;
  /** elapsed / limit, clamped to 0..1; null without a deadline. */
  fraction: number | null;
}

/** The task's timing at `now` (epoch ms, already corrected for the server's clock). */
export function timing(task: BoardTask, now: number): Timing {
  const start = task.startedAt ?? task.createdAt;
  const limitMs = task.deadline !== null && start !== null ? Math.max(0, task.deadline - start) : null;
  const fractionOf = (elapsed: number) => (limitMs ? Math.min(1, Math.max(0, elapsed / limitMs)) : null);
  if (isTerminal(task.status)) {
    const end = task.finishedAt ?? task.updatedAt ?? now;
    const elapsedMs = start === null ? 0 : Math.max(0, end - start);
    return { phase: 'finished', elapsedMs, limitMs, fraction: fractionOf(elapsedMs) };
  }
  if (task.status === 'pending' || task.startedAt === null) {
    const since = task.createdAt;
    return { phase: 'waiting', elapsedMs: since === null ? 0 : Math.max(0, now - since), limitMs, fraction: null };
  }
  const elapsedMs = start === null ? 0 : Math.max(0, now - start);
  const overdue = task.deadline !== null && now > task.deadline;
  return { phase: overdue ? 'overdue' : 'running', elapsedMs, limitMs, fraction: fractionOf(elapsedMs) };
}

/** "0s", "42s", "4m 05s", "2h 03m", "3d 4h": two units at most, so a column stays narrow. */
export function formatDuration(ms: number): string {
  const seconds = Math.floor(Math.max(0, ms) / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** The elapsed column in words: "1m 05s of 10m", "took 42s", "waiting 3s", "4s over 10m". */
export function describeTiming(t: Timing): string {
  const limit = t.limitMs === null ? null : formatDuration(t.limitMs);
  switch (t.phase) {
    case 'waiting':
      return `waiting ${formatDuration(t.elapsedMs)}`;
    case 'running':
      return limit ? `${formatDuration(t.elapsedMs)} of ${limit}` : formatDuration(t.elapsedMs);
    case 'overdue':
      return limit ? `${formatDuration(t.elapsedMs - (t.limitMs ?? 0))} over ${limit}` : formatDuration(t.elapsedMs);
    case 'finished':
      return `took ${formatDuration(t.elapsedMs)}`;
    default: {
      const never: never = t.phase;
      return never;
    }
  }
}

/** A clock time for the details: "14:03:27" today, "Mar 4, 14:03" otherwise; "—" when unknown. */
export function formatClock(ms: number | null, now: number, locale?: string): string {
  if (ms === null) return '—';
  const date = new Date(ms);
  const sameDay = new Date(now).toDateString() === date.toDateString();
  return sameDay
    ? date.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' })
    : date.toLocaleString(locale, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}
