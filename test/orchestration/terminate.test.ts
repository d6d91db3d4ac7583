import { describe, expect, it } from 'vitest';
import type { Task } from '../../src/model/task.js';
import type { TaskSummary } from '../../src/tasks/views.js';
import { eventually } from '../helpers/core.js';
import type { Created } from './harness.js';
import { orchestration, requestsOf, sleep, toolResults } from './harness.js';

describe("cancel_task on a parent reaches its children (the seed's terminate)", () => {
  const world = orchestration();

  it('cancels every task of the subtree, grandchildren included, and aborts every in-flight model request', async () => {
    const { core, host, fake } = await world.start({
      agents: { lead: { tool_scope: 'shared' }, 'scout-a': {}, 'scout-b': { tool_scope: 'shared' }, 'scout-c': {} },
      models: {
        // One turn: delegate scout-b in the background, then dispatch scout-a and wait for it.
        lead: (body) =>
          toolResults(body) === 0
            ? {
                toolCalls: [
                  { name: 'delegate_task', arguments: { assignee_id: 'scout-b', description: 'Scan the logs.' } },
                  { name: 'subagent_dispatch', arguments: { agent_id: 'scout-a', task: 'Scan the metrics.' } },
                ],
              }
            : { text: 'the lead should not get another turn' },
        'scout-a': () => ({ hang: true }),
        // scout-b hands part of its work on (a grandchild), then thinks on forever.
        'scout-b': (body) =>
          toolResults(body) === 0
            ? {
                toolCalls: [
                  { name: 'delegate_task', arguments: { assignee_id: 'scout-c', description: 'Scan the old logs.' } },
                ],
              }
            : { hang: true },
        'scout-c': () => ({ hang: true }),
      },
    });

    const lead = await host.ok<Created>('delegate_task', {
      assignee_id: 'lead',
      description: 'Investigate the outage.',
    });
    await fake.waitFor(
      () =>
        requestsOf(fake, 'scout-a').length === 1 &&
        requestsOf(fake, 'scout-b').length === 2 &&
        requestsOf(fake, 'scout-c').length === 1,
    );
    const { children: running } = await host.ok<{ children: TaskSummary[] }>('get_task', { task_id: lead.task_id });
    expect(running.map((c) => [c.assignee_id, c.status, c.delegated_by])).toEqual([
      ['scout-b', 'in_progress', 'lead'],
      ['scout-a', 'in_progress', 'lead'],
    ]);

    // scout-b, a party to its own task, sees the grandchild it delegated.
    const scoutB = await core.connect('scout-b');
    const { children: grandchildren } = await scoutB.ok<{ children: TaskSummary[] }>('get_task', {
      task_id: running[0]!.id,
    });
    expect(grandchildren).toMatchObject([{ assignee_id: 'scout-c', status: 'in_progress' }]);
    const grandchild = grandchildren[0]!;

    const cancelled = await host.ok<{ cancelled_task_ids: string[]; message: string }>('cancel_task', {
      task_id: lead.task_id,
      reason: 'the outage is over',
    });
    expect(cancelled.message).toBe(`cancelled task ${lead.task_id} and 3 descendant tasks`);
    expect([...cancelled.cancelled_task_ids].sort()).toEqual(
      [lead.task_id, ...running.map((c) => c.id), grandchild.id].sort(),
    );

    // The model calls of scout-a, scout-b and scout-c were in flight (the lead was inside its tool call): all cut.
    await fake.waitFor(() => fake.aborted === 3);
    const { task, children } = await host.ok<{ task: Task; children: TaskSummary[] }>('get_task', {
      task_id: lead.task_id,
    });
    expect(task).toMatchObject({ status: 'cancelled', error: 'the outage is over' });
    expect(children.map((c) => c.status)).toEqual(['cancelled', 'cancelled']);
    for (const child of children) {
      expect(await core.tasks.peek(child.id)).toMatchObject({
        status: 'cancelled',
        error: `parent task ${lead.task_id} was cancelled: the outage is over`,
      });
    }
    const { task: lastOne } = await scoutB.ok<{ task: Task }>('get_task', { task_id: grandchild.id });
    expect(lastOne).toMatchObject({
      status: 'cancelled',
      error: `parent task ${running[0]!.id} was cancelled: the outage is over`,
    });
    // Nothing of the subtree runs on: no run holds a slot and no model call follows.
    await eventually(() => core.baton.runtime.scheduler.active === 0, 2000, 'every run to stop');
    const seen = fake.requests.length;
    await sleep(100);
    expect(fake.requests).toHaveLength(seen);
    expect(requestsOf(fake, 'lead')).toHaveLength(1);
  });
});
