/**
 * Usage kept per attempt with the model that answered (issue 11 item 1), through the real protocol: Anthropic's
 * wire format (cache reads and writes) on a loopback fake, a retried attempt, and MCP sampling with and without
 * counts from the client.
 */
import path from 'node:path';
import type { CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Task } from '../../src/model/task.js';
import { writeAgent } from '../helpers/agents.js';
import type { Core } from '../helpers/core.js';
import { startCore, tempDir } from '../helpers/core.js';
import { startFakeAnthropic } from '../providers/fakes/fake-anthropic-server.js';
import type { FakeAnthropic } from '../providers/fakes/fake-anthropic-server.js';

describe('usage per attempt, with its model', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let core: Core | null = null;
  let fake: FakeAnthropic | null = null;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => {
    await core?.close();
    core = null;
    await fake?.close();
    fake = null;
    await cleanup();
  });
  const agents = () => path.join(dir, 'agents');
  const taskOf = async (id: string) => (await core!.tasks.peek(id)) as Task;

  it("keeps each attempt's Anthropic usage (cache reads and writes) under the model the response named", async () => {
    fake = await startFakeAnthropic([
      // Attempt 1: one call, then the provider fails for good (400 is not retried).
      {
        usage: { input: 1000, output: 50, cacheRead: 600, cacheWrite: 100 },
        model: 'claude-sonnet-5-5-20261101',
        toolCalls: [{ name: 'report_task_progress', arguments: { task_id: 'x', message: 'm' } }],
      },
      { status: 400 },
      // Attempt 2: the answer.
      { usage: { input: 200, output: 20 }, model: 'claude-sonnet-5-5-20261101', text: 'done' },
    ]);
    await writeAgent(agents(), 'writer', { model: 'anthropic:claude-sonnet-5-5', max_retries: 1 });
    core = await startCore({
      agents: [agents()],
      env: { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: fake.baseUrl },
    });
    const host = await core.connect('host');
    const out = await host.ok<{ task_id: string; status: string }>('subagent_dispatch', {
      agent_id: 'writer',
      task: 'Go.',
    });
    expect(out.status).toBe('completed');
    const task = await taskOf(out.task_id);
    const model = 'anthropic:claude-sonnet-5-5-20261101';
    // Shipped prices for Sonnet 5.5: input 2, output 10, cache write 2.50, no cache read rate: attempt 1 has no cost.
    expect(task.usage_by_attempt).toEqual([
      {
        attempt: 1,
        model,
        input_tokens: 1000,
        output_tokens: 50,
        cache_read_tokens: 600,
        cache_write_tokens: 100,
        total_tokens: 1050,
        cost_usd: null,
        calls: 1,
      },
      {
        attempt: 2,
        model,
        input_tokens: 200,
        output_tokens: 20,
        cache_read_tokens: 0,
        cache_write_tokens: 0,
        total_tokens: 220,
        cost_usd: 0.0006,
        calls: 1,
      },
    ]);
    expect(task.usage).toMatchObject({
      total_tokens: 1270,
      cache_read_tokens: 600,
      cache_write_tokens: 100,
      cost_usd: null,
      calls: 2,
    });
  });

  it("keeps a sampling call's usage as the client reports it, and unknown when it reports none", async () => {
    await writeAgent(agents(), 'poet', { model: 'sampling' });
    core = await startCore({ agents: [agents()], env: {}, model: null });
    let counts = true;
    const host = await core.connect('host', {
      sampling: () =>
        ({
          role: 'assistant',
          content: { type: 'text', text: 'a haiku' },
          model: 'client-model',
          ...(counts ? { usage: { inputTokens: 12, outputTokens: 7 } } : {}),
        }) as CreateMessageResult,
    });
    const reported = await host.ok<{ task_id: string }>('subagent_dispatch', { agent_id: 'poet', task: 'A pond.' });
    expect((await taskOf(reported.task_id)).usage_by_attempt).toEqual([
      expect.objectContaining({
        attempt: 1,
        model: 'sampling:client-model',
        input_tokens: 12,
        output_tokens: 7,
        total_tokens: 19,
        cost_usd: null,
      }),
    ]);
    counts = false;
    const silent = await host.ok<{ task_id: string; usage: Task['usage'] }>('subagent_dispatch', {
      agent_id: 'poet',
      task: 'A frog.',
    });
    expect(silent.usage).toEqual({
      input_tokens: null,
      output_tokens: null,
      cache_read_tokens: null,
      cache_write_tokens: null,
      total_tokens: null,
      cost_usd: null,
      calls: 1,
    });
  });
});
