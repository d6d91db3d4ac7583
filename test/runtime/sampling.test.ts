import path from 'node:path';
import type { CreateMessageRequest, CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeAgent } from '../helpers/agents.js';
import type { Core } from '../helpers/core.js';
import { eventually, startCore, tempDir, textOf } from '../helpers/core.js';

type Dispatched = { result: string; session_id: string; task_id: string; agent_id: string; status: string };

/** The text of each message of a sampling request, as `role: text`. */
const said = (request: CreateMessageRequest) =>
  request.params.messages.map((m) => {
    const parts = Array.isArray(m.content) ? m.content : [m.content];
    return `${m.role}: ${parts.map((c) => (c.type === 'text' ? c.text : `[${c.type}]`)).join('')}`;
  });

describe('subagents on the client model (MCP sampling)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let core: Core | null = null;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => {
    await core?.close();
    core = null;
    await cleanup();
  });

  const agentsDir = () => path.join(dir, 'agents');
  /** Baton without any API key or --model, so only the client's sampling can run a model. */
  const start = async () => {
    core = await startCore({ agents: [agentsDir()], env: {}, model: null });
    return core;
  };
  /** A client model that records what it was asked and answers `answer`. */
  const clientModel = (answer: string) => {
    const requests: CreateMessageRequest[] = [];
    const handler = (request: CreateMessageRequest): CreateMessageResult => {
      requests.push(request);
      return { role: 'assistant', content: { type: 'text', text: answer }, model: 'client-model' };
    };
    return { requests, handler };
  };

  it("runs an agent with model: sampling on the calling client's model", async () => {
    await writeAgent(agentsDir(), 'poet', { model: 'sampling', body: 'You write haiku.' });
    const model = clientModel('An old silent pond');
    const host = await (await start()).connect('host', { sampling: model.handler });

    const out = await host.ok<Dispatched>('subagent_dispatch', {
      agent_id: 'poet',
      task: 'Write a haiku about a pond.',
      context: 'Keep it classic.',
    });

    expect(out).toMatchObject({ result: 'An old silent pond', status: 'completed', agent_id: 'poet' });
    expect(model.requests).toHaveLength(1);
    expect(model.requests[0]!.params.systemPrompt).toBe('You write haiku.');
    expect(said(model.requests[0]!)).toEqual(['user: Write a haiku about a pond.\n\nContext:\nKeep it classic.']);
    expect(await core!.tasks.peek(out.task_id)).toMatchObject({ status: 'completed', result: 'An old silent pond' });
  });

  it('runs an agent that names no model on the client model when there is no --model default', async () => {
    await writeAgent(agentsDir(), 'helper', { body: 'You help.' });
    const model = clientModel('Happy to help.');
    const host = await (await start()).connect('host', { sampling: model.handler });

    const out = await host.ok<Dispatched>('subagent_dispatch', { agent_id: 'helper', task: 'Say hello.' });

    expect(out).toMatchObject({ result: 'Happy to help.', status: 'completed' });
    expect(model.requests[0]!.params.systemPrompt).toBe('You help.');
    expect(said(model.requests[0]!)).toEqual(['user: Say hello.']);
  });

  it('continues a sampled conversation with its session_id', async () => {
    await writeAgent(agentsDir(), 'poet', { model: 'sampling', body: 'You write haiku.' });
    const model = clientModel('A frog jumps in');
    const host = await (await start()).connect('host', { sampling: model.handler });

    const first = await host.ok<Dispatched>('subagent_dispatch', { agent_id: 'poet', task: 'Line one.' });
    await host.ok<Dispatched>('subagent_dispatch', {
      agent_id: 'poet',
      task: 'Line two.',
      session_id: first.session_id,
    });

    expect(said(model.requests[1]!)).toEqual(['user: Line one.', 'assistant: A frog jumps in', 'user: Line two.']);
  });

  it("runs a delegated background task on the delegator's connected client model", async () => {
    await writeAgent(agentsDir(), 'poet', { model: 'sampling', body: 'You write haiku.' });
    const model = clientModel('Splash of water');
    const c = await start();
    const host = await c.connect('host', { sampling: model.handler });

    const { task_id } = await host.ok<{ task_id: string }>('delegate_task', {
      assignee_id: 'poet',
      description: 'A haiku, in the background.',
    });

    const task = await eventually(async () => {
      const t = await c.tasks.peek(task_id);
      return t?.status === 'completed' ? t : null;
    }, 5000);
    expect(task.result).toBe('Splash of water');
    expect(said(model.requests[0]!)).toEqual(['user: A haiku, in the background.']);
  });

  it('gives a client without sampling a clear error, for model: sampling and for no model at all', async () => {
    await writeAgent(agentsDir(), 'poet', { model: 'sampling' });
    await writeAgent(agentsDir(), 'helper');
    const host = await (await start()).connect('host');

    const sampled = await host.call('subagent_dispatch', { agent_id: 'poet', task: 'Write.' });
    expect(sampled.isError).toBe(true);
    expect(textOf(sampled)).toMatch(
      /poet failed: sampling: the calling client did not declare the sampling capability/,
    );
    expect(sampled.structuredContent).toMatchObject({ status: 'failed', agent_id: 'poet' });

    const modelless = await host.call('subagent_dispatch', { agent_id: 'helper', task: 'Help.' });
    expect(modelless.isError).toBe(true);
    expect(textOf(modelless)).toMatch(
      /helper failed: agent helper names no model, no default was given .*and the calling client does not offer sampling/,
    );
  });
});
