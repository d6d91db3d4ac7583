/**
 * Usage totals and budgets through the real protocol (issue 11): a host's MCP client, defined agents on a loopback
 * fake OpenAI server that reports usage in its wire format, the real SDK in between.
 */
import { describe, expect, it } from 'vitest';
import type { Task } from '../../src/model/task.js';
import { eventually } from '../helpers/core.js';
import type { TestClient } from '../helpers/core.js';
import type { Body } from './harness.js';
import { orchestration, requestsOf, toolResults } from './harness.js';

type Spend = {
  input_tokens: number | null;
  output_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  total_tokens: number | null;
  cost_usd: number | null;
  calls: number;
};
type Dispatched = {
  status: string;
  task_id: string;
  error?: string;
  result: string | null;
  usage: Spend;
  usage_total: Spend;
};

/** The task ids in the tool results of a request (what delegate_task / subagent_dispatch answered). */
function taskIds(body: Body): string[] {
  return body.messages
    .filter((m) => m.role === 'tool')
    .flatMap((m) => [...String(m.content).matchAll(/"task_id":\s*"([^"]+)"/g)].map((match) => match[1] as string));
}

/** A dispatch's answer, failed or not (a failed one is an isError result with the same structured content). */
async function dispatch(client: TestClient, args: Record<string, unknown>): Promise<Dispatched> {
  const result = await client.call('subagent_dispatch', args);
  return result.structuredContent as unknown as Dispatched;
}

const PRICES = { 'openai:gpt-test': { input: 1, output: 10, cacheRead: 0.5 } };

describe('usage and budgets of a task tree', () => {
  const world = orchestration();

  it('adds up usage and cost through three levels and a merge, in dispatch, get_task, wait_for_tasks and the resource', async () => {
    const { host, core } = await world.start({
      prices: PRICES,
      agents: { lead: { tool_scope: 'shared' }, mid: { tool_scope: 'shared' }, leaf: {}, summarizer: {} },
      models: {
        lead: (body) => {
          const usage = { input: 10, output: 1 };
          if (toolResults(body) === 0) {
            return {
              usage,
              toolCalls: [{ name: 'subagent_dispatch', arguments: { agent_id: 'mid', task: 'Plan it.' } }],
            };
          }
          if (toolResults(body) === 1) {
            const merge = { task_ids: taskIds(body), strategy: 'llm_summary' };
            return { usage, toolCalls: [{ name: 'merge', arguments: merge }] };
          }
          return { usage, text: 'lead done' };
        },
        mid: (body) =>
          toolResults(body) === 0
            ? {
                usage: { input: 100, output: 10 },
                toolCalls: [{ name: 'subagent_dispatch', arguments: { agent_id: 'leaf', task: 'Do it.' } }],
              }
            : { usage: { input: 100, output: 10 }, text: 'mid done' },
        leaf: () => ({ usage: { input: 1000, output: 100, cacheRead: 400 }, text: 'leaf done' }),
        summarizer: () => ({ usage: { input: 5000, output: 500 }, text: 'summary' }),
      },
    });

    const lead = await host.ok<Dispatched>('subagent_dispatch', { agent_id: 'lead', task: 'Run the project.' });
    expect(lead).toMatchObject({ status: 'completed', result: 'lead done' });
    // Its own three calls: 30 + 3 tokens, $ (30 × 1 + 3 × 10) / 1e6.
    expect(lead.usage).toEqual({
      input_tokens: 30,
      output_tokens: 3,
      cache_read_tokens: 0,
      cache_write_tokens: null,
      total_tokens: 33,
      cost_usd: 0.00006,
      calls: 3,
    });
    // The subtree: lead 33, mid 220, leaf 1100 (400 of its input from the cache), the summarizer 5500.
    expect(lead.usage_total).toMatchObject({
      input_tokens: 6230,
      output_tokens: 623,
      cache_read_tokens: 400,
      total_tokens: 6853,
      calls: 7,
    });
    // lead 60e-6, mid 400e-6, leaf (600 + 400 × 0.5 + 100 × 10)e-6, summarizer 10000e-6.
    expect(lead.usage_total.cost_usd).toBeCloseTo(0.01226, 10);

    const { task } = await host.ok<{ task: Task }>('get_task', { task_id: lead.task_id });
    expect(task.usage_total.total_tokens).toBe(6853);
    expect(task.usage_by_attempt).toEqual([
      expect.objectContaining({ attempt: 1, model: 'openai:gpt-test', total_tokens: 33, calls: 3 }),
    ]);
    const waited = await host.ok<{ tasks: Array<{ usage: Spend; usage_total: Spend }> }>('wait_for_tasks', {
      task_ids: [lead.task_id],
      mode: 'all',
    });
    expect(waited.tasks[0]?.usage_total.total_tokens).toBe(6853);
    expect(waited.tasks[0]?.usage.total_tokens).toBe(33);
    const resource = await host.client.readResource({ uri: `baton://tasks/${lead.task_id}` });
    const shown = JSON.parse(String((resource.contents[0] as { text: string }).text)) as { task: Task };
    expect(shown.task.usage_total.total_tokens).toBe(6853);
    // The merge's summary task is the lead's child, so its run counts in the lead's subtree.
    const children = (await core.store.findTasks({ parent: lead.task_id, order: 'oldest', limit: 10, cursor: null }))
      .tasks;
    expect(children.map((c) => [c.assignee_id, c.usage_total.total_tokens])).toEqual([
      ['mid', 1320],
      ['summarizer', 5500],
    ]);
  });

  it('stops a fan-out of 5 children × 300 tokens under a 1,000-token budget: no call after, the running ones aborted', async () => {
    const { host, core, fake } = await world.start({
      agents: { lead: { tool_scope: 'shared' }, worker: {} },
      models: {
        lead: (body) =>
          toolResults(body) === 0
            ? {
                usage: { input: 40, output: 10 },
                toolCalls: [1, 2, 3, 4, 5].map((i) => ({
                  name: 'delegate_task',
                  arguments: { assignee_id: 'worker', description: `part ${i}` },
                })),
              }
            : {
                usage: { input: 40, output: 10 },
                toolCalls: [{ name: 'wait_for_tasks', arguments: { task_ids: taskIds(body), mode: 'all' } }],
              },
        // Parts 1-3 answer with 300 tokens each; parts 4 and 5 are still thinking when the budget is spent.
        worker: (body) => {
          const part = Number(/part (\d)/.exec(String(body.messages[1]?.content))?.[1]);
          return part <= 3 ? { usage: { input: 250, output: 50 }, text: `part ${part} done` } : { hang: true };
        },
      },
    });

    const lead = await dispatch(host, {
      agent_id: 'lead',
      task: 'Split the work in five.',
      budget_tokens: 1000,
    });
    expect(lead.status).toBe('failed');
    expect(lead.error).toBe('budget exhausted: spent 1000 of 1000 tokens');
    expect(lead.usage_total.total_tokens).toBe(1000);
    // The two running children were stopped, their HTTP requests cut; no model call started after the spend.
    await eventually(() => fake.aborted === 2, 4000, 'the two hanging requests to be aborted');
    expect(requestsOf(fake, 'lead')).toHaveLength(2);
    expect(requestsOf(fake, 'worker')).toHaveLength(5);
    const children = (await core.store.findTasks({ parent: lead.task_id, order: 'oldest', limit: 10, cursor: null }))
      .tasks;
    expect(children.map((c) => c.status)).toEqual(['completed', 'completed', 'completed', 'failed', 'failed']);
    expect(children[3]?.error).toBe(`task ${lead.task_id}: budget exhausted: spent 1000 of 1000 tokens`);
    // Each child was given what the lead's subtree had left when it was made: 1000 - 50 for the first, less for
    // those made after a sibling's spend.
    expect(children[0]?.budget_tokens).toBe(950);
    for (const child of children) expect(child.budget_tokens).toBeLessThanOrEqual(950);
    // The delegator (the host) was told.
    const inbox = await host.ok<{ items: Array<{ event: string; task_id: string; content: string | null }> }>(
      'read_inbox',
      {},
    );
    expect(inbox.items).toContainEqual(
      expect.objectContaining({
        event: 'task.notification.failed',
        task_id: lead.task_id,
        content: 'budget exhausted: spent 1000 of 1000 tokens',
      }),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.requests).toHaveLength(7);
  });

  it('checks before each model call: a looping agent makes no call once its budget is spent', async () => {
    const { host, fake } = await world.start({
      agents: { looper: { max_steps: 20 } },
      models: {
        looper: () => ({
          usage: { input: 200, output: 100 },
          toolCalls: [{ name: 'report_task_progress', arguments: { task_id: 'x', message: 'still going' } }],
        }),
      },
    });
    const run = await dispatch(host, { agent_id: 'looper', task: 'Loop.', budget_tokens: 1000 });
    expect(run).toMatchObject({ status: 'failed', error: 'budget exhausted: spent 1200 of 1000 tokens' });
    expect(run.usage).toMatchObject({ total_tokens: 1200, calls: 4 });
    expect(fake.requests).toHaveLength(4);
  });

  it('holds a USD budget at the configured prices, and one it cannot price fails at once', async () => {
    const { host } = await world.start({
      prices: { 'openai:gpt-priced': { input: 1, output: 10 } },
      agents: { priced: { model: 'openai:gpt-priced' }, unpriced: {} },
      models: {
        priced: () => ({
          usage: { input: 250, output: 50 },
          toolCalls: [{ name: 'report_task_progress', arguments: { task_id: 'x', message: 'on it' } }],
        }),
        unpriced: () => ({
          usage: { input: 250, output: 50 },
          toolCalls: [{ name: 'report_task_progress', arguments: { task_id: 'x', message: 'on it' } }],
        }),
      },
    });
    const priced = await dispatch(host, { agent_id: 'priced', task: 'Go.', budget_usd: 0.001 });
    expect(priced).toMatchObject({ status: 'failed', error: 'budget exhausted: spent $0.0015 of $0.001' });
    const unpriced = await dispatch(host, { agent_id: 'unpriced', task: 'Go.', budget_usd: 1 });
    expect(unpriced.status).toBe('failed');
    expect(unpriced.error).toMatch(/^budget exhausted: the cost of a model call under it is unknown/);
    expect(unpriced.usage).toMatchObject({ total_tokens: 300, cost_usd: null, calls: 1 });
  });

  it('caps a child by what its parent has left, and a root by its agent and --max-tokens-per-root', async () => {
    const { host, core } = await world.start({
      maxTokensPerRoot: 500,
      agents: { lead: { tool_scope: 'shared' }, worker: {}, frugal: { budget_tokens: 200 } },
      models: {
        lead: (body) =>
          toolResults(body) === 0
            ? {
                usage: { input: 300, output: 100 },
                toolCalls: [
                  {
                    name: 'delegate_task',
                    arguments: { assignee_id: 'worker', description: 'w', budget_tokens: 5000 },
                  },
                ],
              }
            : { usage: { input: 0, output: 0 }, text: 'delegated' },
        worker: () => ({ hang: true }),
        frugal: () => ({ usage: { input: 1, output: 1 }, text: 'ok' }),
      },
    });
    const lead = await host.ok<Dispatched>('subagent_dispatch', { agent_id: 'lead', task: 'Go.', budget_tokens: 800 });
    expect(lead.status).toBe('completed');
    const leadTask = (await core.tasks.peek(lead.task_id)) as Task;
    expect(leadTask.budget_tokens).toBe(500); // --max-tokens-per-root caps the 800 asked for
    const [child] = (await core.store.findTasks({ parent: lead.task_id, order: 'oldest', limit: 10, cursor: null }))
      .tasks;
    expect(child?.budget_tokens).toBe(100); // 500 - 400 spent, not the 5000 asked for
    const frugal = await host.ok<Dispatched>('subagent_dispatch', { agent_id: 'frugal', task: 'Go.' });
    expect(((await core.tasks.peek(frugal.task_id)) as Task).budget_tokens).toBe(200);
  });
});
