/**
 * The page's one piece of data: task id → task, and the seq it is current to. A snapshot replaces it; changes
 * (from the event stream or a poll) are applied one task at a time, each only if it is newer than what is held,
 * so a change that arrives twice or late never moves a task backwards.
 */
import { STATUS_INFO } from './status.js';
import { parseTask } from './task.js';
import type { BoardTask } from './task.js';

export interface BoardData {
  readonly tasks: ReadonlyMap<string, BoardTask>;
  /** The highest seq applied: what a reconnect resumes after. */
  readonly seq: number;
  /** false until the first snapshot arrived. */
  readonly loaded: boolean;
}

export const EMPTY_BOARD: BoardData = { tasks: new Map(), seq: 0, loaded: false };

/** One applied change: the task as it was (undefined when new) and as it is. */
export interface TaskChange {
  before: BoardTask | undefined;
  after: BoardTask;
}

export function applySnapshot(seq: number, raw: readonly unknown[]): BoardData {
  const tasks = new Map<string, BoardTask>();
  for (const item of raw) {
    const task = parseTask(item);
    if (task) tasks.set(task.id, task);
  }
  return { tasks, seq: Math.max(0, seq), loaded: true };
}

/** Whether `next` is an older or the same version of `held` (then it is dropped). */
function isStale(held: BoardTask, next: BoardTask): boolean {
  if (held.seq !== null && next.seq !== null) return next.seq <= held.seq;
  if (held.updatedAt !== null && next.updatedAt !== null) return next.updatedAt < held.updatedAt;
  return false;
}

export function applyChanges(
  data: BoardData,
  seq: number | null,
  raw: readonly unknown[],
): { data: BoardData; changes: TaskChange[] } {
  let tasks: Map<string, BoardTask> | null = null;
  const changes: TaskChange[] = [];
  for (const item of raw) {
    const after = parseTask(item);
    if (!after) continue;
    const before = (tasks ?? data.tasks).get(after.id);
    if (before && isStale(before, after)) continue;
    tasks ??= new Map(data.tasks);
    tasks.set(after.id, after);
    changes.push({ before, after });
  }
  const highest = Math.max(data.seq, seq ?? 0, ...changes.map((change) => change.after.seq ?? 0));
  if (!tasks && highest === data.seq) return { data, changes };
  return { data: { tasks: tasks ?? data.tasks, seq: highest, loaded: data.loaded }, changes };
}

const quote = (text: string): string => {
  const line = text.replace(/\s+/g, ' ').trim();
  return `“${line.length > 60 ? `${line.slice(0, 57)}…` : line}”`;
};

/**
 * What the live region says about a batch of changes: new tasks and status changes, not every progress step
 * (a screen reader would never be quiet). null when nothing worth saying happened.
 */
export function announce(changes: readonly TaskChange[]): string | null {
  const lines: string[] = [];
  for (const { before, after } of changes) {
    const who = after.assigneeId || 'an agent';
    if (!before) lines.push(`New task for ${who}: ${quote(after.description)}`);
    else if (before.status !== after.status)
      lines.push(`${who} ${STATUS_INFO[after.status].verb} ${quote(after.description)}`);
  }
  if (lines.length <= 3) return lines.length ? lines.join('. ') + '.' : null;
  return `${lines.length} tasks changed.`;
}
