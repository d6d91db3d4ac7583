/**
 * SSE polling under 2025-11-25 (SEP-1699, issue 14 item 4): the POST stream of a call opens with a priming event
 * that has an id and a `retry` field; the server closes a long call's POST stream, and the SDK client resumes with
 * GET + Last-Event-ID and gets the dispatch's answer.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { startHttp } from '../../src/transports/http.js';
import { SSE_RETRY_MS } from '../../src/transports/sse-polling.js';
import { writeAgent } from '../helpers/agents.js';
import { textOf } from '../helpers/core.js';
import { useSandbox } from '../helpers/sandbox.js';

interface Seen {
  method: string;
  rpc?: string;
  lastEventId?: string | null;
  /** The start of a tools/call POST stream, as sent. */
  head?: Promise<string>;
}

describe('SSE polling for 2025-11-25 clients (SEP-1699)', () => {
  const sandbox = useSandbox();

  it('primes each call stream with an id and retry, closes a long call and the client resumes it', async () => {
    const fake = await sandbox.fakeOpenAi([{ text: 'Finished after the stream closed.', delayMs: 1500 }]);
    await writeAgent(sandbox.agentsDir, 'worker', { model: 'openai:gpt-test' });
    const core = await sandbox.start({});
    const http = await startHttp(core.baton, {
      host: '127.0.0.1',
      port: 0,
      agentId: 'host',
      tokens: null,
      ssePollAfterMs: 200,
    });
    const seen: Seen[] = [];
    const logging: typeof fetch = async (input, init) => {
      const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as { method?: string }) : undefined;
      const entry: Seen = { method: init?.method ?? 'GET', ...(body?.method ? { rpc: body.method } : {}) };
      entry.lastEventId = new Headers(init?.headers).get('last-event-id');
      seen.push(entry);
      const res = await fetch(input, init);
      if (body?.method === 'tools/call') entry.head = res.clone().text();
      return res;
    };
    const client = new Client({ name: 'sep-1699', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${http.url}/mcp`), {
        fetch: logging,
        reconnectionOptions: {
          initialReconnectionDelay: 100,
          maxReconnectionDelay: 1000,
          reconnectionDelayGrowFactor: 1.5,
          maxRetries: 5,
        },
      }),
    );
    try {
      const result = await client.callTool({
        name: 'subagent_dispatch',
        arguments: { agent_id: 'worker', task: 'Take your time.' },
      });
      expect(textOf(result as never)).toBe('Finished after the stream closed.');
      expect(fake.requests).toHaveLength(1);

      const call = seen.find((s) => s.rpc === 'tools/call')!;
      const head = await call.head!;
      // The priming event comes first: an id, the retry field, empty data; and the stream closed without the answer.
      expect(head).toMatch(new RegExp(`^id: \\S+\\nretry: ${SSE_RETRY_MS}\\ndata: \\n\\n`));
      expect(head).not.toContain('Finished after the stream closed.');
      const resumed = seen.slice(seen.indexOf(call) + 1).find((s) => s.method === 'GET' && s.lastEventId);
      expect(resumed?.lastEventId).toBe(/^id: (\S+)/.exec(head)![1]);
    } finally {
      await client.close();
      await http.close();
    }
  }, 20_000);
});
