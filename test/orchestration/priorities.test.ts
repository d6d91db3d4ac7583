import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/core.js';
import type { Created } from './harness.js';
import { deferred, orchestration, requestsOf, taskOf, waitAll } from './harness.js';

type Listed = { tasks: Array<{ id: string; description: string; status: string; status_message: string | null }> };

describe('priorities under --max-concurrency', () => {
  const world = orchestration();

  it('runs an urgent task before normal ones queued earlier; queued tasks say "queued" meanwhile', async () => {
    const release = deferred();
    const { host, fake } = await world.start({
      maxConcurrency: 1,
      agents: { blocker: {}, worker: {} },
      models: {
        blocker: async () => {
          await release.promise;
          return { text: 'unblocked' };
        },
        worker: (body) => ({ text: `done: ${taskOf(body)}` }),
      },
    });

    const blocker = await host.ok<Created>('delegate_task', { assignee_id: 'blocker', description: 'Hold the slot.' });
    await fake.waitFor(() => fake.requests.length === 1);
    const queued: string[] = [];
    for (const [description, priority] of [
      ['normal-1', 'normal'],
      ['normal-2', 'normal'],
      ['urgent', 'urgent'],
    ] as const) {
      queued.push((await host.ok<Created>('delegate_task', { assignee_id: 'worker', description, priority })).task_id);
    }

    const listed = await eventually(
      async () => {
        const list = await host.ok<Listed>('list_tasks', { status: ['in_progress'] });
        return list.tasks.filter((t) => t.status_message === 'queued').length === 3 ? list : null;
      },
      2000,
      'the three worker tasks to be queued',
    );
    expect(listed.tasks.map((t) => [t.description, t.status_message])).toEqual([
      ['urgent', 'queued'],
      ['normal-2', 'queued'],
      ['normal-1', 'queued'],
      ['Hold the slot.', 'running'],
    ]);
    expect(fake.requests).toHaveLength(1);

    release.resolve();
    const waited = await waitAll(host, [blocker.task_id, ...queued]);
    expect(waited.tasks.map((t) => t.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    // One at a time, urgent first, then the normal ones in the order they came.
    expect(requestsOf(fake, 'worker').map(taskOf)).toEqual(['urgent', 'normal-1', 'normal-2']);
  });
});
