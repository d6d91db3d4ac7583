import { describe, expect, it } from 'vitest';
import type { TaskSummary } from '../../src/tasks/views.js';
import type { AgentModel, Body, Created } from './harness.js';
import { ended, lastOf, orchestration, requestsOf, taskOf, toolResults, waitAll } from './harness.js';

/**
 * The lead remembers k1, delegates to the child named in its task, remembers k2 and answers. The child's first
 * model call is slow and asks to recall its notes, so it reads them after the lead wrote k2.
 */
const lead: AgentModel = (body: Body) => {
  const child = /^Brief (\S+)\.$/.exec(taskOf(body))?.[1] ?? 'nobody';
  const steps = [
    { toolCalls: [{ name: 'remember', arguments: { key: 'k1', value: 'v1' } }] },
    { toolCalls: [{ name: 'delegate_task', arguments: { assignee_id: child, description: 'Recall what you know.' } }] },
    { toolCalls: [{ name: 'remember', arguments: { key: 'k2', value: 'v2' } }] },
  ];
  return steps[toolResults(body)] ?? { text: 'briefed' };
};
const child: AgentModel = (body: Body) =>
  toolResults(body) === 0
    ? { toolCalls: [{ name: 'recall', arguments: {} }], delayMs: 300 }
    : { text: `I know ${String(lastOf(body).content)}` };

describe("memory scope: what a child subagent sees of its parent's notes", () => {
  const world = orchestration();

  it.each([
    ['snapshot', '{"k1":"v1"}'],
    ['shared', '{"k1":"v1","k2":"v2"}'],
  ] as const)('a %s child recalls %s', async (scope, notes) => {
    const { core, host, fake } = await world.start({
      agents: { lead: { tool_scope: 'shared' }, [`${scope}-child`]: { memory_scope: scope } },
      models: { lead, [`${scope}-child`]: child },
    });

    const { task_id } = await host.ok<Created>('delegate_task', {
      assignee_id: 'lead',
      description: `Brief ${scope}-child.`,
    });
    const waited = await waitAll(host, [task_id]);
    expect(waited.tasks[0]).toMatchObject({ status: 'completed', result: 'briefed' });
    const { children } = await host.ok<{ children: TaskSummary[] }>('get_task', { task_id });
    expect(children).toMatchObject([{ assignee_id: `${scope}-child`, delegated_by: 'lead' }]);

    const done = await ended(core, children[0]!.id);
    expect(done).toMatchObject({ status: 'completed', result: `I know ${notes}` });
    const [, second] = requestsOf(fake, `${scope}-child`);
    expect(lastOf(second!)).toMatchObject({ role: 'tool', content: notes });
  });
});
