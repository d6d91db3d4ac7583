/**
 * End to end over HTTP (SPEC §10): the built CLI serves on 127.0.0.1:0 with a token file; alice speaks
 * Streamable HTTP, bob the legacy HTTP+SSE transport, and raw requests probe authentication, DNS rebinding
 * protection, the body limit and the session rules.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpawnedCli } from '../helpers/cli.js';
import { runCli, startHttpServer } from '../helpers/cli.js';
import type { TestClient } from '../helpers/core.js';
import { eventually, tempDir, wrapClient } from '../helpers/core.js';

const token = () => `tok-${randomBytes(16).toString('hex')}`;
const TOKENS = { alice: token(), bob: token(), carol: token() };

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1.0.0' } },
};
const PING = { jsonrpc: '2.0', id: 2, method: 'ping' };

interface Item {
  event: string;
  task_id: string | null;
  content: string | null;
}

describe('baton serve --http', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let server: SpawnedCli & { url: string };
  let aliceTransport: StreamableHTTPClientTransport;
  let alice: TestClient;
  let bob: TestClient;
  let carol: TestClient;

  const running = () => server?.process.exitCode === null && server.process.signalCode === null;

  const connectStreamable = async (agent: keyof typeof TOKENS) => {
    const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${TOKENS[agent]}` } },
    });
    const client = new Client({ name: `e2e-${agent}`, version: '1.0.0' });
    const wrapped = wrapClient(client);
    await client.connect(transport);
    return { transport, client: wrapped };
  };

  const connectLegacySse = async (agent: keyof typeof TOKENS) => {
    const authorization = `Bearer ${TOKENS[agent]}`;
    const transport = new SSEClientTransport(new URL(`${server.url}/sse`), {
      // The stream request goes through eventSourceInit.fetch, the POSTs through requestInit.
      eventSourceInit: {
        fetch: (url, init) => fetch(url, { ...init, headers: { ...init.headers, Authorization: authorization } }),
      },
      requestInit: { headers: { Authorization: authorization } },
    });
    const client = new Client({ name: `e2e-${agent}`, version: '1.0.0' });
    const wrapped = wrapClient(client);
    await client.connect(transport);
    return wrapped;
  };

  /** A raw JSON POST with fetch. */
  const post = (urlPath: string, options: { token?: string; headers?: Record<string, string>; body?: string }) =>
    fetch(`${server.url}${urlPath}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      body: options.body ?? JSON.stringify(PING),
    });

  beforeAll(async () => {
    tmp = await tempDir('baton-e2e-http-');
    const tokensFile = path.join(tmp.dir, 'tokens.json');
    await writeFile(
      tokensFile,
      JSON.stringify({ [TOKENS.alice]: 'alice', [TOKENS.bob]: 'bob', [TOKENS.carol]: 'carol' }),
    );
    server = await startHttpServer(
      ['--http', '127.0.0.1:0', '--store', path.join(tmp.dir, 'store.json'), '--tokens', tokensFile],
      { cwd: tmp.dir },
    );
    const connected = await connectStreamable('alice');
    aliceTransport = connected.transport;
    alice = connected.client;
    bob = await connectLegacySse('bob');
    carol = (await connectStreamable('carol')).client;
  });

  afterAll(async () => {
    try {
      if (server) {
        // SPEC §10: SIGTERM stops the server cleanly (exit 0), even with clients still connected. A server that
        // died earlier fails here too.
        if (running()) server.process.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const exit = await Promise.race([
          server.exited,
          new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), 5000))),
        ]);
        clearTimeout(timer);
        expect(exit, `no exit within 5 s of SIGTERM:\n${server.stderr()}`).toEqual({ code: 0, signal: null });
        expect(server.stderr()).toMatch(/shutting down \(SIGTERM\)/);
      }
    } finally {
      for (const c of [alice, bob, carol]) await c?.client.close().catch(() => undefined);
      if (running()) server.process.kill('SIGKILL');
      await tmp?.cleanup();
    }
  });

  it('lets alice over Streamable HTTP delegate to bob over legacy SSE and follow his progress and result', async () => {
    const created = await alice.ok<{ task_id: string; status: string; assignee_id: string; delegated_by: string }>(
      'delegate_task',
      { assignee_id: 'bob', description: 'Summarise the quarterly report', payload: { pages: 3 } },
    );
    expect(created).toMatchObject({ status: 'in_progress', assignee_id: 'bob', delegated_by: 'alice' });
    const id = created.task_id;

    // bob is connected over legacy SSE: the assignment reaches him live.
    await eventually(
      () => bob.messages.some((m) => (m as Item).event === 'task.notification.assigned' && (m as Item).task_id === id),
      5000,
      'the assigned notification for bob',
    );
    const assigned = await bob.ok<{ tasks: Array<{ id: string; description: string }> }>('list_tasks', {
      role: 'assigned_to_me',
    });
    expect(assigned.tasks.map((t) => t.id)).toContain(id);
    expect(assigned.tasks.find((t) => t.id === id)?.description).toBe('Summarise the quarterly report');

    await bob.ok('report_task_progress', { task_id: id, message: 'read page 1', data: { page: 1 } });
    await bob.ok('complete_task', { task_id: id, result: { summary: 'revenue up' } });

    const { task } = await alice.ok<{ task: Record<string, unknown> }>('get_task', { task_id: id });
    expect(task).toMatchObject({
      status: 'completed',
      result: { summary: 'revenue up' },
      delegated_by: 'alice',
      assignee_id: 'bob',
      payload: { pages: 3 },
    });
    expect(task.progress).toMatchObject([{ message: 'read page 1', data: { page: 1 } }]);

    const inbox = await alice.ok<{ items: Item[] }>('read_inbox', {});
    expect(inbox.items.filter((i) => i.task_id === id).map((i) => i.event)).toEqual([
      'task.notification.progress',
      'task.notification.completed',
    ]);

    // ...and the same two notifications arrived live as notifications/message on alice's session.
    const live = () => alice.messages.map((m) => m as Item).filter((m) => m.task_id === id);
    await eventually(() => live().length >= 2, 5000, 'live notifications for alice');
    expect(live().map((m) => m.event)).toEqual(['task.notification.progress', 'task.notification.completed']);
    expect(live()[0]?.content).toBe('read page 1');
  });

  it('answers "task not found" to an agent who is not a party to the task', async () => {
    const { task_id } = await alice.ok<{ task_id: string }>('delegate_task', {
      assignee_id: 'bob',
      description: 'Private work',
    });
    expect(await carol.err('get_task', { task_id })).toMatch(/task not found/);
    expect(await carol.err('complete_task', { task_id, result: 'mine now' })).toMatch(/task not found/);
    const listed = await carol.ok<{ tasks: Array<{ id: string }> }>('list_tasks', {});
    expect(listed.tasks.map((t) => t.id)).not.toContain(task_id);
  });

  it('refuses complete_task from the delegator of a task assigned to another agent', async () => {
    const { task_id } = await alice.ok<{ task_id: string }>('delegate_task', {
      assignee_id: 'bob',
      description: 'Only bob may finish this',
    });
    expect(await alice.err('complete_task', { task_id, result: 'done by alice' })).toMatch(/only its assignee/);
    const { task } = await alice.ok<{ task: { status: string } }>('get_task', { task_id });
    expect(task.status).toBe('in_progress');
  });

  it('answers 401 with a WWW-Authenticate challenge when the bearer token is missing', async () => {
    const res = await post('/mcp', { body: JSON.stringify(INITIALIZE) });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(await res.json()).toMatchObject({
      jsonrpc: '2.0',
      error: { message: expect.stringMatching(/Unauthorized/) },
    });
  });

  it('answers 401 when the bearer token is unknown', async () => {
    const res = await post('/mcp', { token: 'not-a-known-token-at-all', body: JSON.stringify(INITIALIZE) });
    expect(res.status).toBe(401);
    const sse = await fetch(`${server.url}/sse`, { headers: { authorization: 'Bearer not-a-known-token-at-all' } });
    expect(sse.status).toBe(401);
  });

  it('answers 403 when the Host header names another server (DNS rebinding)', async () => {
    // fetch does not let a caller set Host, so this one goes through node:http.
    const { port } = new URL(server.url);
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: Number(port),
          path: '/mcp',
          method: 'POST',
          headers: {
            host: 'evil.example',
            authorization: `Bearer ${TOKENS.alice}`,
            'content-type': 'application/json',
          },
        },
        (response) => {
          let body = '';
          response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(INITIALIZE));
    });
    expect(res.status).toBe(403);
    expect(res.body).toMatch(/host evil\.example not allowed/);
  });

  it('answers 403 when the Origin is another site', async () => {
    const res = await post('/mcp', {
      token: TOKENS.alice,
      headers: { origin: 'http://evil.example' },
      body: JSON.stringify(INITIALIZE),
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/origin http:\/\/evil\.example not allowed/);
  });

  it('answers 413 when the request body is over 4 MiB', async () => {
    const body = JSON.stringify({ ...PING, params: { padding: 'x'.repeat(4 * 1024 * 1024 + 1) } });
    const res = await post('/mcp', { token: TOKENS.alice, body });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { message: expect.stringMatching(/4 MiB/) } });
  });

  it('answers 400 to a POST /mcp that has no session id and is not an initialize request', async () => {
    const res = await post('/mcp', { token: TOKENS.alice });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { message: expect.stringMatching(/mcp-session-id/) } });
  });

  it('answers 404 to an unknown mcp-session-id', async () => {
    const res = await post('/mcp', { token: TOKENS.alice, headers: { 'mcp-session-id': 'no-such-session' } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { message: 'Session not found' } });
  });

  it("answers 404 when a session id is used with another agent's token", async () => {
    const sessionId = aliceTransport.sessionId;
    expect(sessionId).toBeTruthy();
    const res = await post('/mcp', { token: TOKENS.bob, headers: { 'mcp-session-id': sessionId! } });
    expect(res.status).toBe(404);
    const stream = await fetch(`${server.url}/mcp`, {
      headers: { authorization: `Bearer ${TOKENS.bob}`, accept: 'text/event-stream', 'mcp-session-id': sessionId! },
    });
    expect(stream.status).toBe(404);
    // The session itself is untouched: alice can still use it.
    await alice.ok('list_tasks', {});
  });

  it('ends a session on DELETE /mcp, after which its id answers 404', async () => {
    const { transport, client } = await connectStreamable('carol');
    const sessionId = transport.sessionId!;
    await client.ok('list_tasks', {});
    await transport.terminateSession();
    const res = await post('/mcp', { token: TOKENS.carol, headers: { 'mcp-session-id': sessionId } });
    expect(res.status).toBe(404);
    await client.client.close();
  });

  it('answers GET /healthz with 200 and a JSON status', async () => {
    const res = await fetch(`${server.url}/healthz`, { headers: { authorization: `Bearer ${TOKENS.alice}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await res.json()) as { status: string; sessions: number };
    expect(body.status).toBe('ok');
    expect(body.sessions).toBeGreaterThanOrEqual(3);
  });
});

describe('baton serve --http without --tokens', () => {
  it('refuses to bind 0.0.0.0 and exits non-zero with one clear line on stderr', async () => {
    const tmp = await tempDir('baton-e2e-http-');
    try {
      const run = await runCli(['serve', '--http', '0.0.0.0:0', '--store', path.join(tmp.dir, 'store.json')], {
        cwd: tmp.dir,
      });
      expect(run.code).not.toBe(0);
      expect(run.code).not.toBeNull();
      expect(run.stdout).toBe('');
      const lines = run.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^baton: refusing to listen on 0\.0\.0\.0 without --tokens/);
    } finally {
      await tmp.cleanup();
    }
  });
});
