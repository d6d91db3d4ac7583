import { describe, expect, it } from 'vitest';
import type { TaskSummary } from '../../src/tasks/views.js';
import type { Created } from './harness.js';
import { performance } from 'node:perf_hooks';
import { contents, orchestration, requestsOf, sleep, taskOf, toolResults, waitAll } from './harness.js';

/**
 * A parent that waits for its children must not keep its concurrency slot meanwhile: under --max-concurrency 1
 * (or N parents under N) the children would queue behind it forever and the parent would time out.
 */
describe('nested subagents under --max-concurrency', () => {
  const world = orchestration();

  it('lets a parent that dispatches a child finish under --max-concurrency 1', async () => {
    const { host } = await world.start({
      maxConcurrency: 1,
      agents: { lead: { tool_scope: 'shared' }, expert: {} },
      models: {
        lead: (body) =>
          toolResults(body) === 0
            ? { toolCalls: [{ name: 'subagent_dispatch', arguments: { agent_id: 'expert', task: 'What is 6 x 7?' } }] }
            : { text: 'The expert says 42.' },
        expert: () => ({ text: '42' }),
      },
    });

    const out = await host.call('subagent_dispatch', { agent_id: 'lead', task: 'Ask the expert.', timeout_seconds: 3 });
    expect(out.structuredContent).toMatchObject({ status: 'completed', result: 'The expert says 42.' });
  });

  it('lets a parent delegate, wait_for_tasks and merge with llm_summary under --max-concurrency 1', async () => {
    const { host, fake } = await world.start({
      maxConcurrency: 1,
      agents: { lead: { tool_scope: 'shared' }, worker: {}, summarizer: {} },
      models: {
        lead: (body) => {
          const step = toolResults(body);
          if (step === 0) {
            return {
              toolCalls: [
                { name: 'delegate_task', arguments: { assignee_id: 'worker', description: 'Count.', group: 'g' } },
              ],
            };
          }
          if (step === 1) return { toolCalls: [{ name: 'wait_for_tasks', arguments: { group: 'g' } }] };
          if (step === 2) {
            return { toolCalls: [{ name: 'merge', arguments: { group: 'g', strategy: 'llm_summary' } }] };
          }
          return { text: 'all merged' };
        },
        worker: () => ({ text: 'counted 7' }),
        summarizer: () => ({ text: 'Seven in all.' }),
      },
    });

    const { task_id } = await host.ok<Created>('delegate_task', {
      assignee_id: 'lead',
      description: 'Count and summarise.',
      timeout_seconds: 3,
    });
    const waited = await waitAll(host, [task_id]);
    expect(waited.tasks[0]).toMatchObject({ status: 'completed', result: 'all merged' });
    const { children } = await host.ok<{ children: TaskSummary[] }>('get_task', { task_id });
    expect(children.map((c) => [c.assignee_id, c.status])).toEqual([
      ['worker', 'completed'],
      ['summarizer', 'completed'],
    ]);
    // The lead saw the worker's result and the summary.
    const [, , afterWait, afterMerge] = requestsOf(fake, 'lead');
    expect(contents(afterWait!).at(-1)).toMatch(/"result":"counted 7"/);
    expect(contents(afterMerge!).at(-1)).toMatch(/"summary":"Seven in all\."/);
  });

  it('still runs one subagent at a time while a parent waits for two children', async () => {
    const spans: Array<{ worker: string; start: number; end: number }> = [];
    const { host } = await world.start({
      maxConcurrency: 1,
      agents: { lead: { tool_scope: 'shared' }, worker: {} },
      models: {
        lead: (body) => {
          const step = toolResults(body);
          if (step === 0) {
            return {
              toolCalls: ['one', 'two'].map((n) => ({
                name: 'delegate_task',
                arguments: { assignee_id: 'worker', description: `part ${n}`, group: 'parts' },
              })),
            };
          }
          if (step === 2) return { toolCalls: [{ name: 'wait_for_tasks', arguments: { group: 'parts' } }] };
          return { text: 'both parts done' };
        },
        worker: async (body) => {
          const start = performance.now();
          await sleep(100);
          spans.push({ worker: taskOf(body), start, end: performance.now() });
          return { text: `${taskOf(body)} done` };
        },
      },
    });

    const { task_id } = await host.ok<Created>('delegate_task', {
      assignee_id: 'lead',
      description: 'Do both parts.',
      timeout_seconds: 3,
    });
    const waited = await waitAll(host, [task_id]);
    expect(waited.tasks[0]).toMatchObject({ status: 'completed', result: 'both parts done' });
    expect(spans.map((s) => s.worker)).toEqual(['part one', 'part two']);
    expect(spans[1]!.start).toBeGreaterThanOrEqual(spans[0]!.end);
  });
});
