import { describe, expect, it } from 'vitest';
import type { Task } from '../../src/model/task.js';
import type { Created } from './harness.js';
import { orchestration, requestsOf, taskOf, waitAll } from './harness.js';

const ROWS = 'Extracted 42 rows from the sales table.';

describe('depends_on: a task waits for the tasks it depends on', () => {
  const world = orchestration();

  it("stays pending while its dependency runs, then runs with the dependency's result", async () => {
    const { host, fake } = await world.start({
      agents: { extractor: {}, analyst: {} },
      models: {
        extractor: () => ({ text: ROWS, delayMs: 300 }),
        analyst: () => ({ text: 'Average order value: 37 EUR.' }),
      },
    });

    const a = await host.ok<Created>('delegate_task', { assignee_id: 'extractor', description: 'Extract the rows.' });
    const b = await host.ok<Created>('delegate_task', {
      assignee_id: 'analyst',
      description: 'Compute the average order value.',
      depends_on: [a.task_id],
    });
    expect(b).toMatchObject({ status: 'pending', deadline: null });

    await fake.waitFor(() => requestsOf(fake, 'extractor').length === 1);
    const { task: waiting } = await host.ok<{ task: Task }>('get_task', { task_id: b.task_id });
    expect(waiting).toMatchObject({
      status: 'pending',
      status_message: 'waiting for 1 dependency',
      depends_on: [a.task_id],
      started_at: null,
    });
    expect(requestsOf(fake, 'analyst')).toHaveLength(0);

    const waited = await waitAll(host, [a.task_id, b.task_id]);
    expect(waited.tasks).toEqual([
      expect.objectContaining({ id: a.task_id, status: 'completed', result: ROWS }),
      expect.objectContaining({ id: b.task_id, status: 'completed', result: 'Average order value: 37 EUR.' }),
    ]);
    expect(taskOf(requestsOf(fake, 'analyst')[0]!)).toBe(
      `Compute the average order value.\n\nResults of the tasks this one depends on:\n[${a.task_id}] extractor: ${ROWS}`,
    );
    const { task: first } = await host.ok<{ task: Task }>('get_task', { task_id: a.task_id });
    const { task: second } = await host.ok<{ task: Task }>('get_task', { task_id: b.task_id });
    expect(second.started_at! >= first.finished_at!).toBe(true);
  });

  it('fails the dependent task, naming the dependency, when the dependency fails; its agent never runs', async () => {
    const { host, fake } = await world.start({
      agents: { extractor: {}, analyst: {} },
      models: {
        extractor: () => ({ status: 500, delayMs: 50 }),
        analyst: () => ({ text: 'should not run' }),
      },
    });

    const a = await host.ok<Created>('delegate_task', { assignee_id: 'extractor', description: 'Extract the rows.' });
    const b = await host.ok<Created>('delegate_task', {
      assignee_id: 'analyst',
      description: 'Compute the average order value.',
      depends_on: [a.task_id],
    });
    expect(b.status).toBe('pending');

    const waited = await waitAll(host, [a.task_id, b.task_id]);
    expect(waited.tasks[0]).toMatchObject({ status: 'failed', error: expect.stringMatching(/HTTP 500/) });
    expect(waited.tasks[1]).toMatchObject({
      status: 'failed',
      error: `dependency ${a.task_id} (Extract the rows.) ended failed`,
    });
    expect(requestsOf(fake, 'analyst')).toHaveLength(0);
    // The delegator hears of both failures.
    const inbox = await host.ok<{ items: Array<{ event: string; task_id: string }> }>('read_inbox', {});
    expect(inbox.items.filter((i) => i.event === 'task.notification.failed').map((i) => i.task_id)).toEqual([
      a.task_id,
      b.task_id,
    ]);
  });

  it('refuses a dependency on a task that does not exist, and creates nothing', async () => {
    const { host } = await world.start({ agents: { analyst: {} }, models: { analyst: () => ({ text: 'x' }) } });
    const error = await host.err('delegate_task', {
      assignee_id: 'analyst',
      description: 'Compute the average order value.',
      depends_on: ['no-such-task'],
    });
    expect(error).toBe('task not found: no-such-task');
    expect(await host.ok('list_tasks', {})).toMatchObject({ tasks: [] });
  });
});
