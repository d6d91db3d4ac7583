import { describe, expect, it } from 'vitest';
import type { Created } from './harness.js';
import { contents, deferred, lastOf, orchestration, requestsOf, toolResults, waitAll } from './harness.js';

const FINDING = 'Finding: Q3 revenue grew 12%, driven by the EU region.';
const INBOX = `New messages in your inbox:\n- from alice: ${FINDING}`;

describe("inter-agent messages (the seed's collaborating alice and bob)", () => {
  const world = orchestration();

  it("delivers alice's message to bob while he runs, before his next step, and bob's answer uses it", async () => {
    const bobIsThinking = deferred();
    const { host, fake } = await world.start({
      agents: { alice: { tool_scope: 'restricted' }, bob: { tool_scope: 'restricted' } },
      models: {
        alice: async (body) => {
          if (toolResults(body) > 0) return { text: 'Sent my findings to bob.' };
          // Alice answers once bob's first model call is under way, so her message lands during his run.
          await bobIsThinking.promise;
          return { toolCalls: [{ name: 'send_message', arguments: { to_agent_id: 'bob', content: FINDING } }] };
        },
        bob: (body) => {
          if (toolResults(body) === 0) {
            bobIsThinking.resolve();
            return {
              toolCalls: [{ name: 'report_task_progress', arguments: { message: 'outlining the report' } }],
              delayMs: 300,
            };
          }
          const inbox = contents(body).find((c) => c.startsWith('New messages in your inbox'));
          const news = inbox?.split('- from alice: ')[1];
          return { text: news ? `Final report. ${news}` : 'Final report: no data from alice.' };
        },
      },
    });

    const [alice, bob] = await Promise.all([
      host.ok<Created>('delegate_task', {
        assignee_id: 'alice',
        description: 'Analyse the sales dataset and send key findings to bob.',
      }),
      host.ok<Created>('delegate_task', {
        assignee_id: 'bob',
        description: "Wait for alice's analysis, then produce a final report.",
      }),
    ]);
    const waited = await waitAll(host, [alice!.task_id, bob!.task_id]);

    expect(waited.tasks).toEqual([
      expect.objectContaining({ assignee_id: 'alice', status: 'completed', result: 'Sent my findings to bob.' }),
      expect.objectContaining({ assignee_id: 'bob', status: 'completed', result: `Final report. ${FINDING}` }),
    ]);
    const [bobFirst, bobSecond] = requestsOf(fake, 'bob');
    expect(contents(bobFirst!)).not.toContain(INBOX);
    // Bob's next request carries the message after his tool result.
    expect(lastOf(bobSecond!)).toMatchObject({ role: 'user', content: INBOX });
    expect(String(lastOf(requestsOf(fake, 'alice')[1]!).content)).toMatch(/"delivered_to":"bob"/);
  });

  it('gives bob a message that arrived while his task was still queued in his first prompt', async () => {
    const { host, fake } = await world.start({
      maxConcurrency: 1,
      agents: { alice: { tool_scope: 'restricted' }, bob: { tool_scope: 'restricted' } },
      models: {
        alice: (body) =>
          toolResults(body) > 0
            ? { text: 'Sent.' }
            : { toolCalls: [{ name: 'send_message', arguments: { to_agent_id: 'bob', content: FINDING } }] },
        bob: (body) => ({ text: contents(body).some((c) => c.includes(FINDING)) ? 'Used the finding.' : 'No data.' }),
      },
    });
    // With one slot, alice runs first and bob's task waits in the queue while her message arrives.
    const alice = await host.ok<Created>('delegate_task', { assignee_id: 'alice', description: 'Tell bob.' });
    const bob = await host.ok<Created>('delegate_task', { assignee_id: 'bob', description: 'Report.' });
    const waited = await waitAll(host, [alice.task_id, bob.task_id]);
    expect(waited.tasks[1]).toMatchObject({ assignee_id: 'bob', status: 'completed', result: 'Used the finding.' });
    const [bobFirst] = requestsOf(fake, 'bob');
    expect(String(lastOf(bobFirst!).content)).toBe(`Report.\n\n${INBOX}`);
  });
});
