/**
 * `findTasks` and `countTasks` over the in-memory image: the query's filters as one predicate, over the smallest
 * candidate lists an index gives (party and role, status, group, parent, root, dependency, assignee), else every
 * task in creation order. A page starts at the cursor's position in those lists (binary search, never a scan from
 * the newest task) and stops when it is full.
 */
import { LIVE_STATUSES, isTerminal } from '../../model/task.js';
import type { Task, TaskStatus } from '../../model/task.js';
import { compareKeys, decodeCursor, encodeCursor, sortKey } from '../cursor.js';
import type { TaskPage, TaskQuery } from '../task-store.js';
import type { StoreState } from './store-state.js';

const DEFAULT_LIMIT = 50;

/**
 * The lists of task ids (each in creation order) whose union holds every task the query can select: the smallest
 * that one of its indexed filters gives, or every task.
 */
function plan(state: StoreState, query: TaskQuery): ReadonlyArray<readonly string[]> {
  const options: string[][] = [];
  const { party, role } = query;
  if (party !== undefined) {
    options.push(
      role === 'delegated_by' ? [`d:${party}`] : role === 'assigned_to' ? [`a:${party}`] : [`d:${party}`, `a:${party}`],
    );
  }
  if (query.status) options.push(query.status.map((s) => `s:${s}`));
  if (party !== undefined && query.status) {
    const sides = role === 'delegated_by' ? ['ds'] : role === 'assigned_to' ? ['as'] : ['ds', 'as'];
    options.push(sides.flatMap((side) => query.status!.map((s) => `${side}:${s}:${party}`)));
  }
  if (query.live) options.push(LIVE_STATUSES.map((s) => `s:${s}`));
  if (query.claimable) options.push(['s:in_progress']);
  if (query.group !== undefined) options.push([`g:${query.group}`]);
  if (query.parent !== undefined) options.push([`p:${query.parent}`]);

  if (query.dependsOn !== undefined) options.push([`o:${query.dependsOn}`]);
  if (query.assignees) options.push(query.assignees.map((a) => `a:${a}`));
  let best: ReadonlyArray<readonly string[]> = [state.order];
  let bestSize = state.order.length;
  if (query.root !== undefined) {
    const tree = state.rootIds(query.root);
    [best, bestSize] = [[tree], tree.length];
  }
  for (const keys of options) {
    const lists = [...new Set(keys)].map((k) => state.ids(k));
    const size = lists.reduce((n, l) => n + l.length, 0);
    if (size < bestSize) [best, bestSize] = [lists, size];
  }
  return best;
}

export function findTasks(state: StoreState, query: TaskQuery, now: Date): TaskPage {
  const order = query.order ?? 'newest';
  const limit = query.limit ?? DEFAULT_LIMIT;
  const after = query.cursor ? decodeCursor(query.cursor, order) : null;
  const matches = predicate(query, now.toISOString());
  const lists = plan(state, query);
  const page: Task[] = [];
  let more = false;
  if (order === 'runnable') {
    // Priority first: the candidates are gathered and sorted (a claimable query's are the in-progress tasks).
    const seen = new Set<string>();
    const found: Task[] = [];
    for (const list of lists) {
      for (const id of list) {
        const task = state.tasks.get(id) as Task;
        if (seen.has(id) || !matches(task)) continue;
        seen.add(id);
        if (after === null || compareKeys(sortKey(task, order), after) > 0) found.push(task);
      }
    }
    found.sort((a, b) => compareKeys(sortKey(a, order), sortKey(b, order)));
    page.push(...found.slice(0, limit));
    more = found.length > limit;
  } else {
    for (const task of walk(state, lists, order === 'newest', after?.[0] ?? null)) {
      if (!matches(task)) continue;
      if (page.length === limit) {
        more = true;
        break;
      }
      page.push(task);
    }
  }
  const last = page[page.length - 1];
  return { tasks: page, next_cursor: more && last ? encodeCursor(order, sortKey(last, order)) : null };
}

export function countTasks(state: StoreState, query: TaskQuery, now: Date): number {
  const matches = predicate(query, now.toISOString());
  let n = 0;
  for (const task of walk(state, plan(state, query), false, null)) if (matches(task)) n++;
  return n;
}

/**
 * The tasks of the union of `lists` in creation order (`newest`: descending), strictly after the cursor's
 * `created_seq`: each list starts at the cursor's position (binary search), and a k-way merge takes them in order.
 */
function* walk(
  state: StoreState,
  lists: ReadonlyArray<readonly string[]>,
  newest: boolean,
  after: number | null,
): Generator<Task> {
  const seqOf = (id: string) => (state.tasks.get(id) as Task).created_seq;
  const at = lists.map((list) => {
    if (after === null) return newest ? list.length - 1 : 0;
    return newest ? state.position(list, after) - 1 : state.position(list, after + 1);
  });
  let previous: string | undefined;
  for (;;) {
    let pick = -1;
    let pickSeq = 0;
    for (let i = 0; i < lists.length; i++) {
      const id = (lists[i] as readonly string[])[at[i] as number];
      if (id === undefined) continue;
      const seq = seqOf(id);
      if (pick === -1 || (newest ? seq > pickSeq : seq < pickSeq)) [pick, pickSeq] = [i, seq];
    }
    if (pick === -1) return;
    const id = (lists[pick] as readonly string[])[at[pick] as number] as string;
    at[pick] = (at[pick] as number) + (newest ? -1 : 1);
    if (id === previous) continue; // in two lists (a party that delegated to itself)
    previous = id;
    yield state.tasks.get(id) as Task;
  }
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
