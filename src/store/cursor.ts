/**
 * Page cursors of `findTasks`: the sort key of the last task of a page, in the query's order (`newest`, `oldest`:
 * its creation sequence number; `runnable`: its priority rank, then that). A position, never a task id, so a cursor
 * cannot tell whether some task exists. Opaque to callers; any backend can order by the same keys.
 */
import { InputError } from '../errors.js';
import { PRIORITY_RANK } from '../model/task.js';
import type { Task } from '../model/task.js';
import type { TaskOrder } from './task-store.js';

/** The sort key of a task in `order`; compared element by element, ascending = `oldest` / `runnable` order. */
export function sortKey(task: Task, order: TaskOrder): number[] {
  return order === 'runnable' ? [PRIORITY_RANK[task.priority], task.created_seq] : [task.created_seq];
}

export function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function encodeCursor(order: TaskOrder, key: readonly number[]): string {
  return Buffer.from(JSON.stringify({ o: order, k: key })).toString('base64url');
}

/** The key a cursor of a query in `order` points after; a cursor made for another order, or none, is refused. */
export function decodeCursor(cursor: string, order: TaskOrder): number[] {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: unknown; k?: unknown };
    const key = parsed.k;
    if (parsed.o === order && Array.isArray(key) && key.length > 0 && key.every((n) => Number.isSafeInteger(n))) {
      return key as number[];
    }
  } catch {
    // fall through
  }
  throw new InputError('bad_cursor', 'cursor: not a cursor of this listing; list again without a cursor');
}
