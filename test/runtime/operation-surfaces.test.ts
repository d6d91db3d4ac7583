/**
 * One operation, two surfaces (issue 9, item 7): what a subagent's tool answers is what the MCP tool of the same
 * name answers, the same schema, the same keys (delegate_task and send_message used to differ).
 */
import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../src/tasks/operations/index.js';
import type { OperationName } from '../../src/tasks/operations/index.js';
import { writeAgent } from '../helpers/agents.js';
import { useSandbox } from '../helpers/sandbox.js';

describe('operations shared by MCP clients and subagents', () => {
  const sandbox = useSandbox();

  it('answer the same shape on both surfaces', async () => {
    // The lead is assigned a task by the host, as the host is by bob: each then calls the same operations.
    const calls: Array<[OperationName, Record<string, unknown>]> = [
      ['delegate_task', { assignee_id: 'carol', description: 'a subtask', group: 'g' }],
      ['send_message', { to_agent_id: 'carol', content: 'hello' }],
      ['report_task_progress', { message: 'half way' }],
      ['list_tasks', {}],
      ['read_inbox', {}],
      ['wait_for_tasks', { group: 'g', mode: 'any', timeout_seconds: 0.1 }],
      ['merge', { group: 'g', strategy: 'concat' }],
    ];
    const fake = await sandbox.fakeOpenAi([
      { toolCalls: calls.map(([name, args]) => ({ name, arguments: args })) },
      { text: 'done' },
    ]);
    await writeAgent(sandbox.agentsDir, 'lead', { model: 'openai:gpt-test', tool_scope: 'shared' });
    const core = await sandbox.start();
    const host = await core.connect('host');
    const bob = await core.connect('bob');
    const { task_id: hostTask } = await bob.ok<{ task_id: string }>('delegate_task', {
      assignee_id: 'host',
      description: 'the host works on this',
    });
    const viaMcp: Record<string, Record<string, unknown>> = {};
    for (const [name, args] of calls) {
      viaMcp[name] = await host.ok(name, name === 'report_task_progress' ? { ...args, task_id: hostTask } : args);
    }
    const { result } = await host.ok<{ result: string }>('subagent_dispatch', { agent_id: 'lead', task: 'go' });
    expect(result).toBe('done');

    const toolMessages = fake.requests[1]!.body.messages.filter((m) => m.role === 'tool');
    expect(toolMessages).toHaveLength(calls.length);
    calls.forEach(([name], i) => {
      const viaAgent = JSON.parse(String(toolMessages[i]!.content)) as Record<string, unknown>;
      const schema = OPERATIONS[name].output;
      expect(schema.safeParse(viaAgent).success, `${name} for a subagent: ${JSON.stringify(viaAgent)}`).toBe(true);
      expect(schema.safeParse(viaMcp[name]).success, `${name} over MCP`).toBe(true);
      expect(Object.keys(viaAgent).sort(), name).toEqual(Object.keys(viaMcp[name]!).sort());
    });
  });
});
