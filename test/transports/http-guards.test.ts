/**
 * The HTTP transport's guards (issue 7, items 6, 13, 14), in process on port 0: loopback decided on resolved
 * addresses, `Origin: null` refused, open sessions bounded per agent and idle ones closed.
 */
import type { LookupAddress } from 'node:dns';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { startHttp } from '../../src/transports/http.js';
import type { HttpOptions, RunningHttp } from '../../src/transports/http.js';
import type { Core } from '../helpers/core.js';
import { eventually, startCore } from '../helpers/core.js';

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1.0.0' } },
};

describe('HTTP guards', () => {
  let core: Core;
  const servers: RunningHttp[] = [];
  const clients: Client[] = [];
  beforeEach(async () => {
    core = await startCore();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close().catch(() => undefined);
    for (const server of servers.splice(0)) await server.close();
    await core.close();
  });

  const start = async (options: Partial<HttpOptions> = {}) => {
    const server = await startHttp(core.baton, {
      host: '127.0.0.1',
      port: 0,
      agentId: 'host',
      tokens: null,
      ...options,
    });
    servers.push(server);
    return server;
  };
  const fakeDns =
    (table: Record<string, string[]>) =>
    async (host: string): Promise<LookupAddress[]> =>
      (table[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  /** A raw initialize: the response and, when it opened one, the session id. */
  const initialize = async (server: RunningHttp) => {
    const res = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify(INITIALIZE),
    });
    const sessionId = res.headers.get('mcp-session-id');
    await res.text();
    return { status: res.status, sessionId };
  };
  const ping = async (server: RunningHttp, sessionId: string) => {
    const res = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-06-18',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
    });
    await res.text();
    return res.status;
  };

  describe('loopback without tokens, decided on the resolved addresses', () => {
    it('refuses a name that looks like loopback but resolves elsewhere, and one that resolves partly elsewhere', async () => {
      const lookup = fakeDns({ '127.example': ['93.184.216.34'], 'both.example': ['127.0.0.1', '10.1.2.3'] });
      const refused = await start({ host: '127.example', lookup }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ConfigError);
      expect((refused as Error).message).toBe(
        'refusing to listen on 127.example without --tokens: it resolves to 93.184.216.34, not loopback; ' +
          'anyone who can reach it could act as host; bind to 127.0.0.1 or give --tokens',
      );
      await expect(start({ host: 'both.example', lookup })).rejects.toThrow(/it resolves to 10\.1\.2\.3, not loopback/);
    });

    it('accepts a name every address of which is loopback, and binds the address it checked', async () => {
      const server = await start({ host: 'here.example', lookup: fakeDns({ 'here.example': ['127.0.0.1', '::1'] }) });
      expect(server.url).toBe(`http://here.example:${server.port}`);
      const res = await fetch(`http://127.0.0.1:${server.port}/healthz`, { headers: { host: 'here.example' } });
      expect(await res.json()).toMatchObject({ status: 'ok' });
    });

    it('refuses a name that does not resolve, saying so', async () => {
      await expect(start({ host: 'nowhere.example', lookup: fakeDns({}) })).rejects.toThrow(
        /^cannot listen on nowhere\.example: the name resolves to no address$/,
      );
    });
  });

  it('refuses Origin: null like any foreign origin (403)', async () => {
    const server = await start();
    const res = await fetch(`${server.url}/healthz`, { headers: { origin: 'null' } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { message: 'Forbidden: origin null not allowed' } });
    expect((await fetch(`${server.url}/healthz`, { headers: { origin: server.url } })).status).toBe(200);
  });

  it('bounds the open sessions of an agent, and makes room when one ends', async () => {
    const server = await start({ maxSessions: 3 });
    const opened = [await initialize(server), await initialize(server), await initialize(server)];
    expect(opened.map((o) => o.status)).toEqual([200, 200, 200]);

    const res = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify(INITIALIZE),
    });
    expect(res.status).toBe(429);
    expect(await res.json()).toMatchObject({
      error: {
        message:
          'Too Many Requests: host already has 3 open sessions (--max-sessions); end one with DELETE /mcp, ' +
          'or wait: sessions idle for 1800 s close (--session-idle-timeout)',
      },
    });
    // The legacy SSE transport counts against the same bound.
    expect((await fetch(`${server.url}/sse`)).status).toBe(429);

    const ended = await fetch(`${server.url}/mcp`, {
      method: 'DELETE',
      headers: { 'mcp-session-id': opened[0]!.sessionId!, 'mcp-protocol-version': '2025-06-18' },
    });
    expect(ended.status).toBe(200);
    expect((await initialize(server)).status).toBe(200);
  });

  it('closes sessions idle for the configured time, but not one with an open stream', async () => {
    const server = await start({ sessionIdleMs: 300 });
    const idle = await initialize(server);
    // A real client that keeps its GET stream open (the SDK does after initialize).
    const client = new Client({ name: 'streaming', version: '1.0.0' });
    clients.push(client);
    const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`));
    await client.connect(transport);
    const open = async () => ((await (await fetch(`${server.url}/healthz`)).json()) as { sessions: number }).sessions;
    expect(await open()).toBe(2);
    // Watched through /healthz: a request on the session itself would keep it active.
    await eventually(async () => (await open()) === 1, 5000, 'the idle session closed');
    expect(await ping(server, idle.sessionId!)).toBe(404);

    await new Promise((r) => setTimeout(r, 600)); // twice the idle time, the stream open all along
    await client.ping();
    expect(await open()).toBe(1);
  });

  it('answers a tools/call whose arguments are null with -32602 over Streamable HTTP too', async () => {
    const server = await start();
    const { sessionId } = await initialize(server);
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-session-id': sessionId!,
      'mcp-protocol-version': '2025-06-18',
    };
    await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    });
    const res = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name: 'get_task', arguments: null },
      }),
    });
    const text = await res.text();
    const data = /^data: (.*)$/m.exec(text)?.[1] ?? text;
    expect(JSON.parse(data)).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: { code: -32602, message: 'tools/call get_task: arguments must be an object of named arguments, not null' },
    });
  });
});
