import { afterEach, describe, expect, it, vi } from 'vitest';
import { CancelledError, ProviderError } from '../../src/errors.js';
import { OpenAiProvider, fromOpenAiResponse, toOpenAiRequest } from '../../src/providers/openai.js';
import { withRetry, type RetryEvent } from '../../src/providers/retry.js';
import { startFakeOpenAi, type FakeOpenAi } from './fakes/fake-openai-server.js';
import { helloRequest, searchTool, toolConversation } from './fixtures/conversation.js';

describe('toOpenAiRequest', () => {
  it('maps the system prompt, tool calls, tool results and tools to the Chat Completions format', () => {
    expect(toOpenAiRequest(toolConversation)).toEqual({
      model: 'test-model',
      max_completion_tokens: 1000,
      messages: [
        { role: 'system', content: 'You are a careful researcher.' },
        { role: 'user', content: 'Find the launch date.' },
        {
          role: 'assistant',
          content: 'Searching.',
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'search', arguments: '{"query":"launch"}' } },
            { id: 'call_b', type: 'function', function: { name: 'search', arguments: '{"query":"date"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_a', content: 'Launch is in May.' },
        { role: 'tool', tool_call_id: 'call_b', content: 'Error: index unavailable' },
        { role: 'user', content: 'Be brief.' },
      ],
      tools: [
        {
          type: 'function',
          function: { name: 'search', description: 'Searches the notes.', parameters: searchTool.inputSchema },
        },
      ],
    });
  });

  it('omits the system message, tools and token cap when the request has none', () => {
    expect(toOpenAiRequest({ ...helloRequest, system: '' })).toEqual({
      model: 'test-model',
      messages: [{ role: 'user', content: 'Say hi.' }],
    });
  });

  it('sends null content with tool calls when the assistant said nothing', () => {
    const params = toOpenAiRequest({
      ...helloRequest,
      messages: [{ role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'search', arguments: {} }] }],
    });
    expect(params.messages[1]).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'search', arguments: '{}' } }],
    });
  });
});

describe('fromOpenAiResponse', () => {
  const completion = (message: Record<string, unknown>, finish_reason = 'stop') => ({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    model: 'gpt-4o',
    choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason }],
    usage: { prompt_tokens: 20, completion_tokens: 5, total_tokens: 25 },
  });

  it('returns parsed tool call arguments and usage when the model calls tools', () => {
    const response = fromOpenAiResponse(
      completion(
        {
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'search', arguments: '{"query":"x"}' } }],
        },
        'tool_calls',
      ),
    );
    expect(response).toEqual({
      text: '',
      toolCalls: [{ id: 'call_1', name: 'search', arguments: { query: 'x' } }],
      stopReason: 'tool_use',
      // No prompt_tokens_details, as compatible servers answer: the cache counts are unknown, not zero.
      usage: { input_tokens: 20, output_tokens: 5, cache_read_tokens: null, cache_write_tokens: null },
      model: 'gpt-4o',
    });
  });

  it('counts cached tokens as part of the input when the prompt hit the cache', () => {
    const cached = {
      ...completion({ content: 'x' }),
      usage: {
        prompt_tokens: 2006,
        completion_tokens: 300,
        total_tokens: 2306,
        prompt_tokens_details: { cached_tokens: 1920, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 128 },
      },
    };
    expect(fromOpenAiResponse(cached).usage).toEqual({
      input_tokens: 2006,
      output_tokens: 300,
      cache_read_tokens: 1920,
      cache_write_tokens: null,
    });
  });

  it('answers with unknown (null) usage and the requested model when the response has neither', () => {
    const { usage: _usage, model: _model, ...bare } = completion({ content: 'x' });
    expect(fromOpenAiResponse(bare, 'llama3.1:8b')).toMatchObject({
      text: 'x',
      usage: { input_tokens: null, output_tokens: null, cache_read_tokens: null, cache_write_tokens: null },
      model: 'llama3.1:8b',
    });
  });

  it('accepts compatible-server quirks: finish_reason stop with tool calls, no id, empty arguments', () => {
    const response = fromOpenAiResponse(
      completion({ content: '', tool_calls: [{ type: 'function', function: { name: 'list', arguments: '' } }] }),
    );
    expect(response.toolCalls).toEqual([{ id: 'call_0', name: 'list', arguments: {} }]);
    expect(response.stopReason).toBe('tool_use');
  });

  it.each([
    ['stop', 'end'],
    ['length', 'max_tokens'],
    ['content_filter', 'other'],
  ] as const)('maps finish_reason %s to %s when there are no tool calls', (raw, expected) => {
    expect(fromOpenAiResponse(completion({ content: 'x' }, raw)).stopReason).toBe(expected);
  });

  it('throws a bad_response ProviderError naming the tool when its arguments are malformed JSON', () => {
    const broken = completion({
      content: null,
      tool_calls: [{ id: 'c', function: { name: 'search', arguments: '{"query":' } }],
    });
    expect(() => fromOpenAiResponse(broken)).toThrow(
      expect.objectContaining({
        code: 'bad_response',
        retryable: false,
        message: `openai: the model sent malformed JSON arguments for tool 'search': {"query":`,
      }),
    );
  });

  it('throws a bad_response ProviderError when the arguments are JSON but not an object', () => {
    const broken = completion({
      content: null,
      tool_calls: [{ id: 'c', function: { name: 'search', arguments: '[1]' } }],
    });
    expect(() => fromOpenAiResponse(broken)).toThrow(/not a JSON object/);
  });

  it('throws a bad_response ProviderError when the response has no choices', () => {
    expect(() => fromOpenAiResponse({ choices: [] })).toThrow(/no choices/);
  });
});

