/**
 * A loopback fake of the Anthropic Messages API (`POST /v1/messages`, non-streaming), so the real
 * `@anthropic-ai/sdk` runs against it. `const fake = await startFakeAnthropic([{ text: 'hi' }]);
 * env.ANTHROPIC_BASE_URL = fake.baseUrl;`
 */
import type { MessageCreateParamsNonStreaming } from '@anthropic-ai/sdk/resources/messages';
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
export type AnthropicRequestBody = MessageCreateParamsNonStreaming;

/** A running fake Anthropic server. */
export type FakeAnthropic = FakeServer<AnthropicRequestBody>;

const ERRORS: Record<number, { type: string; message: string }> = {
  400: { type: 'invalid_request_error', message: 'Invalid request.' },
  401: { type: 'authentication_error', message: 'invalid x-api-key' },
  404: { type: 'not_found_error', message: 'model: not found' },
  429: { type: 'rate_limit_error', message: 'Number of requests has exceeded your per-minute rate limit.' },
  500: { type: 'api_error', message: 'Internal server error' },
  529: { type: 'overloaded_error', message: 'Overloaded' },
};

let ids = 0;

const dialect: VendorDialect<AnthropicRequestBody> = {
  path: '/v1/messages',
  basePath: '',
  render(reply, body) {
    const headers: Record<string, string> = { 'request-id': `req_${++ids}`, ...reply.headers };
    if ('json' in reply) return { status: reply.status ?? 200, headers, body: reply.json };
    if ('status' in reply) {
      const known = ERRORS[reply.status] ?? { type: 'api_error', message: `HTTP ${reply.status}` };
      if (reply.retryAfter !== undefined) headers['retry-after'] = String(reply.retryAfter);
      const error = { type: reply.errorType ?? known.type, message: reply.message ?? known.message };
      return { status: reply.status, headers, body: { type: 'error', error } };
    }
    const text = 'text' in reply ? reply.text : undefined;
    const toolCalls = 'toolCalls' in reply ? reply.toolCalls : [];
    const content = [
      ...(text ? [{ type: 'text', text, citations: null }] : []),
      ...toolCalls.map((call) => ({
        type: 'tool_use',
        id: call.id ?? `toolu_${++ids}`,
        name: call.name,
        input: call.arguments ?? {},
      })),
    ];
    const usage =
      reply.usage === null
        ? undefined
        : wireUsage(
            reply.usage ?? {
              input: roughTokens([body.system, body.messages]),
              output: roughTokens(content),
            },
          );
    return {
      status: 200,
      headers,
      body: {
        id: `msg_${++ids}`,
        type: 'message',
        role: 'assistant',
        model: reply.model ?? body.model,
        content,
        stop_reason: reply.stopReason ?? (toolCalls.length > 0 ? 'tool_use' : 'end_turn'),
        stop_sequence: null,
        ...(usage && { usage }),
      },
    };
  },
  notFound(path) {
    return { status: 404, body: { type: 'error', error: { type: 'not_found_error', message: `Not found: ${path}` } } };
  },
};

/** The Messages API `usage` of neutral counts: its `input_tokens` are the prompt tokens not read from or written to the cache. */
function wireUsage({ input, output, cacheRead = 0, cacheWrite = 0 }: FakeUsage) {
  return {
    input_tokens: input - cacheRead - cacheWrite,
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
    cache_creation: { ephemeral_5m_input_tokens: cacheWrite, ephemeral_1h_input_tokens: 0 },
    output_tokens: output,
    server_tool_use: null,
    service_tier: 'standard',
  };
}

/** Starts a fake Anthropic server on 127.0.0.1; `baseUrl` is the origin, like the real one. */
export function startFakeAnthropic(script?: FakeScript<AnthropicRequestBody>): Promise<FakeAnthropic> {
  return startFakeServer(dialect, script);
}
