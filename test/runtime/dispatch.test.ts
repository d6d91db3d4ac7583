import { describe, expect, it } from 'vitest';
import { writeAgent } from '../helpers/agents.js';
import type { CoreOptions } from '../helpers/core.js';
import { useSandbox } from '../helpers/sandbox.js';
import { startFakeAnthropic } from '../providers/fakes/fake-anthropic-server.js';
import type { OpenAiRequestBody } from '../providers/fakes/fake-openai-server.js';

type Dispatched = { result: string; session_id: string; task_id: string; agent_id: string; status: string };

/** The text of every message the fake model received in one request. */
const said = (body: OpenAiRequestBody) => body.messages.map((m) => `${m.role}: ${String(m.content ?? '')}`);

describe('subagent_dispatch', () => {
  const sandbox = useSandbox();
  const agentsDir = () => sandbox.agentsDir;
  const start = (options: CoreOptions = {}) => sandbox.start(options);

  it('returns the model answer and a session_id; the model got the system prompt, the task and its context', async () => {
    const fake = await sandbox.fakeOpenAi([{ text: 'Paris is the capital.' }]);
    await writeAgent(agentsDir(), 'researcher', { model: 'openai:gpt-test', body: 'You research things carefully.' });
    const host = await (await start()).connect('host');

    const out = await host.ok<Dispatched>('subagent_dispatch', {
      agent_id: 'researcher',
      task: 'What is the capital of France?',
      context: 'The user is planning a trip.',
    });
    expect(out).toMatchObject({ result: 'Paris is the capital.', agent_id: 'researcher', status: 'completed' });
    expect(out.session_id).toMatch(/^[0-9a-f-]{36}$/);

    const body = fake.requests[0]!.body;
    expect(body.model).toBe('gpt-test');
    expect(said(body)).toEqual([
      'system: You research things carefully.',
      'user: What is the capital of France?\n\nContext:\nThe user is planning a trip.',
    ]);
    // Every dispatch is recorded as a task.
    const { task } = await host.ok<{ task: { kind: string; status: string; result: string } }>('get_task', {
      task_id: out.task_id,
    });
    expect(task).toMatchObject({ kind: 'dispatch', status: 'completed', result: 'Paris is the capital.' });
  });

  it('continues a conversation when given its session_id', async () => {
    const fake = await sandbox.fakeOpenAi([{ text: 'Blue.' }, { text: 'You asked about the sky.' }]);
    await writeAgent(agentsDir(), 'helper', { model: 'openai:gpt-test' });
    const core = await start();
    const host = await core.connect('host');
    const first = await host.ok<Dispatched>('subagent_dispatch', {
      agent_id: 'helper',
      task: 'What colour is the sky?',
    });
    const second = await host.ok<Dispatched>('subagent_dispatch', {
      agent_id: 'helper',
      task: 'What did I ask before?',
      session_id: first.session_id,
    });
    expect(second.session_id).toBe(first.session_id);
    expect(second.task_id).not.toBe(first.task_id);
    expect(said(fake.requests[1]!.body)).toEqual([
      'system: You are helper.',
      'user: What colour is the sky?',
      'assistant: Blue.',
      'user: What did I ask before?',
    ]);
    // Another caller cannot continue someone else's conversation.
    const other = await core.connect('mallory');
    expect(
      await other.err('subagent_dispatch', { agent_id: 'helper', task: 'x', session_id: first.session_id }),
    ).toMatch(/session not found/);
  });

  it('runs an Anthropic agent through the Messages API', async () => {
    await sandbox.fakeOpenAi([]);
    const anthropic = await startFakeAnthropic([{ text: 'Bonjour.' }]);
    try {
      await writeAgent(agentsDir(), 'translator', { model: 'anthropic:claude-test', body: 'Translate to French.' });
      const host = await (
        await start({ env: { ANTHROPIC_API_KEY: 'sk-ant', ANTHROPIC_BASE_URL: anthropic.baseUrl } })
      ).connect('host');
      const out = await host.ok<Dispatched>('subagent_dispatch', { agent_id: 'translator', task: 'Hello.' });
      expect(out.result).toBe('Bonjour.');
      expect(anthropic.requests[0]!.body).toMatchObject({
        model: 'claude-test',
        system: 'Translate to French.',
        messages: [{ role: 'user', content: 'Hello.' }],
      });
    } finally {
      await anthropic.close();
    }
  });

  it('lets a shared-scope subagent dispatch another one and uses its answer', async () => {
    await sandbox.fakeOpenAi((body) => {
      const system = String(body.messages[0]?.content);
      const last = body.messages[body.messages.length - 1]!;
      if (system.includes('lead')) {
        if (last.role === 'tool') return { text: `The expert says: ${String(last.content)}` };
        return {
          toolCalls: [{ name: 'subagent_dispatch', arguments: { agent_id: 'expert', task: 'What is 6 x 7?' } }],
        };
      }
      return { text: '42' };
    });
    await writeAgent(agentsDir(), 'lead', {
      model: 'openai:gpt-test',
      tool_scope: 'shared',
      body: 'You are the lead.',
    });
    await writeAgent(agentsDir(), 'expert', { model: 'openai:gpt-test', body: 'You are the expert.' });
    const c = await start();
    const host = await c.connect('host');
    const out = await host.ok<Dispatched>('subagent_dispatch', { agent_id: 'lead', task: 'Ask the expert.' });
    expect(out.result).toMatch(/^The expert says: \{"result":"42",.*"status":"completed"/);
    const { children } = await host.ok<{ children: Array<{ id: string; assignee_id: string; delegated_by: string }> }>(
      'get_task',
      { task_id: out.task_id },
    );
    expect(children).toMatchObject([{ assignee_id: 'expert', delegated_by: 'lead' }]);
    expect(await c.tasks.peek(children[0]!.id)).toMatchObject({
      depth: 1,
      parent_task_id: out.task_id,
      status: 'completed',
    });
  });
});
