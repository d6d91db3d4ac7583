/**
 * `findTasks` and `countTasks` over the in-memory image: the query's filters as one predicate, over the smallest
 * candidate set an index gives (children, dependants, live tasks), else every task in creation order.
 */
import { isTerminal } from '../../model/task.js';
import type { Task, TaskStatus } from '../../model/task.js';
import { compareKeys, decodeCursor, encodeCursor, sortKey } from '../cursor.js';
import type { TaskPage, TaskQuery } from '../task-store.js';
import type { StoreState } from './store-state.js';

const DEFAULT_LIMIT = 50;

export function findTasks(state: StoreState, query: TaskQuery, now: Date): TaskPage {
  const order = query.order ?? 'newest';
  const limit = query.limit ?? DEFAULT_LIMIT;
  const after = query.cursor ? decodeCursor(query.cursor, order) : null;
  const matches = predicate(query, now.toISOString());
  const page: Task[] = [];
  let more = false;
  const take = (task: Task): boolean => {
    if (!matches(task)) return true;
    if (page.length === limit) {
      more = true;
      return false;
    }
    page.push(task);
    return true;
  };
  const indexed = candidates(state, query);
  if (indexed === null && order !== 'runnable') {
    // Every task, in creation order: walk from the cursor's position and stop at a full page.
    const ids = state.order;
    const start = after === null ? null : position(state, after[0] as number);
    if (order === 'newest') {
      for (let i = start === null ? ids.length - 1 : start - 1; i >= 0; i--) {
        if (!take(state.tasks.get(ids[i] as string) as Task)) break;
      }
    } else {
      for (let i = start === null ? 0 : nextAfter(state, after![0] as number); i < ids.length; i++) {
        if (!take(state.tasks.get(ids[i] as string) as Task)) break;
      }
    }
  } else {
    const sign = order === 'newest' ? -1 : 1;
    const sorted = [...(indexed ?? state.tasks.values())]
      .filter((t) => after === null || sign * compareKeys(sortKey(t, order), after) > 0)
      .sort((a, b) => sign * compareKeys(sortKey(a, order), sortKey(b, order)));
    for (const task of sorted) if (!take(task)) break;
  }
  const last = page[page.length - 1];
  return { tasks: page, next_cursor: more && last ? encodeCursor(order, sortKey(last, order)) : null };
}

export function countTasks(state: StoreState, query: TaskQuery, now: Date): number {
  const matches = predicate(query, now.toISOString());
  let n = 0;
  for (const task of candidates(state, query) ?? state.tasks.values()) if (matches(task)) n++;
  return n;
}

/** The tasks an index narrows the query to, or null when none applies. */
function candidates(state: StoreState, query: TaskQuery): Iterable<Task> | null {
  const ids =
    query.parent !== undefined
      ? (state.childIds(query.parent) ?? new Set<string>())
      : query.dependsOn !== undefined
        ? (state.dependantIds(query.dependsOn) ?? new Set<string>())
        : query.live || query.claimable || (query.status && query.status.every((s) => !isTerminal(s)))
          ? state.live
          : null;
  if (ids === null) return null;
  return [...ids].map((id) => state.tasks.get(id)).filter((t): t is Task => t !== undefined);
}

/** The index in creation order of the first task with `created_seq >= createdSeq` (binary search). */
function position(state: StoreState, createdSeq: number): number {
  let lo = 0;
  let hi = state.order.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((state.tasks.get(state.order[mid] as string) as Task).created_seq < createdSeq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The index of the first task created after `createdSeq`. */
function nextAfter(state: StoreState, createdSeq: number): number {
  return position(state, createdSeq + 1);
}

function predicate(query: TaskQuery, nowIso: string): (task: Task) => boolean {
  const statuses = query.status ? new Set<TaskStatus>(query.status) : null;
  const assignees = query.assignees ? new Set(query.assignees) : null;
  const { party, role } = query;
  return (task) => {
    if (party !== undefined) {
      const mine =
        role === 'delegated_by'
          ? task.delegated_by === party
          : role === 'assigned_to'
            ? task.assignee_id === party
            : task.delegated_by === party || task.assignee_id === party;
      if (!mine) return false;
    }
    if (statuses && !statuses.has(task.status)) return false;
    if (query.live && isTerminal(task.status)) return false;
    if (query.group !== undefined && task.group !== query.group) return false;
    if (query.parent !== undefined && task.parent_task_id !== query.parent) return false;
    if (query.root !== undefined && task.root_task_id !== query.root) return false;
    if (query.dependsOn !== undefined && !task.depends_on.includes(query.dependsOn)) return false;
    if (assignees && !assignees.has(task.assignee_id)) return false;
    if (
      query.claimable &&
      !(task.status === 'in_progress' && (task.claim === null || task.claim.expires_at <= nowIso))
    ) {
      return false;
    }
    if (query.idPrefix !== undefined && !task.id.startsWith(query.idPrefix)) return false;
    return true;
  };
}
