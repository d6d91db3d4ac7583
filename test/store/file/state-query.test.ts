/**
 * Queries of the file store's in-memory image go through indexes: a page reads the same number of tasks whether the
 * store holds 2,000 or 100,000, with or without a cursor (counted as lookups of stored tasks, never timed).
 */
import { describe, expect, it, vi } from 'vitest';
import { findTasks, countTasks } from '../../../src/store/file/state-query.js';
import { StoreState } from '../../../src/store/file/store-state.js';
import type { Task, TaskStatus } from '../../../src/model/task.js';
import type { TaskQuery } from '../../../src/store/task-store.js';
import { task as record } from '../../helpers/records.js';

const NOW = new Date('2026-01-01T00:00:00Z');

function task(i: number, over: Partial<Task> = {}): Task {
  return record(`t${i}`, {
    delegated_by: 'host',
    assignee_id: `agent-${i % 10}`,
    description: 'x',
    status: 'completed',
    timeout_seconds: 60,
    created_at: NOW.toISOString(),
    started_at: null,
    updated_at: NOW.toISOString(),
    finished_at: NOW.toISOString(),
    seq: i,
    created_seq: i,
    ...over,
  });
}

/** A store of `size` tasks by host; every 1000th one is also by `rare`, in group `g`, pending, a child of t1. */
function storeOf(size: number): StoreState {
  const state = new StoreState();
  for (let i = 1; i <= size; i++) {
    const special = i % 1000 === 0;
    state.putTask(
      task(
        i,
        special
          ? { delegated_by: 'rare', group: 'g', status: 'pending', parent_task_id: 't1', root_task_id: 't1' }
          : {},
      ),
    );
  }
  findTasks(state, { party: 'nobody' }, NOW); // the index is built at its first use: not counted below
  return state;
}

/** The tasks a query's first page and its second page return, and how many stored tasks both read. */
function twoPages(state: StoreState, query: TaskQuery) {
  const get = vi.spyOn(state.tasks, 'get');
  const first = findTasks(state, { ...query, limit: 10 }, NOW);
  const second = findTasks(state, { ...query, limit: 10, cursor: first.next_cursor }, NOW);
  const reads = get.mock.calls.length;
  get.mockRestore();
  return { first, second, reads };
}

const QUERIES: Array<[string, TaskQuery]> = [
  ['party', { party: 'rare' }],
  ['party and role', { party: 'rare', role: 'delegated_by' }],
  ['status', { status: ['pending' as TaskStatus] }],
  ['party and status', { party: 'rare', status: ['pending' as TaskStatus, 'completed' as TaskStatus] }],
  ['party, role and status', { party: 'host', role: 'delegated_by', status: ['completed' as TaskStatus] }],
  ['live', { live: true }],
  ['group', { group: 'g' }],
  ['parent', { parent: 't1' }],
  ['root', { root: 't1', order: 'oldest' }],
  ['every task', {}],
  ['party, oldest first', { party: 'rare', order: 'oldest' }],
];

describe('file store queries by index', () => {
  const smallStore = storeOf(20_000);
  const largeStore = storeOf(100_000);

  it.each(QUERIES)('a page by %s reads as many tasks at 100k as at 20k', (_name, query) => {
    const small = twoPages(smallStore, query);
    const large = twoPages(largeStore, query);
    expect(small.first.tasks).toHaveLength(10);
    expect(small.second.tasks).toHaveLength(10);
    expect(large.second.tasks).toHaveLength(10);
    expect(large.reads).toBeLessThanOrEqual(small.reads + 40); // binary search: a few more steps, not a scan
    expect(large.reads).toBeLessThan(1000);
  });

  it('pages follow each other in order with no gap and no repeat', () => {
    const state = smallStore;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = findTasks(state, { party: 'rare', limit: 7, cursor }, NOW);
      seen.push(...page.tasks.map((t) => t.id));
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => `t${(20 - i) * 1000}`));
  });

  it('a task that changes status moves between the status lists', () => {
    const state = storeOf(5_000);
    state.putTask(
      task(2000, { delegated_by: 'rare', group: 'g', status: 'completed', parent_task_id: 't1', seq: 9_000 }),
    );
    expect(findTasks(state, { status: ['pending'] }, NOW).tasks.map((t) => t.id)).toEqual([
      't5000',
      't4000',
      't3000',
      't1000',
    ]);
    expect(findTasks(state, { party: 'rare', status: ['completed'] }, NOW).tasks.map((t) => t.id)).toEqual(['t2000']);
    expect(countTasks(state, { live: true }, NOW)).toBe(4);
  });

  it('a party that delegated to itself is listed once', () => {
    const state = new StoreState();
    state.putTask(task(1, { delegated_by: 'me', assignee_id: 'me' }));
    state.putTask(task(2, { delegated_by: 'me' }));
    state.putTask(task(3, { assignee_id: 'me' }));
    expect(findTasks(state, { party: 'me' }, NOW).tasks.map((t) => t.id)).toEqual(['t3', 't2', 't1']);
    expect(countTasks(state, { party: 'me' }, NOW)).toBe(3);
  });
  it('pruning drops tasks from the lists in place, answering every query as a store built without them', () => {
    const state = storeOf(5_000);
    const old = '2025-01-01T00:00:00.000Z';
    // Every 3rd task, and every 2000th (pending: not expired), finished long ago; pruned at a cutoff after that.
    for (let i = 3; i <= 5_000; i += 3) {
      const held = state.tasks.get(`t${i}`) as Task;
      state.putTask({ ...held, finished_at: old, seq: 10_000 + i });
    }
    const rebuilds = state.rebuilds;
    const dropped = state.prune('2025-06-01T00:00:00.000Z');
    expect(dropped).toBe(
      Array.from({ length: 5_000 }, (_, i) => i + 1).filter((i) => i % 3 === 0 && i % 1000 !== 0).length,
    );
    expect(state.rebuilds).toBe(rebuilds); // no rebuild: the lists were cut in place
    const fresh = new StoreState();
    for (const t of state.tasks.values()) fresh.putTask(t);
    // Beyond QUERIES (whose lists hold few pruned tasks): one assignee's list (~500 of 5,000), a page by cursor.
    const queries: TaskQuery[] = [
      ...QUERIES.map(([, query]) => query),
      { party: 'agent-3' },
      { party: 'agent-3', status: ['completed'] },
      { status: ['completed'] },
    ];
    for (const query of queries) {
      for (const q of [query, { ...query, order: 'oldest' as const }, { ...query, limit: 500 }]) {
        const page = findTasks(state, q, NOW);
        expect(page).toEqual(findTasks(fresh, q, NOW));
        expect(countTasks(state, q, NOW)).toBe(countTasks(fresh, q, NOW));
        if (page.next_cursor) {
          const next = { ...q, cursor: page.next_cursor };
          expect(findTasks(state, next, NOW)).toEqual(findTasks(fresh, next, NOW));
        }
      }
    }
    expect(state.order).toEqual([...fresh.tasks.keys()]);
  });
});
