/**
 * MCP 2026-07-28 over stdio through the built CLI (issue 14 item 1): hand-built JSON-RPC lines, no initialize.
 * Discovery, a dispatch run as a task and polled to its answer, a listen stream ended by notifications/cancelled,
 * a plain call cancelled the same way (the fake model sees the abort); and a 2025-11-25 session on the same stream.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeAgent } from '../helpers/agents.js';
import { CLI, cleanEnv } from '../helpers/cli.js';
import { eventually, tempDir } from '../helpers/core.js';
import { MODERN, TASKS, modernRequest } from '../helpers/modern.js';
import type { Wire } from '../helpers/modern.js';
import { startFakeOpenAi } from '../providers/fakes/fake-openai-server.js';
import type { FakeOpenAi } from '../providers/fakes/fake-openai-server.js';

type Line = {
  id?: unknown;
  method?: string;
  params?: Record<string, Wire>;
  result?: Record<string, Wire>;
  error?: { code: number };
};

describe('MCP 2026-07-28 over stdio', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let fake: FakeOpenAi;
  let child: ChildProcessWithoutNullStreams;
  let lines: Line[];
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => {
    child?.stdin.end();
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('close', resolve)));
    await fake?.close();
    await cleanup();
  });

  const start = async () => {
    const agents = path.join(dir, 'agents');
    await writeAgent(agents, 'worker', { model: 'openai:gpt-test' });
    child = spawn(
      process.execPath,
      [CLI, '--store', path.join(dir, 'store.json'), '--agents', agents, '--no-bundled-agents', '--as', 'host'],
      { cwd: dir, env: cleanEnv({ HOME: dir, OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.baseUrl }) },
    );
    lines = [];
    createInterface({ input: child.stdout }).on('line', (line) => lines.push(JSON.parse(line) as Line));
  };
  const send = (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`);
  const answer = (id: unknown) =>
    eventually(async () => lines.find((l) => l.id === id && ('result' in l || 'error' in l)));
  const request = async (method: string, params: Record<string, unknown> = {}, options = {}) => {
    const message = modernRequest(method, params, options);
    send(message);
    return answer(message.id);
  };

  it('discovers, runs a dispatch as a task to its answer, and serves a 2025 session on the same stream', async () => {
    fake = await startFakeOpenAi([{ text: 'Over stdio.', delayMs: 200 }]);
    await start();
    const discovered = await request('server/discover');
    expect(discovered.result).toMatchObject({
      supportedVersions: [MODERN],
      capabilities: { extensions: { [TASKS]: {} } },
    });

    const created = await request('tools/call', {
      name: 'subagent_dispatch',
      arguments: { agent_id: 'worker', task: 'Go.' },
    });
    expect(created.result).toMatchObject({ resultType: 'task', status: 'working' });
    const taskId = created.result!.taskId as string;
    const done = await eventually(async () => {
      const got = await request('tasks/get', { taskId });
      return got.result?.status === 'completed' ? got.result : undefined;
    });
    expect(done.result).toMatchObject({
      content: [{ type: 'text', text: 'Over stdio.' }],
      structuredContent: { task_id: taskId },
    });

    // The 2025 session on the same stream has not started: its inbox pushes (log messages) never reach stdout.
    expect(lines.filter((l) => l.method === 'notifications/message')).toEqual([]);
    // A 2025-11-25 client opens with initialize on the same stdin and gets today's answers.
    send({
      jsonrpc: '2.0',
      id: 'init',
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'legacy', version: '1' } },
    });
    expect((await answer('init')).result).toMatchObject({ protocolVersion: '2025-11-25', capabilities: { tasks: {} } });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 'list', method: 'tools/list' });
    const listed = (await answer('list')).result!.tools as Array<{ name: string; execution?: unknown }>;
    expect(listed.find((t) => t.name === 'subagent_dispatch')?.execution).toEqual({ taskSupport: 'optional' });
  });

  it('notifications/cancelled ends a listen stream gracefully and cancels a plain call (the model request is aborted)', async () => {
    fake = await startFakeOpenAi([{ hang: true }]);
    await start();
    const listen = modernRequest('subscriptions/listen', { notifications: { toolsListChanged: true } });
    send(listen);
    await eventually(async () => lines.find((l) => l.method === 'notifications/subscriptions/acknowledged'));
    send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: listen.id } });
    expect((await answer(listen.id)).result).toMatchObject({
      resultType: 'complete',
      _meta: { 'io.modelcontextprotocol/subscriptionId': listen.id },
    });

    const call = modernRequest(
      'tools/call',
      { name: 'subagent_dispatch', arguments: { agent_id: 'worker', task: 'Hang.' } },
      { tasks: false },
    );
    send(call);
    await fake.waitFor(() => fake.requests.length === 1);
    send({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: call.id, reason: 'no longer needed' },
    });
    await fake.waitFor(() => fake.aborted === 1);
    expect(lines.find((l) => l.id === call.id)).toBeUndefined(); // a cancelled request gets no answer
  });
});
