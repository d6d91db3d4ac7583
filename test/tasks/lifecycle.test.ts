import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../helpers/core.js';
import { eventually, startCore, tempDir } from '../helpers/core.js';

type Inbox = { items: Array<{ event: string; task_id: string | null; content: string | null }> };

describe('task deadlines', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const cores: Core[] = [];
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => {
    for (const c of cores.splice(0)) await c.close();
    await cleanup();
  });
  const open = async () => {
    const core = await startCore({ storePath: path.join(dir, 'store.json') });
    cores.push(core);
    return core;
  };

  it('times a task out at its deadline and notifies both parties', async () => {
    const core = await open();
    const alice = await core.connect('alice');
    const bob = await core.connect('bob');
    const { task_id } = await alice.ok<{ task_id: string }>('delegate_task', {
      assignee_id: 'bob',
      description: 'be slow',
      timeout_seconds: 1,
    });
    await eventually(async () => (await core.tasks.peek(task_id))?.status === 'timed_out', 3000, 'timeout');
    const { task } = await alice.ok<{ task: { status: string; error: string } }>('get_task', { task_id });
    expect(task).toMatchObject({ status: 'timed_out', error: 'timed out after 1 s' });
    for (const party of [alice, bob]) {
      const inbox = await party.ok<Inbox>('read_inbox');
      expect(inbox.items.some((i) => i.event === 'task.notification.timeout' && i.task_id === task_id)).toBe(true);
    }
    expect(await bob.err('complete_task', { task_id, result: 'late' })).toMatch(/already timed_out/);
  });

  it('times out a task whose deadline passed while the server was stopped', async () => {
    const first = await open();
    const alice = await first.connect('alice');
    const { task_id } = await alice.ok<{ task_id: string }>('delegate_task', {
      assignee_id: 'bob',
      description: 'outlive the server',
      timeout_seconds: 1,
    });
    await first.close();
    cores.splice(cores.indexOf(first), 1);
    await new Promise((r) => setTimeout(r, 1200));

    const second = await open();
    await eventually(
      async () => (await second.tasks.peek(task_id))?.status === 'timed_out',
      2000,
      'timeout after restart',
    );
    const bob = await second.connect('bob');
    const inbox = await bob.ok<Inbox>('read_inbox');
    expect(inbox.items.map((i) => i.event)).toEqual(['task.notification.assigned', 'task.notification.timeout']);
  });

  it('keeps a deadline that has not passed across a restart and fires it on time', async () => {
    const first = await open();
    const alice = await first.connect('alice');
    const { task_id } = await alice.ok<{ task_id: string }>('delegate_task', {
      assignee_id: 'bob',
      description: 'restart in the middle',
      timeout_seconds: 1.5,
    });
    await first.close();
    cores.splice(cores.indexOf(first), 1);

    const second = await open();
    expect((await second.tasks.peek(task_id))?.status).toBe('in_progress');
    await eventually(
      async () => (await second.tasks.peek(task_id))?.status === 'timed_out',
      3000,
      'timeout after restart',
    );
    const alice2 = await second.connect('alice');
    const inbox = await alice2.ok<Inbox>('read_inbox');
    expect(inbox.items.map((i) => i.event)).toContain('task.notification.timeout');
  });

  it('never lets a child deadline pass its parent deadline', async () => {
    const core = await open();
    const alice = await core.connect('alice');
    const bob = await core.connect('bob');
    const parent = await alice.ok<{ task_id: string; deadline: string }>('delegate_task', {
      assignee_id: 'bob',
      description: 'parent',
      timeout_seconds: 60,
    });
    const child = await bob.ok<{ deadline: string }>('delegate_task', {
      assignee_id: 'carol',
      description: 'child',
      parent_task_id: parent.task_id,
      timeout_seconds: 3600,
    });
    expect(child.deadline).toBe(parent.deadline);
  });
});

describe('cancel_task', () => {
  let core: Core;
  beforeEach(async () => {
    core = await startCore();
  });
  afterEach(async () => {
    await core.close();
  });

  it('cancels every descendant and notifies their assignees', async () => {
    const [alice, bob, carol, dave] = await Promise.all(['alice', 'bob', 'carol', 'dave'].map((a) => core.connect(a)));
    const t1 = await alice!.ok<{ task_id: string }>('delegate_task', { assignee_id: 'bob', description: 'top' });
    const t2 = await bob!.ok<{ task_id: string }>('delegate_task', {
      assignee_id: 'carol',
      description: 'middle',
      parent_task_id: t1.task_id,
    });
    const t3 = await carol!.ok<{ task_id: string }>('delegate_task', {
      assignee_id: 'dave',
      description: 'bottom',
      parent_task_id: t2.task_id,
    });
    const done = await carol!.ok<{ task_id: string }>('delegate_task', {
      assignee_id: 'dave',
      description: 'already finished',
      parent_task_id: t2.task_id,
    });
    await dave!.ok('complete_task', { task_id: done.task_id, result: 'ok' });

    const outcome = await alice!.ok<{ changed: boolean; cancelled_task_ids: string[]; message: string }>(
      'cancel_task',
      { task_id: t1.task_id, reason: 'plans changed' },
    );
    expect(outcome.changed).toBe(true);
    expect(new Set(outcome.cancelled_task_ids)).toEqual(new Set([t1.task_id, t2.task_id, t3.task_id]));
    expect(outcome.message).toBe(`cancelled task ${t1.task_id} and 2 descendant tasks`);

    for (const id of [t1.task_id, t2.task_id, t3.task_id])
      expect((await core.tasks.peek(id))?.status).toBe('cancelled');
    expect((await core.tasks.peek(done.task_id))?.status).toBe('completed');
    const daveInbox = await dave!.ok<Inbox>('read_inbox');
    expect(daveInbox.items.filter((i) => i.event === 'task.notification.cancelled').map((i) => i.task_id)).toEqual([
      t3.task_id,
    ]);
    expect(await dave!.err('complete_task', { task_id: t3.task_id, result: 'too late' })).toMatch(/already cancelled/);
  });

  it('changes nothing and says so when the task already ended', async () => {
    const alice = await core.connect('alice');
    const bob = await core.connect('bob');
    const { task_id } = await alice.ok<{ task_id: string }>('delegate_task', { assignee_id: 'bob', description: 'x' });
    await bob.ok('complete_task', { task_id, result: 42 });
    const before = await core.tasks.peek(task_id);
    const outcome = await alice.ok<{ changed: boolean; status: string; message: string }>('cancel_task', { task_id });
    expect(outcome).toMatchObject({ changed: false, status: 'completed' });
    expect(outcome.message).toBe(`task ${task_id} is already completed; nothing changed`);
    expect(await core.tasks.peek(task_id)).toEqual(before);
  });

  it('lets only the delegator cancel', async () => {
    const alice = await core.connect('alice');
    const bob = await core.connect('bob');
    const { task_id } = await alice.ok<{ task_id: string }>('delegate_task', { assignee_id: 'bob', description: 'x' });
    expect(await bob.err('cancel_task', { task_id })).toMatch(/only its delegator can cancel it/);
    expect((await core.tasks.peek(task_id))?.status).toBe('in_progress');
  });
});
