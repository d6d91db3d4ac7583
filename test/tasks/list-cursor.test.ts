/**
 * list_tasks cursors (issue 7, item 12; issue 9): a cursor is a position in the listing, never a task id, so no
 * cursor can tell whether a task the caller is no party to exists.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../helpers/core.js';
import { startCore } from '../helpers/core.js';

const cursorFor = (taskId: string) => Buffer.from(JSON.stringify({ after: taskId })).toString('base64url');

describe('list_tasks cursors', () => {
  let core: Core;
  beforeEach(async () => {
    core = await startCore();
  });
  afterEach(async () => {
    await core.close();
  });

  it('answers a cursor naming a foreign task exactly like one naming an unknown task', async () => {
    const alice = await core.connect('alice');
    const bob = await core.connect('bob');
    await alice.ok('delegate_task', { assignee_id: 'carol', description: 'alice to carol' });
    const { task_id: foreign } = await bob.ok<{ task_id: string }>('delegate_task', {
      assignee_id: 'dave',
      description: 'bob to dave',
    });

    const unknown = await alice.err('list_tasks', { cursor: cursorFor('00000000-0000-4000-8000-000000000000') });
    expect(unknown).toBe('cursor: not a cursor of this listing; list again without a cursor');
    expect(await alice.err('list_tasks', { cursor: cursorFor(foreign) })).toBe(unknown);
  });

  it("gives away nothing of another caller's tasks through a cursor of theirs", async () => {
    const alice = await core.connect('alice');
    const bob = await core.connect('bob');
    await alice.ok('delegate_task', { assignee_id: 'carol', description: 'alice 1' });
    await bob.ok('delegate_task', { assignee_id: 'dave', description: 'bob 1' });
    await bob.ok('delegate_task', { assignee_id: 'dave', description: 'bob 2' });
    await alice.ok('delegate_task', { assignee_id: 'carol', description: 'alice 2' });
    const page = await bob.ok<{ next_cursor: string }>('list_tasks', { limit: 1 });
    const seen = await alice.ok<{ tasks: Array<{ description: string }> }>('list_tasks', { cursor: page.next_cursor });
    expect(seen.tasks.map((t) => t.description)).toEqual(['alice 1']);
  });

  it('still pages through the tasks the caller is a party to', async () => {
    const alice = await core.connect('alice');
    for (let i = 0; i < 3; i++) await alice.ok('delegate_task', { assignee_id: 'bob', description: `task ${i}` });
    const first = await alice.ok<{ tasks: Array<{ description: string }>; next_cursor: string }>('list_tasks', {
      limit: 2,
    });
    const second = await alice.ok<{ tasks: Array<{ description: string }>; next_cursor: string | null }>('list_tasks', {
      limit: 2,
      cursor: first.next_cursor,
    });
    expect([...first.tasks, ...second.tasks].map((t) => t.description)).toEqual(['task 2', 'task 1', 'task 0']);
    expect(second.next_cursor).toBeNull();
  });
});
