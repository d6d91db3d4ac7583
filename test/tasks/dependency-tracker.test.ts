/**
 * The dependency tracker settles pending tasks at start (issue 7, item 17): a dependency that ended while no
 * Baton was running moves its dependants on when Baton starts again.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InMemoryEventBus } from '../../src/events/in-memory-event-bus.js';
import { LowdbTaskStore } from '../../src/store/file/file-task-store.js';
import { TaskService } from '../../src/tasks/task-service.js';
import type { Core } from '../helpers/core.js';
import { eventually, startCore, tempDir } from '../helpers/core.js';

describe('DependencyTracker at start', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const cores: Core[] = [];
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => {
    for (const core of cores.splice(0)) await core.close();
    await cleanup();
  });

  it('starts a pending task whose dependencies completed while Baton was down, and fails one whose dependency failed', async () => {
    const storePath = path.join(dir, 'store.json');
    const first = await startCore({ storePath });
    const alice = await first.connect('alice');
    const create = (description: string, depends_on?: string[]) =>
      alice.ok<{ task_id: string; status: string }>('delegate_task', {
        assignee_id: 'bob',
        description,
        ...(depends_on ? { depends_on } : {}),
      });
    const a = await create('A');
    const b = await create('B after A', [a.task_id]);
    const c = await create('C');
    const d = await create('D after C', [c.task_id]);
    expect([b.status, d.status]).toEqual(['pending', 'pending']);
    await first.close();

    // bob's own process, with no dependency tracker, ends A and C while no Baton serves the store.
    const store = await LowdbTaskStore.open({ path: storePath, pollMs: 0 });
    const tasks = new TaskService({ store, bus: new InMemoryEventBus(), defaultTimeoutSeconds: 600 });
    await tasks.complete('bob', { task_id: a.task_id, result: 'A done' });
    await tasks.fail('bob', { task_id: c.task_id, error: 'C broke' });
    expect((await tasks.peek(b.task_id))?.status).toBe('pending');
    await store.close();

    const second = await startCore({ storePath });
    cores.push(second);
    await eventually(async () => (await second.tasks.peek(b.task_id))?.status === 'in_progress', 5000, 'B started');
    expect(await second.tasks.peek(b.task_id)).toMatchObject({ status_message: null, deadline: expect.any(String) });
    await eventually(async () => (await second.tasks.peek(d.task_id))?.status === 'failed', 5000, 'D failed');
    expect((await second.tasks.peek(d.task_id))?.error).toMatch(/dependency .* ended failed/);
  });
});
