import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer } from '../helpers/cli.js';
import type { SpawnedCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/core.js';

interface SseEvent {
  id: string | undefined;
  data: unknown;
}

/** Reads SSE events from a fetch response body as they come. */
async function* events(response: Response): AsyncGenerator<SseEvent> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const id = /^id: ?(.*)$/m.exec(block)?.[1];
      const data = /^data: ?(.*)$/m.exec(block)?.[1];
      if (data !== undefined) yield { id, data: JSON.parse(data) as unknown };
    }
  }
}

/** The content of a `message.received` log notification, or null for any other event. */
const messageOf = (event: SseEvent): string | null => {
  const params = (event.data as { method?: string; params?: { data?: { event?: string; content?: string } } }).params;
  return params?.data?.event === 'message.received' ? (params.data.content ?? null) : null;
};

describe('Streamable HTTP resumability', () => {
  let server: SpawnedCli & { url: string };
  let cleanup: () => Promise<void>;
  let sessionId: string;
  let nextId = 1;

  const post = async (body: object) =>
    fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-06-18',
        ...(sessionId ? { 'mcp-session-id': sessionId } : {}),
      },
      body: JSON.stringify(body),
    });
  const call = async (name: string, args: object) => {
    const response = await post({
      jsonrpc: '2.0',
      id: nextId++,
      method: 'tools/call',
      params: { name, arguments: args },
    });
    expect(response.status).toBe(200);
    await response.text();
  };
  const stream = (signal: AbortSignal, lastEventId?: string) =>
    fetch(`${server.url}/mcp`, {
      signal,
      headers: {
        accept: 'text/event-stream',
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-06-18',
        ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
      },
    });

  beforeAll(async () => {
    const tmp = await tempDir();
    cleanup = tmp.cleanup;
    server = await startHttpServer(
      ['--http', '127.0.0.1:0', '--as', 'alice', '--store', path.join(tmp.dir, 's.json')],
      {
        cwd: tmp.dir,
        env: { HOME: tmp.dir },
      },
    );
    sessionId = '';
    const init = await post({
      jsonrpc: '2.0',
      id: nextId++,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    });
    sessionId = init.headers.get('mcp-session-id') ?? '';
    await init.text();
    expect(sessionId).not.toBe('');
    await (await post({ jsonrpc: '2.0', method: 'notifications/initialized' })).text();
  });
  afterAll(async () => {
    server.process.kill('SIGTERM');
    await server.exited;
    await cleanup();
  });

  it('replays the notifications a client missed when it reconnects with Last-Event-ID', async () => {
    const away = new AbortController();
    const first = await stream(away.signal);
    expect(first.status).toBe(200);
    const live = events(first);
    await call('send_message', { to_agent_id: 'alice', content: 'one' });
    let seen: SseEvent | undefined;
    for await (const event of live) {
      if (messageOf(event) === 'one') {
        seen = event;
        break;
      }
    }
    expect(seen?.id).toBeTruthy();
    away.abort(); // the client drops off

    // While it is away, more notifications are sent.
    await call('send_message', { to_agent_id: 'alice', content: 'two' });
    await call('send_message', { to_agent_id: 'alice', content: 'three' });

    const back = new AbortController();
    const resumed = await stream(back.signal, seen!.id);
    expect(resumed.status).toBe(200);
    const missed: string[] = [];
    for await (const event of events(resumed)) {
      const content = messageOf(event);
      if (content) missed.push(content);
      if (missed.length === 2) break;
    }
    back.abort();
    expect(missed).toEqual(['two', 'three']);
  });
});
