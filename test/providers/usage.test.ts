/**
 * Usage per call through the real vendor SDKs against the loopback fakes: each fake sends its vendor's wire form,
 * and every provider answers the same neutral usage (src/usage/usage.ts) for the same scripted counts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AnthropicProvider } from '../../src/providers/anthropic.js';
import { OpenAiProvider } from '../../src/providers/openai.js';
import type { ModelProvider } from '../../src/providers/types.js';
import { startFakeAnthropic } from './fakes/fake-anthropic-server.js';
import type { FakeReply, FakeServer } from './fakes/fake-http-server.js';
import { startFakeOpenAi } from './fakes/fake-openai-server.js';
import { helloRequest } from './fixtures/conversation.js';

interface Vendor {
  name: string;
  start(script: FakeReply[] | { defaultReply: FakeReply }): Promise<FakeServer<unknown>>;
  provider(baseUrl: string): ModelProvider;
  /** The path the SDK posts to, below `baseUrl`. */
  path: string;
  /** How the vendor puts 5000 prompt tokens (4000 read from the cache, 900 written to it) and 40 out on the wire. */
  wire: Record<string, unknown>;
  /** A dated snapshot the vendor may answer with for `model`. */
  snapshot: { model: string; served: string };
}

const VENDORS: Vendor[] = [
  {
    name: 'anthropic',
    start: (script) => startFakeAnthropic(script) as Promise<FakeServer<unknown>>,
    provider: (baseUrl) =>
      new AnthropicProvider({ env: { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: baseUrl } }),
    path: '/v1/messages',
    // Anthropic's input_tokens are only the part not read from or written to the cache.
    wire: { input_tokens: 100, cache_read_input_tokens: 4000, cache_creation_input_tokens: 900, output_tokens: 40 },
    snapshot: { model: 'claude-opus-4-5', served: 'claude-opus-4-5-20251101' },
  },
  {
    name: 'openai',
    start: (script) => startFakeOpenAi(script) as Promise<FakeServer<unknown>>,
    provider: (baseUrl) => new OpenAiProvider({ env: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: baseUrl } }),
    path: '/chat/completions',
    // OpenAI's prompt_tokens include the cached ones.
    wire: {
      prompt_tokens: 5000,
      completion_tokens: 40,
      prompt_tokens_details: expect.objectContaining({ cached_tokens: 4000, cache_write_tokens: 900 }),
    },
    snapshot: { model: 'gpt-4o', served: 'gpt-4o-2024-08-06' },
  },
];

describe.each(VENDORS)('usage of a $name call through its SDK', (vendor) => {
  let fake: FakeServer<unknown> | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it('reports the whole prompt as input, with its cache reads and writes, when the prompt used the cache', async () => {
    const cached = { text: 'Cached.', usage: { input: 5000, output: 40, cacheRead: 4000, cacheWrite: 900 } };
    fake = await vendor.start([cached, cached]);
    const raw = await fetch(`${fake.baseUrl}${vendor.path}`, { method: 'POST', body: JSON.stringify(helloRequest) });
    expect(((await raw.json()) as { usage: unknown }).usage).toMatchObject(vendor.wire);

    const response = await vendor.provider(fake.baseUrl).complete(helloRequest);
    expect(response.usage).toEqual({
      input_tokens: 5000,
      output_tokens: 40,
      cache_read_tokens: 4000,
      cache_write_tokens: 900,
    });
  });

  it('reports unknown usage, not zeros, when the response carries no usage', async () => {
    fake = await vendor.start([{ text: 'No counts.', usage: null }]);
    const response = await vendor.provider(fake.baseUrl).complete(helloRequest);
    expect(response.text).toBe('No counts.');
    expect(response.usage).toEqual({
      input_tokens: null,
      output_tokens: null,
      cache_read_tokens: null,
      cache_write_tokens: null,
    });
  });

  it('names the model the response names, a dated snapshot of the one asked for', async () => {
    fake = await vendor.start([{ text: 'Hi.', model: vendor.snapshot.served }]);
    const response = await vendor.provider(fake.baseUrl).complete({ ...helloRequest, model: vendor.snapshot.model });
    expect((fake.requests[0]?.body as { model: string }).model).toBe(vendor.snapshot.model);
    expect(response.model).toBe(vendor.snapshot.served);
  });

  it('reports each call its own scripted spend when a default reply scripts every call', async () => {
    fake = await vendor.start({ defaultReply: { text: 'ok', usage: { input: 200, output: 100 } } });
    const provider = vendor.provider(fake.baseUrl);
    const spent: (number | null)[] = [];
    for (let call = 0; call < 3; call++) {
      const { usage } = await provider.complete(helloRequest);
      spent.push(usage.input_tokens === null ? null : usage.input_tokens + (usage.output_tokens ?? 0));
    }
    expect(spent).toEqual([300, 300, 300]);
  });
});
