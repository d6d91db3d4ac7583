import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../helpers/core.js';
import { eventually, startCore } from '../helpers/core.js';

describe('task delegation tools', () => {
  let core: Core;
  beforeEach(async () => {
    core = await startCore();
  });
  afterEach(async () => {
    await core.close();
  });

  it('lets alice delegate to bob, bob report and complete, and alice see it all', async () => {
    const alice = await core.connect('alice');
    const bob = await core.connect('bob');
    const created = await alice.ok<{ task_id: string; status: string }>('delegate_task', {
      assignee_id: 'bob',
      description: 'Summarise the report',
      payload: { pages: 3 },
    });
    expect(created.status).toBe('in_progress');

    const assigned = await bob.ok<{ tasks: Array<{ id: string }> }>('list_tasks', { role: 'assigned_to_me' });
    expect(assigned.tasks.map((t) => t.id)).toEqual([created.task_id]);
    await bob.ok('report_task_progress', { task_id: created.task_id, message: 'read page 1', data: { page: 1 } });
    await bob.ok('complete_task', { task_id: created.task_id, result: { summary: 'short' } });

    const { task } = await alice.ok<{ task: Record<string, unknown> }>('get_task', { task_id: created.task_id });
    expect(task).toMatchObject({ status: 'completed', result: { summary: 'short' }, delegated_by: 'alice' });
    expect(task.progress).toMatchObject([{ message: 'read page 1', data: { page: 1 } }]);

    const inbox = await alice.ok<{ items: Array<{ event: string }> }>('read_inbox', {});
    expect(inbox.items.map((i) => i.event)).toEqual(['task.notification.progress', 'task.notification.completed']);
    await eventually(() => alice.messages.length >= 2, 2000, 'live notifications');
    expect(alice.messages.map((m) => (m as { event: string }).event)).toEqual([
      'task.notification.progress',
      'task.notification.completed',
    ]);

    const carol = await core.connect('carol');
    expect(await carol.err('get_task', { task_id: created.task_id })).toMatch(/task not found/);
    expect(await alice.err('complete_task', { task_id: created.task_id, result: 'x' })).toMatch(/only its assignee/);
  });
});
