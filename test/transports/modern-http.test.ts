/**
 * MCP 2026-07-28 over HTTP (issue 14 items 1, 2, 5): hand-built stateless requests next to a 2025-11-25 SDK client
 * on the same /mcp, in process on port 0.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { startHttp } from '../../src/transports/http.js';
import type { RunningHttp } from '../../src/transports/http.js';
import { writeAgent } from '../helpers/agents.js';
import type { Core } from '../helpers/core.js';
import { eventually } from '../helpers/core.js';
import type { Wire } from '../helpers/modern.js';
import { MODERN, TASKS, modernHeaders, modernRequest, post } from '../helpers/modern.js';
import { useSandbox } from '../helpers/sandbox.js';

describe('MCP 2026-07-28 over HTTP', () => {
  const sandbox = useSandbox();
  let core: Core;
  let http: RunningHttp;
  let url: string;

  const start = async (agentSpec: Parameters<typeof writeAgent>[2] = {}) => {
    await writeAgent(sandbox.agentsDir, 'worker', { model: 'openai:gpt-test', ...agentSpec });
    core = await sandbox.start({});
    http = await startHttp(core.baton, { host: '127.0.0.1', port: 0, agentId: 'host', tokens: null });
    url = `${http.url}/mcp`;
    return async () => http.close();
  };
  const dispatchAsTask = async (task: string) => {
    const reply = await post(
      url,
      modernRequest('tools/call', { name: 'subagent_dispatch', arguments: { agent_id: 'worker', task } }),
    );
    expect(reply.body.result).toMatchObject({ resultType: 'task', status: 'working', ttlMs: null });
    return reply.body.result!.taskId as string;
  };
  const getTask = async (taskId: string) => (await post(url, modernRequest('tasks/get', { taskId }))).body;
  const settle = (taskId: string) =>
    eventually(async () => {
      const { result } = await getTask(taskId);
      return result && result.status !== 'working' ? result : undefined;
    });

  it('answers server/discover without a session: the revision, the Tasks extension, serverInfo in _meta', async () => {
    const stop = await start();
    const reply = await post(url, modernRequest('server/discover'));
    expect(reply.status).toBe(200);
    expect(reply.headers.get('mcp-session-id')).toBeNull();
    expect(reply.body.result).toMatchObject({
      resultType: 'complete',
      supportedVersions: [MODERN],
      capabilities: { tools: { listChanged: true }, extensions: { [TASKS]: {} } },
      ttlMs: 0,
      cacheScope: 'private',
      _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'baton' } },
    });
    expect(reply.body.result!.capabilities).not.toHaveProperty('logging');
    expect(reply.body.result!.capabilities).not.toHaveProperty('tasks');
    expect(reply.body.result!.instructions).not.toContain('log messages');

    const tools = await post(url, modernRequest('tools/list'));
    const names = tools.body.result!.tools.map((t: { name: string }) => t.name);
    expect(names).toEqual(expect.arrayContaining(['subagent_dispatch', 'delegate_task', 'get_task']));
    expect(tools.body.result!.tools.find((t: { name: string }) => t.name === 'subagent_dispatch')).not.toHaveProperty(
      'execution',
    );
    expect(tools.body.result).toMatchObject({ resultType: 'complete', ttlMs: 0, cacheScope: 'private' });

    // Any request stands alone: delegate in one, read the task in the next.
    const delegated = await post(
      url,
      modernRequest('tools/call', {
        name: 'delegate_task',
        arguments: { assignee_id: 'bob', description: 'Review it.' },
      }),
    );
    const taskId = delegated.body.result!.structuredContent.task_id as string;
    const read = await post(url, modernRequest('tools/call', { name: 'get_task', arguments: { task_id: taskId } }));
    expect(read.body.result!.structuredContent.task).toMatchObject({ id: taskId, assignee_id: 'bob' });
    // The server underneath is no live session: no inbox pushes go to it, nothing counts it as a client.
    expect(core.baton.sessions.size).toBe(0);
    await stop();
  });

  it('runs subagent_dispatch as a task to completion; the MCP task id is the Baton task id in both revisions', async () => {
    await sandbox.fakeOpenAi([{ text: 'The answer is 42.', delayMs: 300 }]);
    const stop = await start();
    const taskId = await dispatchAsTask('Compute the answer.');
    expect((await core.tasks.peek(taskId))?.kind).toBe('dispatch'); // durable before the handle was returned

    const done = await settle(taskId);
    expect(done).toMatchObject({
      resultType: 'complete',
      taskId,
      status: 'completed',
      result: {
        resultType: 'complete',
        content: [{ type: 'text', text: 'The answer is 42.' }],
        structuredContent: { task_id: taskId, status: 'completed', result: 'The answer is 42.' },
      },
    });

    // A 2025-11-25 client of the same agent sees the same task under the same id.
    const legacy = new Client({ name: 'legacy', version: '1.0.0' });
    await legacy.connect(new StreamableHTTPClientTransport(new URL(url)));
    expect(await legacy.experimental.tasks.getTask(taskId)).toMatchObject({ taskId, status: 'completed' });
    await legacy.close();
    await stop();
  });

  it('a failed subagent is a completed task with an isError result (not a failed task)', async () => {
    await sandbox.fakeOpenAi([{ status: 400, message: 'no such model' }]);
    const stop = await start({ max_retries: 0 });
    const done = await settle(await dispatchAsTask('Fail.'));
    expect(done).toMatchObject({
      status: 'completed',
      result: { isError: true, structuredContent: { status: 'failed' } },
    });
    await stop();
  });

  it('tasks/cancel from 2026 stops the run; tasks/cancel from 2025 stops a task a 2026 client started', async () => {
    const fake = await sandbox.fakeOpenAi([{ hang: true }, { hang: true }]);
    const stop = await start();
    const first = await dispatchAsTask('Think for a long time.');
    await fake.waitFor(() => fake.requests.length === 1);
    const ack = await post(url, modernRequest('tasks/cancel', { taskId: first }));
    expect(ack.body.result).toMatchObject({ resultType: 'complete' });
    await fake.waitFor(() => fake.aborted === 1);
    expect((await getTask(first)).result).toMatchObject({ taskId: first, status: 'cancelled' });
    // Cancelling an ended task is acknowledged, nothing changes.
    expect((await post(url, modernRequest('tasks/cancel', { taskId: first }))).body.result).toMatchObject({
      resultType: 'complete',
    });

    const second = await dispatchAsTask('Think again.');
    await fake.waitFor(() => fake.requests.length === 2);
    const legacy = new Client({ name: 'legacy', version: '1.0.0' });
    await legacy.connect(new StreamableHTTPClientTransport(new URL(url)));
    await legacy.experimental.tasks.cancelTask(second);
    await fake.waitFor(() => fake.aborted === 2);
    expect((await getTask(second)).result).toMatchObject({ status: 'cancelled' });
    await legacy.close();
    await stop();
  });

  it('without the Tasks extension a dispatch blocks with progress, and the tasks methods need the extension', async () => {
    await sandbox.fakeOpenAi([{ text: 'Done inline.' }]);
    const stop = await start();
    const reply = await post(
      url,
      modernRequest(
        'tools/call',
        { name: 'subagent_dispatch', arguments: { agent_id: 'worker', task: 'Go.' } },
        { tasks: false, meta: { progressToken: 'p1' } },
      ),
    );
    expect(reply.headers.get('content-type')).toContain('text/event-stream');
    expect(reply.body.result).toMatchObject({
      resultType: 'complete',
      content: [{ type: 'text', text: 'Done inline.' }],
    });
    expect(
      reply.notifications.some((n) => n.method === 'notifications/progress' && n.params.progressToken === 'p1'),
    ).toBe(true);
    const taskId = reply.body.result!.structuredContent.task_id as string;

    const refused = await post(url, modernRequest('tasks/get', { taskId }, { tasks: false }));
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({
      code: -32021,
      data: { requiredCapabilities: { extensions: { [TASKS]: {} } } },
    });
    const unknown = await post(url, modernRequest('tasks/get', { taskId: 'no-such-task' }));
    expect(unknown.body.error).toMatchObject({ code: -32602 });
    await stop();
  });

  it('refuses a bad envelope, an unsupported revision and headers that disagree with the body', async () => {
    const stop = await start();
    const noCaps = modernRequest('tools/list');
    delete (noCaps.params._meta as Record<string, unknown>)['io.modelcontextprotocol/clientCapabilities'];
    const missing = await post(url, noCaps);
    expect([missing.status, missing.body.error?.code]).toEqual([400, -32602]);

    const future = await post(url, modernRequest('tools/list', {}, { version: '2099-01-01' }));
    expect(future.status).toBe(400);
    expect(future.body.error).toMatchObject({ code: -32022, data: { supported: [MODERN], requested: '2099-01-01' } });

    const call = modernRequest('tools/call', { name: 'list_tasks', arguments: {} });
    const mismatch = await post(url, call, { 'mcp-name': 'get_task' });
    expect([mismatch.status, mismatch.body.error?.code]).toEqual([400, -32020]);
    const noMethod = await post(url, call, { 'mcp-method': 'tools/list' });
    expect(noMethod.body.error?.code).toBe(-32020);
    // A 2026 header on a request without the envelope is a modern request missing its envelope, not a 2025 one.
    const bare = await fetch(url, {
      method: 'POST',
      headers: modernHeaders({ method: 'server/discover', params: {} }),
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'server/discover' }),
    });
    expect(bare.status).toBe(400);
    expect(((await bare.json()) as { error: { code: number } }).error.code).toBe(-32602);
    await stop();
  });

  it('subscriptions/listen acknowledges what it will send and pushes notifications/tasks as a task changes', async () => {
    await sandbox.fakeOpenAi([{ text: 'Listened.', delayMs: 300 }]);
    const stop = await start();
    const taskId = await dispatchAsTask('Tell the listener.');
    const listenRequest = modernRequest('subscriptions/listen', {
      notifications: { taskIds: [taskId, 'someone-elses'], toolsListChanged: true },
    });
    const away = new AbortController();
    const res = await fetch(url, {
      method: 'POST',
      headers: modernHeaders(listenRequest),
      body: JSON.stringify(listenRequest),
      signal: away.signal,
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const seen: Array<{ method: string; params: Record<string, Wire> }> = [];
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    while (!seen.some((n) => n.method === 'notifications/tasks' && n.params.status === 'completed')) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      for (const line of buffer.split('\n').filter((l) => l.startsWith('data: '))) seen.push(JSON.parse(line.slice(6)));
      buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
    }
    away.abort();
    expect(seen[0]).toMatchObject({
      method: 'notifications/subscriptions/acknowledged',
      params: {
        notifications: { taskIds: [taskId], toolsListChanged: true },
        _meta: { 'io.modelcontextprotocol/subscriptionId': listenRequest.id },
      },
    });
    const last = seen[seen.length - 1]!;
    expect(last.params).toMatchObject({
      taskId,
      status: 'completed',
      result: { structuredContent: { result: 'Listened.' } },
      _meta: { 'io.modelcontextprotocol/subscriptionId': listenRequest.id },
    });
    await stop();
  });
});
