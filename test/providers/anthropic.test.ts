import { afterEach, describe, expect, it, vi } from 'vitest';
import { CancelledError, ProviderError } from '../../src/errors.js';
import {
  ANTHROPIC_DEFAULT_MAX_TOKENS,
  AnthropicProvider,
  fromAnthropicResponse,
  toAnthropicRequest,
} from '../../src/providers/anthropic.js';
import { withRetry, type RetryEvent } from '../../src/providers/retry.js';
import { startFakeAnthropic, type FakeAnthropic } from './fakes/fake-anthropic-server.js';
import { helloRequest, searchTool, toolConversation } from './fixtures/conversation.js';

describe('toAnthropicRequest', () => {
  it('maps system, tool calls, grouped tool results and tools to the Messages API format', () => {
    expect(toAnthropicRequest(toolConversation)).toEqual({
      model: 'test-model',
      max_tokens: 1000,
      system: 'You are a careful researcher.',
      messages: [
        { role: 'user', content: 'Find the launch date.' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Searching.' },
            { type: 'tool_use', id: 'call_a', name: 'search', input: { query: 'launch' } },
            { type: 'tool_use', id: 'call_b', name: 'search', input: { query: 'date' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_a', content: 'Launch is in May.' },
            { type: 'tool_result', tool_use_id: 'call_b', content: 'index unavailable', is_error: true },
          ],
        },
        { role: 'user', content: 'Be brief.' },
      ],
      tools: [{ name: 'search', description: 'Searches the notes.', input_schema: searchTool.inputSchema }],
    });
  });

  it('defaults max_tokens and omits empty system and tools when the request has none', () => {
    const params = toAnthropicRequest({ ...helloRequest, system: '' });
    expect(params).toEqual({
      model: 'test-model',
      max_tokens: ANTHROPIC_DEFAULT_MAX_TOKENS,
      messages: [{ role: 'user', content: 'Say hi.' }],
    });
  });

  it('sends assistant tool calls without an empty text block when the assistant said nothing', () => {
    const params = toAnthropicRequest({
      ...helloRequest,
      messages: [{ role: 'assistant', content: '', toolCalls: [{ id: 't1', name: 'search', arguments: {} }] }],
    });
    expect(params.messages[0]).toEqual({
      role: 'assistant',
      content: [{ type: 'tool_use', id: 't1', name: 'search', input: {} }],
    });
  });
});

describe('fromAnthropicResponse', () => {
  const message = {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5',
    content: [
      { type: 'thinking', thinking: 'hmm', signature: 'x' },
      { type: 'text', text: 'Let me look.' },
      { type: 'tool_use', id: 'toolu_1', name: 'search', input: { query: 'launch' } },
    ],
    stop_reason: 'tool_use',
    stop_sequence: null,
    usage: { input_tokens: 10, output_tokens: 7, cache_creation_input_tokens: 2, cache_read_input_tokens: 3 },
  };

  it('returns text, tool calls, the model and usage (cache tokens counted as input) for a tool_use answer', () => {
    expect(fromAnthropicResponse(message, 'asked-for')).toEqual({
      text: 'Let me look.',
      toolCalls: [{ id: 'toolu_1', name: 'search', arguments: { query: 'launch' } }],
      stopReason: 'tool_use',
      usage: { input_tokens: 15, output_tokens: 7, cache_read_tokens: 3, cache_write_tokens: 2 },
      model: 'claude-sonnet-4-5',
    });
  });

  it('answers with unknown (null) usage and the requested model when the response has neither', () => {
    const { usage: _usage, model: _model, ...bare } = message;
    expect(fromAnthropicResponse(bare, 'claude-opus-5-5')).toMatchObject({
      text: 'Let me look.',
      usage: { input_tokens: null, output_tokens: null, cache_read_tokens: null, cache_write_tokens: null },
      model: 'claude-opus-5-5',
    });
  });

  it('keeps the answer and drops only the counts when the usage block has an odd shape', () => {
    const odd = { ...message, usage: { input_tokens: '10', output_tokens: -1, cache_read_input_tokens: 2.5 } };
    expect(fromAnthropicResponse(odd).usage).toEqual({
      input_tokens: null,
      output_tokens: null,
      cache_read_tokens: null,
      cache_write_tokens: null,
    });
    expect(fromAnthropicResponse({ ...message, usage: 'n/a' }).text).toBe('Let me look.');
  });

  it.each([
    ['end_turn', 'end'],
    ['stop_sequence', 'end'],
    ['max_tokens', 'max_tokens'],
    ['refusal', 'other'],
  ] as const)('maps stop_reason %s to %s when there are no tool calls', (raw, expected) => {
    const response = fromAnthropicResponse({ ...message, content: [{ type: 'text', text: 'x' }], stop_reason: raw });
    expect(response.stopReason).toBe(expected);
  });

  it('throws a bad_response ProviderError when the body is not a message', () => {
    expect(() => fromAnthropicResponse('<html>gateway</html>')).toThrow(
      expect.objectContaining({ name: 'ProviderError', code: 'bad_response', retryable: false }),
    );
  });

  it('throws a bad_response ProviderError when a tool_use block has no input object', () => {
    const broken = { ...message, content: [{ type: 'tool_use', id: 'toolu_1', name: 'search', input: 'query' }] };
    expect(() => fromAnthropicResponse(broken)).toThrow(/tool_use block/);
  });
});

describe('AnthropicProvider', () => {
  let fake: FakeAnthropic | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  const providerFor = (server: FakeAnthropic) =>
    new AnthropicProvider({ env: { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: server.baseUrl } });
  const retryFast = { retries: 2, baseDelayMs: 1, maxDelayMs: 20 };

  it('returns the text answer when the server answers with text', async () => {
    fake = await startFakeAnthropic([{ text: 'Hi.', usage: { input: 12, output: 2 } }]);
    const response = await providerFor(fake).complete(helloRequest);
    expect(response).toEqual({
      text: 'Hi.',
      toolCalls: [],
      stopReason: 'end',
      usage: { input_tokens: 12, output_tokens: 2, cache_read_tokens: 0, cache_write_tokens: 0 },
      model: 'test-model',
    });
    expect(fake.aborted).toBe(0);
  });

  it('returns tool calls when the server answers with tool_use', async () => {
    fake = await startFakeAnthropic([{ toolCalls: [{ id: 'toolu_9', name: 'search', arguments: { query: 'x' } }] }]);
    const response = await providerFor(fake).complete(toolConversation);
    expect(response.toolCalls).toEqual([{ id: 'toolu_9', name: 'search', arguments: { query: 'x' } }]);
    expect(response.stopReason).toBe('tool_use');
  });

  it('sends the system prompt, messages, tools and key in the Messages API format', async () => {
    fake = await startFakeAnthropic();
    await providerFor(fake).complete(toolConversation);
    const [request] = fake.requests;
    expect(request?.path).toBe('/v1/messages');
    expect(request?.body).toEqual(toAnthropicRequest(toolConversation));
    expect(JSON.stringify(request?.headers)).toContain('sk-ant-test');
  });

  it('answers after a retry when the server first says 429', async () => {
    fake = await startFakeAnthropic([{ status: 429 }, { text: 'Recovered.' }]);
    const provider = providerFor(fake);
    const retries: RetryEvent[] = [];
    const response = await withRetry(() => provider.complete(helloRequest), {
      ...retryFast,
      onRetry: (e) => retries.push(e),
    });
    expect(response.text).toBe('Recovered.');
    expect(fake.requests).toHaveLength(2);
    expect(retries[0]?.error).toMatchObject({ status: 429, retryable: true });
  });

  it('waits as long as Retry-After says, capped by maxDelayMs, when a 429 carries the header', async () => {
    fake = await startFakeAnthropic([{ status: 429, retryAfter: 1 }, { text: 'ok' }]);
    const provider = providerFor(fake);
    const delays: number[] = [];
    await withRetry(() => provider.complete(helloRequest), {
      ...retryFast,
      maxDelayMs: 40,
      onRetry: (e) => delays.push(e.delayMs),
    });
    expect(delays).toEqual([40]);
  });

  it("fails with the provider's message after the retries when the server keeps saying 500", async () => {
    fake = await startFakeAnthropic({ defaultReply: { status: 500, message: 'Internal server error (overheated)' } });
    const provider = providerFor(fake);
    const failure = withRetry(() => provider.complete(helloRequest), retryFast);
    await expect(failure).rejects.toThrow(ProviderError);
    await expect(failure).rejects.toMatchObject({
      status: 500,
      retryable: true,
      message: 'anthropic: HTTP 500: Internal server error (overheated)',
    });
    expect(fake.requests).toHaveLength(3);
  });

  it('fails at once without retrying when the key is refused (401)', async () => {
    fake = await startFakeAnthropic([{ status: 401 }]);
    const provider = providerFor(fake);
    await expect(withRetry(() => provider.complete(helloRequest), retryFast)).rejects.toMatchObject({
      status: 401,
      retryable: false,
      message: 'anthropic: HTTP 401: invalid x-api-key',
    });
    expect(fake.requests).toHaveLength(1);
  });

  it('cancels the in-flight HTTP request with CancelledError when the signal aborts a hanging call', async () => {
    fake = await startFakeAnthropic([{ hang: true }]);
    const server = fake;
    const controller = new AbortController();
    const pending = providerFor(server).complete({ ...helloRequest, signal: controller.signal });
    await server.waitFor(() => server.requests.length === 1);
    controller.abort();
    await expect(pending).rejects.toThrow(CancelledError);
    await server.waitFor(() => server.aborted === 1);
  });

  it('fails with a clear bad_response ProviderError when the body is not valid JSON', async () => {
    fake = await startFakeAnthropic([{ malformed: true }]);
    const provider = providerFor(fake);
    await expect(withRetry(() => provider.complete(helloRequest), retryFast)).rejects.toMatchObject({
      code: 'bad_response',
      retryable: false,
      message: expect.stringMatching(/^anthropic: the response body is not valid JSON/),
    });
    expect(fake.requests).toHaveLength(1);
  });

  it('reports a retryable connection error when nothing listens at the base URL', async () => {
    const closed = await startFakeAnthropic();
    await closed.close();
    const provider = providerFor(closed);
    await expect(provider.complete(helloRequest)).rejects.toMatchObject({
      name: 'ProviderError',
      retryable: true,
      message: expect.stringMatching(/^anthropic: connection failed/),
    });
  });

  it('throws a missing_key ProviderError naming ANTHROPIC_API_KEY when the key is not set', () => {
    expect(() => new AnthropicProvider({ env: {} })).toThrow(
      expect.objectContaining({
        code: 'missing_key',
        retryable: false,
        message: expect.stringContaining('ANTHROPIC_API_KEY'),
      }),
    );
  });

  it('refuses a placeholder or pasted-with-a-newline key with one clear line, before any request', async () => {
    fake = await startFakeAnthropic();
    // The README's placeholder: without this check the SDK throws "Cannot convert argument to a ByteString".
    for (const key of ['sk-ant-…', 'sk-real-key\n', 'sk key']) {
      expect(
        () => new AnthropicProvider({ env: { ANTHROPIC_API_KEY: key, ANTHROPIC_BASE_URL: fake!.baseUrl } }),
      ).toThrow(
        expect.objectContaining({
          code: 'invalid_key',
          retryable: false,
          message: expect.stringMatching(
            /^anthropic: ANTHROPIC_API_KEY is not a valid key \(character \d+ is U\+[0-9A-F]{4}; /,
          ),
        }),
      );
    }
    expect(fake.requests).toHaveLength(0);
  });

  it('loads the SDK on the first call only, not when constructed', async () => {
    fake = await startFakeAnthropic();
    const loadSdk = vi.fn(() => import('@anthropic-ai/sdk'));
    const provider = new AnthropicProvider({
      env: { ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: fake.baseUrl },
      loadSdk,
    });
    expect(loadSdk).not.toHaveBeenCalled();
    await provider.complete(helloRequest);
    await provider.complete(helloRequest);
    expect(loadSdk).toHaveBeenCalledTimes(1);
  });
});
