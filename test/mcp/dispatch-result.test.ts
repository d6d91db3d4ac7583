/**
 * A plain `subagent_dispatch` call is "delegate, then wait" (issue 9, item 5): its answer is the task as it ended,
 * read once by the wait; the SDK's `tasks/result` step that follows is answered from that outcome, with no
 * second read of the store. A task-augmented client's later `tasks/result` reads the store.
 */
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it, vi } from 'vitest';
import { writeAgent } from '../helpers/agents.js';
import { useSandbox } from '../helpers/sandbox.js';

describe('the result of a dispatch', () => {
  const sandbox = useSandbox();

  it('answers a plain call from the dispatch outcome, reading the ended task once', async () => {
    await sandbox.fakeOpenAi([{ text: 'Done once.' }]);
    await writeAgent(sandbox.agentsDir, 'worker', { model: 'openai:gpt-test' });
    const core = await sandbox.start();
    const host = await core.connect('host');
    const get = vi.spyOn(core.tasks, 'get');
    const getTasks = vi.spyOn(core.store, 'getTasks');

    const out = await host.ok<{ result: string; task_id: string; status: string }>('subagent_dispatch', {
      agent_id: 'worker',
      task: 'Do it.',
    });

    expect(out).toMatchObject({ result: 'Done once.', status: 'completed' });
    expect(get).not.toHaveBeenCalled(); // no tasks/result read through the access-checked path
    // The wait: one look when it starts (nothing ended yet), one read of the ended task.
    expect(getTasks.mock.calls.filter(([ids]) => ids.includes(out.task_id))).toHaveLength(2);
  });

  it('reads the store for the tasks/result of a task-augmented call', async () => {
    await sandbox.fakeOpenAi([{ text: 'Done later.', delayMs: 200 }]);
    await writeAgent(sandbox.agentsDir, 'worker', { model: 'openai:gpt-test' });
    const core = await sandbox.start();
    const host = await core.connect('host');
    await host.client.listTools(); // the client learns that the tool takes params.task, and sends it
    const get = vi.spyOn(core.tasks, 'get');
    let result: unknown;
    for await (const message of host.client.experimental.tasks.callToolStream(
      { name: 'subagent_dispatch', arguments: { agent_id: 'worker', task: 'Do it later.' } },
      CallToolResultSchema,
    )) {
      if (message.type === 'result') result = message.result.structuredContent;
    }
    expect(result).toMatchObject({ result: 'Done later.', status: 'completed' });
    expect(get).toHaveBeenCalled();
  });
});
