import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeAgent } from '../helpers/agents.js';
import { tempDir } from '../helpers/core.js';
import type { StdioProcess } from '../helpers/stdio.js';
import { startStdio } from '../helpers/stdio.js';
import { startFakeOpenAi } from '../providers/fakes/fake-openai-server.js';
import type { FakeOpenAi } from '../providers/fakes/fake-openai-server.js';

describe('subagent_dispatch through the built CLI over stdio', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let baton: StdioProcess | null = null;
  let fake: FakeOpenAi | null = null;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => {
    await baton?.close();
    await fake?.close();
    baton = null;
    fake = null;
    await cleanup();
  });

  const start = async () => {
    const agents = path.join(dir, 'agents');
    await writeAgent(agents, 'researcher', {
      model: 'openai:gpt-test',
      description: 'Finds and summarises sources. Use for research questions.',
      body: 'You are a research assistant.',
    });
    await writeAgent(agents, 'coder', { model: 'openai:gpt-test', description: 'Writes <small> & tidy code.' });
    baton = await startStdio(['--store', path.join(dir, 'store.json'), '--agents', agents, '--no-bundled-agents'], {
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: fake!.baseUrl,
    });
    return baton;
  };

  it('describes the available agents in tools/list', async () => {
    fake = await startFakeOpenAi([]);
    const host = await start();

    const { tools } = await host.client.listTools();
    const dispatch = tools.find((t) => t.name === 'subagent_dispatch');
    expect(dispatch?.description).toContain(
      [
        '<available_agents>',
        '<agent id="coder">Writes &lt;small&gt; &amp; tidy code.</agent>',
        '<agent id="researcher">Finds and summarises sources. Use for research questions.</agent>',
        '</available_agents>',
      ].join('\n'),
    );
    expect(dispatch?.inputSchema.properties).toMatchObject({ agent_id: { enum: ['coder', 'researcher'] } });
    expect(fake.requests).toHaveLength(0);
  });

  it("dispatches an agent and returns the model's answer", async () => {
    fake = await startFakeOpenAi([{ text: 'Tides follow the moon.' }]);
    const host = await start();

    const out = await host.ok<{ result: string; status: string; agent_id: string; task_id: string }>(
      'subagent_dispatch',
      { agent_id: 'researcher', task: 'Why are there tides?', context: 'For a child.' },
    );

    expect(out).toMatchObject({ result: 'Tides follow the moon.', status: 'completed', agent_id: 'researcher' });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.headers.authorization).toBe('Bearer sk-test');
    expect(fake.requests[0]!.body).toMatchObject({
      model: 'gpt-test',
      messages: [
        { role: 'system', content: 'You are a research assistant.' },
        { role: 'user', content: 'Why are there tides?\n\nContext:\nFor a child.' },
      ],
    });
    const { task } = await host.ok<{ task: { status: string; result: string } }>('get_task', { task_id: out.task_id });
    expect(task).toMatchObject({ status: 'completed', result: 'Tides follow the moon.' });
    // A clean dispatch logs no warning or error (stderr only; stdout is the protocol).
    expect(host.stderr()).not.toMatch(/^baton (warn|error)/m);
  });

  it('runs a task-augmented dispatch (MCP Tasks) to its result', async () => {
    fake = await startFakeOpenAi([{ text: 'Done in the background.', delayMs: 200 }]);
    const host = await start();
    await host.client.listTools(); // the client learns that subagent_dispatch supports tasks

    const seen: string[] = [];
    let text = '';
    for await (const message of host.client.experimental.tasks.callToolStream({
      name: 'subagent_dispatch',
      arguments: { agent_id: 'coder', task: 'Tidy up.' },
    })) {
      seen.push(message.type);
      if (message.type === 'result') text = JSON.stringify(message.result.structuredContent);
      if (message.type === 'error') throw message.error;
    }

    expect(seen[0]).toBe('taskCreated');
    expect(seen[seen.length - 1]).toBe('result');
    expect(JSON.parse(text)).toMatchObject({ result: 'Done in the background.', status: 'completed' });
  });
});
