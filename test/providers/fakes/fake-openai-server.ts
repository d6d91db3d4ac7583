/**
 * A loopback fake of OpenAI Chat Completions (`POST /v1/chat/completions`, non-streaming), so the real `openai` SDK
 * runs against it. `const fake = await startFakeOpenAi([{ text: 'hi' }]); env.OPENAI_BASE_URL = fake.baseUrl;`
 */
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import {
  roughTokens,
  startFakeServer,
  type FakeScript,
  type FakeServer,
  type FakeUsage,
  type VendorDialect,
} from './fake-http-server.js';

export type { FakeReply, FakeToolCall, FakeScript, FakeUsage, RecordedRequest } from './fake-http-server.js';

/** The request body the fake records: what the SDK sent. */
export type OpenAiRequestBody = ChatCompletionCreateParamsNonStreaming;

/** A running fake OpenAI server. */
export type FakeOpenAi = FakeServer<OpenAiRequestBody>;

const ERRORS: Record<number, { message: string; type: string; code: string | null }> = {
  400: { message: 'Invalid request.', type: 'invalid_request_error', code: null },
  401: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' },
  404: { message: 'The model does not exist.', type: 'invalid_request_error', code: 'model_not_found' },
  429: { message: 'Rate limit reached for requests.', type: 'requests', code: 'rate_limit_exceeded' },
  500: { message: 'The server had an error while processing your request.', type: 'server_error', code: null },
  503: { message: 'The engine is currently overloaded.', type: 'server_error', code: null },
};

let ids = 0;

const dialect: VendorDialect<OpenAiRequestBody> = {
  path: '/v1/chat/completions',
  basePath: '/v1',
  render(reply, body) {
    const headers: Record<string, string> = { 'x-request-id': `req_${++ids}`, ...reply.headers };
    if ('json' in reply) return { status: reply.status ?? 200, headers, body: reply.json };
    if ('status' in reply) {
      const known = ERRORS[reply.status] ?? { message: `HTTP ${reply.status}`, type: 'server_error', code: null };
      if (reply.retryAfter !== undefined) headers['retry-after'] = String(reply.retryAfter);
      const error = {
        ...known,
        message: reply.message ?? known.message,
        type: reply.errorType ?? known.type,
        param: null,
      };
      return { status: reply.status, headers, body: { error } };
    }
    const text = 'text' in reply ? (reply.text ?? null) : null;
    const toolCalls = 'toolCalls' in reply ? reply.toolCalls : [];
    const message = {
      role: 'assistant',
      content: text,
      refusal: null,
      ...(toolCalls.length > 0 && {
        tool_calls: toolCalls.map((call) => ({
          id: call.id ?? `call_${++ids}`,
          type: 'function',
          function: {
            name: call.name,
            arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {}),
          },
        })),
      }),
    };
    const usage =
      reply.usage === null
        ? undefined
        : wireUsage(reply.usage ?? { input: roughTokens(body.messages), output: roughTokens(message) });
    return {
      status: 200,
      headers,
      body: {
        id: `chatcmpl-${++ids}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: reply.model ?? body.model,
        choices: [
          {
            index: 0,
            message,
            logprobs: null,
            finish_reason: reply.stopReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
          },
        ],
        ...(usage && { usage }),
      },
    };
  },
  notFound(path) {
    const error = {
      message: `Unknown request URL: POST ${path}.`,
      type: 'invalid_request_error',
      param: null,
      code: 'unknown_url',
    };
    return { status: 404, body: { error } };
  },
};

/** The Chat Completions `usage` of neutral counts: `prompt_tokens` counts the cached tokens too. */
function wireUsage({ input, output, cacheRead = 0, cacheWrite }: FakeUsage) {
  return {
    prompt_tokens: input,
    completion_tokens: output,
    total_tokens: input + output,
    prompt_tokens_details: {
      cached_tokens: cacheRead,
      audio_tokens: 0,
      ...(cacheWrite !== undefined && { cache_write_tokens: cacheWrite }),
    },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/** Starts a fake OpenAI server on 127.0.0.1; `baseUrl` ends in `/v1` like the real one. */
export function startFakeOpenAi(script?: FakeScript<OpenAiRequestBody>): Promise<FakeOpenAi> {
  return startFakeServer(dialect, script);
}