describe('OpenAiProvider', () => {
  let fake: FakeOpenAi | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  const providerFor = (server: FakeOpenAi) =>
    new OpenAiProvider({ env: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: server.baseUrl } });
  const retryFast = { retries: 2, baseDelayMs: 1, maxDelayMs: 20 };

  it('returns the text answer when the server answers with text', async () => {
    fake = await startFakeOpenAi([{ text: 'Hi.', usage: { input: 9, output: 1 } }]);
    const response = await providerFor(fake).complete(helloRequest);
    expect(response).toEqual({
      text: 'Hi.',
      toolCalls: [],
      stopReason: 'end',
      usage: { input_tokens: 9, output_tokens: 1, cache_read_tokens: 0, cache_write_tokens: null },
      model: 'test-model',
    });
    expect(fake.aborted).toBe(0);
  });

  it('returns tool calls with parsed arguments when the server answers with tool_calls', async () => {
    fake = await startFakeOpenAi([{ toolCalls: [{ id: 'call_7', name: 'search', arguments: { query: 'x' } }] }]);
    const response = await providerFor(fake).complete(toolConversation);
    expect(response.toolCalls).toEqual([{ id: 'call_7', name: 'search', arguments: { query: 'x' } }]);
    expect(response.stopReason).toBe('tool_use');
  });

  it('sends the system prompt first, then messages, tools and the bearer key in Chat Completions format', async () => {
    fake = await startFakeOpenAi();
    await providerFor(fake).complete(toolConversation);
    const [request] = fake.requests;
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.body).toEqual(toOpenAiRequest(toolConversation));
    expect(request?.body.messages[0]).toEqual({ role: 'system', content: 'You are a careful researcher.' });
    expect(request?.headers.authorization).toBe('Bearer sk-test');
  });

  it('answers a multi-turn exchange when a handler replies from the conversation', async () => {
    fake = await startFakeOpenAi((body) =>
      body.messages.some((m) => m.role === 'tool')
        ? { text: 'Done: May.' }
        : { toolCalls: [{ id: 'call_1', name: 'search', arguments: { query: 'launch' } }] },
    );
    const provider = providerFor(fake);
    const first = await provider.complete(helloRequest);
    const second = await provider.complete({
      ...helloRequest,
      messages: [
        ...helloRequest.messages,
        { role: 'assistant', content: '', toolCalls: first.toolCalls },
        { role: 'tool', toolCallId: 'call_1', name: 'search', content: 'May' },
      ],
    });
    expect(second.text).toBe('Done: May.');
  });

  it('answers after a retry when the server first says 429', async () => {
    fake = await startFakeOpenAi([{ status: 429 }, { text: 'Recovered.' }]);
    const provider = providerFor(fake);
    const retries: RetryEvent[] = [];
    const response = await withRetry(() => provider.complete(helloRequest), {
      ...retryFast,
      onRetry: (e) => retries.push(e),
    });
    expect(response.text).toBe('Recovered.');
    expect(fake.requests).toHaveLength(2);
    expect(retries[0]?.error).toMatchObject({
      status: 429,
      message: 'openai: HTTP 429: Rate limit reached for requests.',
    });
  });

  it('waits as long as Retry-After says, capped by maxDelayMs, when a 429 carries the header', async () => {
    fake = await startFakeOpenAi([{ status: 429, retryAfter: 2 }, { text: 'ok' }]);
    const provider = providerFor(fake);
    const delays: number[] = [];
    await withRetry(() => provider.complete(helloRequest), {
      ...retryFast,
      maxDelayMs: 30,
      onRetry: (e) => delays.push(e.delayMs),
    });
    expect(delays).toEqual([30]);
  });

  it("fails with the provider's message after the retries when the server keeps saying 500", async () => {
    fake = await startFakeOpenAi({ defaultReply: { status: 500 } });
    const provider = providerFor(fake);
    const failure = withRetry(() => provider.complete(helloRequest), retryFast);
    await expect(failure).rejects.toThrow(ProviderError);
    await expect(failure).rejects.toMatchObject({
      status: 500,
      retryable: true,
      message: 'openai: HTTP 500: The server had an error while processing your request.',
    });
    expect(fake.requests).toHaveLength(3);
  });

  it('cancels the in-flight HTTP request with CancelledError when the signal aborts a hanging call', async () => {
    fake = await startFakeOpenAi([{ hang: true }]);
    const server = fake;
    const controller = new AbortController();
    const pending = withRetry(() => providerFor(server).complete({ ...helloRequest, signal: controller.signal }), {
      ...retryFast,
      signal: controller.signal,
    });
    await server.waitFor(() => server.requests.length === 1);
    controller.abort();
    await expect(pending).rejects.toThrow(CancelledError);
    await server.waitFor(() => server.aborted === 1);
    expect(server.requests).toHaveLength(1);
  });

  it('cancels with CancelledError when the signal aborts during a slow answer', async () => {
    fake = await startFakeOpenAi([{ text: 'late', delayMs: 5_000 }]);
    const provider = providerFor(fake);
    const started = Date.now();
    await expect(provider.complete({ ...helloRequest, signal: AbortSignal.timeout(50) })).rejects.toThrow(
      CancelledError,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('fails with a clear bad_response ProviderError when the body is not valid JSON', async () => {
    fake = await startFakeOpenAi([{ malformed: true }]);
    const provider = providerFor(fake);
    await expect(withRetry(() => provider.complete(helloRequest), retryFast)).rejects.toMatchObject({
      code: 'bad_response',
      message: expect.stringMatching(/^openai: the response body is not valid JSON/),
    });
    expect(fake.requests).toHaveLength(1);
  });

  it('fails with a bad_response ProviderError naming the tool when the model sends malformed arguments', async () => {
    fake = await startFakeOpenAi([{ toolCalls: [{ name: 'search', arguments: '{"query": "x"' }] }]);
    await expect(providerFor(fake).complete(helloRequest)).rejects.toMatchObject({
      code: 'bad_response',
      message: expect.stringContaining("malformed JSON arguments for tool 'search'"),
    });
  });

  it('throws a missing_key ProviderError naming OPENAI_API_KEY when the key is not set', () => {
    expect(() => new OpenAiProvider({ env: { OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' } })).toThrow(
      expect.objectContaining({ code: 'missing_key', message: expect.stringContaining('OPENAI_API_KEY') }),
    );
  });

  it('refuses a placeholder or pasted-with-a-newline key with one clear line, before any request', async () => {
    fake = await startFakeOpenAi();
    // The README's placeholder: without this check the SDK throws "Cannot convert argument to a ByteString".
    for (const key of ['sk-…', 'sk-real-key\n', 'sk key']) {
      expect(() => new OpenAiProvider({ env: { OPENAI_API_KEY: key, OPENAI_BASE_URL: fake!.baseUrl } })).toThrow(
        expect.objectContaining({
          code: 'invalid_key',
          retryable: false,
          message: expect.stringMatching(
            /^openai: OPENAI_API_KEY is not a valid key \(character \d+ is U\+[0-9A-F]{4}; /,
          ),
        }),
      );
    }
    expect(fake.requests).toHaveLength(0);
  });

  it('loads the SDK on the first call only, not when constructed', async () => {
    fake = await startFakeOpenAi();
    const loadSdk = vi.fn(() => import('openai'));
    const provider = new OpenAiProvider({ env: { OPENAI_API_KEY: 'k', OPENAI_BASE_URL: fake.baseUrl }, loadSdk });
    expect(loadSdk).not.toHaveBeenCalled();
    await provider.complete(helloRequest);
    await provider.complete(helloRequest);
    expect(loadSdk).toHaveBeenCalledTimes(1);
  });
});
