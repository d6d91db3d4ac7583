import type { ResponseMessage } from '@modelcontextprotocol/sdk/shared/responseMessage.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { useSandbox } from '../helpers/sandbox.js';
import { writeAgent } from '../helpers/agents.js';
import type { Core, TestClient } from '../helpers/core.js';
import { eventually, textOf } from '../helpers/core.js';

type Message = ResponseMessage<CallToolResult>;

describe('subagent_dispatch as an MCP task (spec 2025-11-25)', () => {
  const sandbox = useSandbox();
  let core: Core;
  const agentsDir = () => sandbox.agentsDir;
  /** Starts Baton with one `worker` agent on the fake and connects `host`, which has read tools/list. */
  const start = async (): Promise<TestClient> => {
    await writeAgent(agentsDir(), 'worker', { model: 'openai:gpt-test' });
    core = await sandbox.start({});
    const host = await core.connect('host');
    // The client learns from tools/list that the tool supports tasks, and then augments calls to it.
    const { tools } = await host.client.listTools();
    expect(tools.find((t) => t.name === 'subagent_dispatch')?.execution).toEqual({ taskSupport: 'optional' });
    return host;
  };
  const stream = (host: TestClient, task: string) =>
    host.client.experimental.tasks.callToolStream(
      { name: 'subagent_dispatch', arguments: { agent_id: 'worker', task } },
      CallToolResultSchema,
    );

  it('creates the task at once and then yields the answer; the MCP task id is the Baton task id', async () => {
    await sandbox.fakeOpenAi([{ text: 'The answer is 42.', delayMs: 300 }]);
    const host = await start();

    const messages: Message[] = [];
    let statusWhenCreated: string | undefined;
    for await (const message of stream(host, 'Compute the answer.')) {
      messages.push(message);
      if (message.type === 'taskCreated') {
        statusWhenCreated = (await host.client.experimental.tasks.getTask(message.task.taskId)).status;
      }
    }

    expect(messages[0]?.type).toBe('taskCreated');
    expect(statusWhenCreated).toBe('working');
    const last = messages[messages.length - 1]!;
    expect(last.type).toBe('result');
    const result = (last as Extract<Message, { type: 'result' }>).result;
    expect(textOf(result)).toBe('The answer is 42.');
    expect(result.structuredContent).toMatchObject({ result: 'The answer is 42.', status: 'completed' });

    const taskId = (messages[0] as Extract<Message, { type: 'taskCreated' }>).task.taskId;
    expect(result.structuredContent).toMatchObject({ task_id: taskId });
    const { task } = await host.ok<{ task: { kind: string; status: string; result: string } }>('get_task', {
      task_id: taskId,
    });
    expect(task).toMatchObject({ kind: 'dispatch', status: 'completed', result: 'The answer is 42.' });
    expect(await host.client.experimental.tasks.getTask(taskId)).toMatchObject({ taskId, status: 'completed' });
  });

  it('shows working while the model runs, lists the dispatch, and tasks/cancel stops the run', async () => {
    const fake = await sandbox.fakeOpenAi([{ hang: true }]);
    const host = await start();
    const tasks = host.client.experimental.tasks;

    const messages = stream(host, 'Think for a long time.');
    const first = await messages.next();
    expect(first.value?.type).toBe('taskCreated');
    const taskId = (first.value as Extract<Message, { type: 'taskCreated' }>).task.taskId;
    await fake.waitFor(() => fake.requests.length === 1);

    expect(await tasks.getTask(taskId)).toMatchObject({ taskId, status: 'working' });
    const listed = await tasks.listTasks();
    expect(listed.tasks.map((t) => t.taskId)).toContain(taskId);

    const cancelled = await tasks.cancelTask(taskId);
    expect(cancelled).toMatchObject({ taskId, status: 'cancelled' });
    await fake.waitFor(() => fake.aborted === 1);
    expect((await core.tasks.peek(taskId))?.status).toBe('cancelled');
    const { task } = await host.ok<{ task: { status: string } }>('get_task', { task_id: taskId });
    expect(task.status).toBe('cancelled');

    // The stream sees the cancellation too and ends with an error.
    const rest: Message[] = [];
    for await (const message of messages) rest.push(message);
    expect(rest[rest.length - 1]).toMatchObject({ type: 'error' });
    expect(String((rest[rest.length - 1] as Extract<Message, { type: 'error' }>).error.message)).toMatch(
      /was cancelled/,
    );
    expect(fake.requests).toHaveLength(1);
  });

  it('blocks tasks/result until the answer is in, and hides the task from other callers', async () => {
    await sandbox.fakeOpenAi([{ text: 'Worth the wait.', delayMs: 300 }]);
    const host = await start();
    const messages = stream(host, 'Take your time.');
    const first = await messages.next();
    const taskId = (first.value as Extract<Message, { type: 'taskCreated' }>).task.taskId;

    const mallory = await core.connect('mallory');
    await expect(mallory.client.experimental.tasks.getTask(taskId)).rejects.toThrow(/not found/i);
    await expect(mallory.client.experimental.tasks.cancelTask(taskId)).rejects.toThrow(/not found/i);
    expect((await core.tasks.peek(taskId))?.status).toBe('in_progress');

    const result = await host.client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
    expect(result.structuredContent).toMatchObject({ result: 'Worth the wait.', status: 'completed', task_id: taskId });
    await messages.return();
  });

  it('answers a plain (non-task) call directly, without falling into polling', async () => {
    await sandbox.fakeOpenAi({ defaultReply: { text: 'at once' } });
    const host = await start();
    // The first dispatch loads the vendor SDK; time the second one.
    await host.ok('subagent_dispatch', { agent_id: 'worker', task: 'warm up' });

    const began = performance.now();
    const result = await host.call('subagent_dispatch', { agent_id: 'worker', task: 'Answer now.' });
    const elapsed = performance.now() - began;

    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe('at once');
    expect(result.structuredContent).toMatchObject({ result: 'at once', status: 'completed', agent_id: 'worker' });
    // The SDK's automatic polling of an `optional` task tool waits 5 s (or pollInterval) between looks.
    expect(elapsed).toBeLessThan(1000);
    const taskId = (result.structuredContent as { task_id: string }).task_id;
    await eventually(
      async () => (await core.tasks.peek(taskId))?.status === 'completed',
      1000,
      'the task to be completed',
    );
  });
});
