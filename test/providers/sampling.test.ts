import { describe, expect, it } from 'vitest';
import { CancelledError, ProviderError } from '../../src/errors.js';
import {
  SAMPLING_DEFAULT_MAX_TOKENS,
  SamplingProvider,
  toSamplingRequest,
  type CreateMessage,
  type CreateMessageParams,
  type CreateMessageResult,
} from '../../src/providers/sampling.js';
import { helloRequest, toolConversation } from './fixtures/conversation.js';

/** A client's sampling handler: records what it is asked and answers from a script. */
function fakeClient(answer: (params: CreateMessageParams) => Promise<CreateMessageResult> | CreateMessageResult) {
  const calls: { params: CreateMessageParams; signal: AbortSignal | undefined }[] = [];
  const createMessage: CreateMessage = async (params, signal) => {
    calls.push({ params, signal });
    return answer(params);
  };
  return { calls, createMessage };
}

const textResult = (text: string, stopReason?: string): CreateMessageResult => ({
  role: 'assistant',
  content: { type: 'text', text },
  model: 'client-model',
  stopReason,
});

describe('toSamplingRequest', () => {
  it('flattens tool calls and results into alternating text messages when the conversation used tools', () => {
    expect(toSamplingRequest(toolConversation)).toEqual({
      systemPrompt: 'You are a careful researcher.',
      maxTokens: 1000,
      modelPreferences: { hints: [{ name: 'test-model' }] },
      messages: [
        { role: 'user', content: { type: 'text', text: 'Find the launch date.' } },
        {
          role: 'assistant',
          content: {
            type: 'text',
            text:
              'Searching.\n[called tool search (call_a) with {"query":"launch"}]\n' +
              '[called tool search (call_b) with {"query":"date"}]',
          },
        },
        {
          role: 'user',
          content: {
            type: 'text',
            text:
              '[result of tool search (call_a)]\nLaunch is in May.\n\n' +
              '[error from tool search (call_b)]\nindex unavailable\n\nBe brief.',
          },
        },
      ],
    });
  });

  it('defaults maxTokens and sends no model hint when the spec was plain "sampling"', () => {
    expect(toSamplingRequest({ ...helloRequest, model: '' })).toEqual({
      systemPrompt: 'Be terse.',
      maxTokens: SAMPLING_DEFAULT_MAX_TOKENS,
      messages: [{ role: 'user', content: { type: 'text', text: 'Say hi.' } }],
    });
  });
});

describe('SamplingProvider', () => {
  it('returns the client text with no tool calls when the client answers', async () => {
    const client = fakeClient(() => textResult('Hello from the client.', 'endTurn'));
    const response = await new SamplingProvider(client.createMessage).complete(helloRequest);
    expect(response).toEqual({
      text: 'Hello from the client.',
      toolCalls: [],
      stopReason: 'end',
      // MCP sampling results carry no usage; this client reports none: unknown, never zero.
      usage: { input_tokens: null, output_tokens: null, cache_read_tokens: null, cache_write_tokens: null },
      model: 'client-model',
    });
    expect(client.calls[0]?.params.messages).toEqual([{ role: 'user', content: { type: 'text', text: 'Say hi.' } }]);
  });

  it('reports max_tokens when the client stopped at maxTokens', async () => {
    const client = fakeClient(() => textResult('cut', 'maxTokens'));
    expect((await new SamplingProvider(client.createMessage).complete(helloRequest)).stopReason).toBe('max_tokens');
  });

  it('passes the signal on and rejects with CancelledError when it aborts before the client answers', async () => {
    const client = fakeClient(() => new Promise<CreateMessageResult>(() => {}));
    const controller = new AbortController();
    const pending = new SamplingProvider(client.createMessage).complete({ ...helloRequest, signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toThrow(CancelledError);
    expect(client.calls[0]?.signal).toBe(controller.signal);
  });

  it("fails with a non-retryable ProviderError carrying the client's message when the client refuses", async () => {
    const client = fakeClient(() => Promise.reject(new Error('User rejected sampling request')));
    const failure = new SamplingProvider(client.createMessage).complete(helloRequest);
    await expect(failure).rejects.toThrow(ProviderError);
    await expect(failure).rejects.toMatchObject({
      retryable: false,
      message: 'sampling: User rejected sampling request',
    });
  });

  it('fails with a bad_response ProviderError when the client answers with an image', async () => {
    const client = fakeClient(() => ({ role: 'assistant', content: { type: 'image' }, model: 'm' }));
    await expect(new SamplingProvider(client.createMessage).complete(helloRequest)).rejects.toMatchObject({
      code: 'bad_response',
      message: 'sampling: the client answered with image content; Baton needs text',
    });
  });
});
