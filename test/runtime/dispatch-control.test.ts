import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it, vi } from 'vitest';
import { HEARTBEAT_MS } from '../../src/mcp/tools/subagent-dispatch.js';
import { writeAgent } from '../helpers/agents.js';
import { eventually, textOf } from '../helpers/core.js';
import type { CoreOptions } from '../helpers/core.js';
import { useSandbox } from '../helpers/sandbox.js';
import type { OpenAiRequestBody } from '../providers/fakes/fake-openai-server.js';

/** The last message the fake model received. */
const lastMessage = (body: OpenAiRequestBody) => body.messages[body.messages.length - 1]!;

/** A model that dispatches `target` with `task` once, then reports what the tool said. */
function dispatcher(target: string, task: string) {
  return (body: OpenAiRequestBody) => {
    const last = lastMessage(body);
    if (last.role === 'tool') return { text: `tool said: ${String(last.content)}` };
    return { toolCalls: [{ name: 'subagent_dispatch', arguments: { agent_id: target, task } }] };
  };
}

describe('subagent_dispatch limits and control', () => {
  const sandbox = useSandbox();
  const agentsDir = () => sandbox.agentsDir;
  const start = (options: CoreOptions = {}) => sandbox.start(options);

  it('refuses a child past --max-depth with a clear error the parent model sees', async () => {
    const fake = await sandbox.fakeOpenAi((body) =>
      String(body.messages[0]?.content).includes('lead') ? dispatcher('expert', 'help')(body) : { text: 'unused' },
    );
    await writeAgent(agentsDir(), 'lead', { model: 'openai:gpt-test', tool_scope: 'shared', body: 'You are lead.' });
    await writeAgent(agentsDir(), 'expert', { model: 'openai:gpt-test' });
    const host = await (await start({ maxDepth: 0 })).connect('host');
    const out = await host.ok<{ result: string }>('subagent_dispatch', { agent_id: 'lead', task: 'go' });
    expect(out.result).toMatch(/tool said: .*depth limit: subagents nest at most 0 deep/);
    expect(fake.requests.every((r) => String(r.body.messages[0]?.content).includes('lead'))).toBe(true);
  });

  it('refuses a child past --max-per-session with a clear error', async () => {
    await sandbox.fakeOpenAi((body) =>
      String(body.messages[0]?.content).includes('lead') ? dispatcher('expert', 'help')(body) : { text: 'unused' },
    );
    await writeAgent(agentsDir(), 'lead', { model: 'openai:gpt-test', tool_scope: 'shared', body: 'You are lead.' });
    await writeAgent(agentsDir(), 'expert', { model: 'openai:gpt-test' });
    const host = await (await start({ maxPerSession: 1 })).connect('host');
    const out = await host.ok<{ result: string }>('subagent_dispatch', { agent_id: 'lead', task: 'go' });
    expect(out.result).toMatch(/quota: at most 1 live subagent tasks under one root session/);
  });

  it('refuses a dispatch that loops back to an ancestor working on the same task', async () => {
    await sandbox.fakeOpenAi((body) =>
      String(body.messages[0]?.content).includes('You are a.')
        ? dispatcher('b', 'same job')(body)
        : dispatcher('a', 'same job')(body),
    );
    await writeAgent(agentsDir(), 'a', { model: 'openai:gpt-test', tool_scope: 'shared', body: 'You are a.' });
    await writeAgent(agentsDir(), 'b', { model: 'openai:gpt-test', tool_scope: 'shared', body: 'You are b.' });
    const host = await (await start()).connect('host');
    const out = await host.ok<{ result: string }>('subagent_dispatch', { agent_id: 'a', task: 'same job' });
    expect(out.result).toMatch(/loop: a is already working on this same task higher up/);
  });

  it('cuts a hanging model call at the timeout and marks the task timed_out', async () => {
    const fake = await sandbox.fakeOpenAi([{ hang: true }]);
    await writeAgent(agentsDir(), 'slow', { model: 'openai:gpt-test' });
    const core = await start();
    const host = await core.connect('host');
    const result = await host.call('subagent_dispatch', { agent_id: 'slow', task: 'think', timeout_seconds: 1 });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/slow timed out: timed out after 1 s/);
    const { task_id } = result.structuredContent as { task_id: string };
    expect((await core.tasks.peek(task_id))?.status).toBe('timed_out');
    await fake.waitFor(() => fake.aborted === 1);
  });

  it('aborts the in-flight model request and cancels the task when the client cancels', async () => {
    const fake = await sandbox.fakeOpenAi([{ hang: true }]);
    await writeAgent(agentsDir(), 'slow', { model: 'openai:gpt-test' });
    const c = await start();
    const host = await c.connect('host');
    const controller = new AbortController();
    const call = host.client.callTool(
      { name: 'subagent_dispatch', arguments: { agent_id: 'slow', task: 'think' } },
      undefined,
      {
        signal: controller.signal,
      },
    );
    await fake.waitFor(() => fake.requests.length === 1);
    controller.abort('user pressed stop');
    await expect(call).rejects.toThrow();
    await fake.waitFor(() => fake.aborted === 1);
    const { tasks } = await host.ok<{ tasks: Array<{ id: string }> }>('list_tasks');
    const taskId = tasks[0]!.id;
    await eventually(
      async () => (await c.tasks.peek(taskId))?.status === 'cancelled',
      2000,
      'the task to be cancelled',
    );
    expect((await c.tasks.peek(taskId))?.error).toBe('cancelled by the client');
  });

  it('sends progress notifications during a slow run', async () => {
    await sandbox.fakeOpenAi([
      { toolCalls: [{ name: 'report_task_progress', arguments: { message: 'read the sources' } }], delayMs: 100 },
      { text: 'done', delayMs: 100 },
    ]);
    await writeAgent(agentsDir(), 'worker', { model: 'openai:gpt-test' });
    const host = await (await start()).connect('host');
    const progress: Progress[] = [];
    const result = (await host.client.callTool(
      { name: 'subagent_dispatch', arguments: { agent_id: 'worker', task: 'work' } },
      CallToolResultSchema,
      { onprogress: (p) => progress.push(p) },
    )) as CallToolResult;
    expect(result.structuredContent).toMatchObject({ result: 'done', status: 'completed' });
    expect(progress.map((p) => p.message)).toEqual([
      'step 1/8: thinking',
      'step 1/8: read the sources',
      'step 2/8: thinking',
    ]);
    expect(progress.map((p) => p.progress)).toEqual([1, 2, 3]);
  });

  it('sends a heartbeat at least every 10 s that repeats the latest step without growing', async () => {
    const fake = await sandbox.fakeOpenAi([
      { toolCalls: [{ name: 'report_task_progress', arguments: { message: 'read the sources' } }] },
      { hang: true },
    ]);
    await writeAgent(agentsDir(), 'slow', { model: 'openai:gpt-test' });
    const host = await (await start()).connect('host');
    const progress: string[] = [];
    const controller = new AbortController();
    // Only intervals are faked: the heartbeat's timer starts inside the call, everything else runs on real time.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const call = host.client.callTool(
        { name: 'subagent_dispatch', arguments: { agent_id: 'slow', task: 'work' } },
        CallToolResultSchema,
        { onprogress: (p) => progress.push(p.message ?? ''), signal: controller.signal },
      );
      await fake.waitFor(() => fake.requests.length === 2);
      await eventually(() => progress.length === 3, 2000, 'the first steps');
      for (let beat = 1; beat <= 3; beat++) {
        vi.advanceTimersByTime(HEARTBEAT_MS);
        await eventually(() => progress.length === 3 + beat, 2000, `heartbeat ${beat}`);
      }
      expect(progress).toEqual([
        'step 1/8: thinking',
        'step 1/8: read the sources',
        'step 2/8: thinking',
        'step 2/8: thinking (still working)',
        'step 2/8: thinking (still working)',
        'step 2/8: thinking (still working)',
      ]);
      controller.abort();
      await expect(call).rejects.toThrow();
    } finally {
      vi.useRealTimers();
    }
  });

  it('fails at once naming the missing API key', async () => {
    const fake = await sandbox.fakeOpenAi([]);
    await writeAgent(agentsDir(), 'keyless', { model: 'openai:gpt-test' });
    const host = await (await start({ env: {} })).connect('host');
    const result = await host.call('subagent_dispatch', { agent_id: 'keyless', task: 'x' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/OPENAI_API_KEY/);
    expect(fake.requests).toHaveLength(0);
  });

  it('fails with a clear message when an agent has no model, there is no default and no sampling', async () => {
    await sandbox.fakeOpenAi([]);
    await writeAgent(agentsDir(), 'modelless');
    const host = await (await start()).connect('host');
    const result = await host.call('subagent_dispatch', { agent_id: 'modelless', task: 'x' });
    expect(textOf(result)).toMatch(/names no model, no default was given \(--model or BATON_MODEL/);
  });

  it('uses --model for agents that name none', async () => {
    const fake = await sandbox.fakeOpenAi([{ text: 'from the default model' }]);
    await writeAgent(agentsDir(), 'modelless');
    const host = await (await start({ model: 'openai:gpt-default' })).connect('host');
    const out = await host.ok<{ result: string }>('subagent_dispatch', { agent_id: 'modelless', task: 'x' });
    expect(out.result).toBe('from the default model');
    expect(fake.requests[0]!.body.model).toBe('gpt-default');
  });
});
