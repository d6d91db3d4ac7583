import { performance } from 'node:perf_hooks';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import type { FakeReply } from '../providers/fakes/fake-openai-server.js';
import type { AgentModel, Waited } from './harness.js';
import { delegateAll, orchestration, sleep } from './harness.js';

type Merged = { strategy: string; summary: string; source_count: number; missing: unknown[]; task_ids: string[] };

describe("fan-out / fan-in (the seed's parallel subagents)", () => {
  const world = orchestration();

  it('runs three specialists at once, reports each as it ends, and merges them as "[task_id] summary" lines', async () => {
    // Each specialist's model call takes a different time, so they end one after the other while overlapping.
    const calls: Record<string, { start: number; end: number }> = {};
    const specialist =
      (id: string, ms: number, reply: FakeReply): AgentModel =>
      async () => {
        const start = performance.now();
        await sleep(ms);
        calls[id] = { start, end: performance.now() };
        return reply;
      };
    const { host } = await world.start({
      agents: { researcher: {}, coder: {}, writer: {} },
      models: {
        researcher: specialist('researcher', 150, { text: 'Market: 12 agent frameworks, 3 leaders.' }),
        coder: specialist('coder', 350, { text: 'PoC: POST /orchestrate in 80 lines.' }),
        // A JSON result with a summary field: the seed's hierarchical merge takes that field.
        writer: specialist('writer', 550, {
          toolCalls: [
            { name: 'complete_task', arguments: { result: { summary: 'Docs: 4 endpoints documented.', pages: 3 } } },
          ],
        }),
      },
    });

    const [research, code, docs] = await delegateAll(host, 'launch', [
      ['researcher', 'Analyse the market for AI agent frameworks.'],
      ['coder', 'Build a proof-of-concept REST API for agent orchestration.'],
      ['writer', 'Draft the API documentation.'],
    ]);

    const progress: Array<{ message: string; at: number }> = [];
    const waited = (await host.client.callTool(
      { name: 'wait_for_tasks', arguments: { group: 'launch', mode: 'all' } },
      CallToolResultSchema,
      { onprogress: (p) => progress.push({ message: p.message ?? '', at: performance.now() }) },
    )) as CallToolResult;

    expect(waited.isError).toBeFalsy();
    const outcome = waited.structuredContent as unknown as Waited;
    expect(outcome).toMatchObject({ done: true, timed_out: false, pending_task_ids: [] });
    expect(outcome.tasks).toEqual([
      expect.objectContaining({ id: research, status: 'completed', result: 'Market: 12 agent frameworks, 3 leaders.' }),
      expect.objectContaining({ id: code, status: 'completed', result: 'PoC: POST /orchestrate in 80 lines.' }),
      expect.objectContaining({
        id: docs,
        status: 'completed',
        result: { summary: 'Docs: 4 endpoints documented.', pages: 3 },
      }),
    ]);

    // The three model calls overlapped: every one started before the first one ended.
    const { researcher, coder, writer } = calls;
    expect(Math.max(researcher!.start, coder!.start, writer!.start)).toBeLessThan(researcher!.end);

    // One progress notification as each task ended, in the order they ended, each before the next one ended.
    expect(progress.map((p) => p.message)).toEqual([
      `task ${research} (researcher) completed`,
      `task ${code} (coder) completed`,
      `task ${docs} (writer) completed`,
    ]);
    expect(progress[0]!.at).toBeLessThan(coder!.end);
    expect(progress[1]!.at).toBeLessThan(writer!.end);

    const merged = await host.ok<Merged>('merge', { group: 'launch', strategy: 'hierarchical_summary' });
    expect(merged).toMatchObject({
      strategy: 'hierarchical_summary',
      task_ids: [research, code, docs],
      source_count: 3,
      missing: [],
    });
    expect(merged.summary).toBe(
      [
        `[${research}] Market: 12 agent frameworks, 3 leaders.`,
        `[${code}] PoC: POST /orchestrate in 80 lines.`,
        `[${docs}] Docs: 4 endpoints documented.`,
      ].join('\n'),
    );
  });
});
