/**
 * Sampling usage through the real MCP SDK: a client's `sampling/createMessage` handler answers with extra fields,
 * and what reaches `SamplingProvider` through `server.createMessage` is what the neutral usage is read from.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { CreateMessageRequestSchema, type CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { samplerOf } from '../../src/mcp/session-registry.js';
import { SamplingProvider } from '../../src/providers/sampling.js';
import { helloRequest } from './fixtures/conversation.js';

describe('SamplingProvider usage over a real MCP connection', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  /** A server and a sampling client linked in memory; the client answers every request with `result`. */
  const connect = async (result: CreateMessageResult) => {
    const server = new McpServer({ name: 'baton-test', version: '0' });
    const client = new Client({ name: 'host', version: '0' }, { capabilities: { sampling: {} } });
    client.setRequestHandler(CreateMessageRequestSchema, () => result);
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
    closers.push(
      () => client.close(),
      () => server.close(),
    );
    return new SamplingProvider(samplerOf(server));
  };
  const answer = {
    role: 'assistant',
    content: { type: 'text', text: 'From the host.' },
    model: 'host-model-1',
  } as const;

  it("reports unknown usage and the client's model when the client says nothing of tokens", async () => {
    const response = await (await connect(answer)).complete(helloRequest);
    expect(response).toMatchObject({
      text: 'From the host.',
      model: 'host-model-1',
      usage: { input_tokens: null, output_tokens: null, cache_read_tokens: null, cache_write_tokens: null },
    });
  });

  it('reports the counts a client puts in _meta.usage', async () => {
    const response = await (
      await connect({ ...answer, _meta: { usage: { inputTokens: 120, outputTokens: 30 } } })
    ).complete(helloRequest);
    expect(response.usage).toEqual({
      input_tokens: 120,
      output_tokens: 30,
      cache_read_tokens: null,
      cache_write_tokens: null,
    });
  });

  it('reports the counts a client adds as a usage field of the result', async () => {
    const response = await (
      await connect({ ...answer, usage: { input_tokens: 100, output_tokens: 30, cache_read_input_tokens: 20 } })
    ).complete(helloRequest);
    expect(response.usage).toEqual({
      input_tokens: 120,
      output_tokens: 30,
      cache_read_tokens: 20,
      cache_write_tokens: null,
    });
  });
});
