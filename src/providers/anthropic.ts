/** Anthropic Messages API: pure mappers to and from the wire format, and a thin provider around the SDK. */
import type * as AnthropicSdk from '@anthropic-ai/sdk';
import type {
  ContentBlockParam,
  MessageCreateParamsNonStreaming,
  MessageParam,
  ToolResultBlockParam,
} from '@anthropic-ai/sdk/resources/messages';
import { z } from 'zod';
import { ProviderError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import type {
  ChatMessage,
  ModelProvider,
  ModelRequest,
  ModelResponse,
  ProviderEnv,
  StopReason,
  ToolCall,
} from './types.js';
import { sdkFetch } from './sdk-fetch.js';
import { lazySdk, requireApiKey, sdkLogger, toBatonError, warmRequestPath } from './vendor-sdk.js';
import { fromAnthropicUsage } from './wire-usage.js';

/** `max_tokens` is required by the Messages API; this is sent when the request names none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

/** Maps a neutral request to Messages API params. */
export function toAnthropicRequest(request: ModelRequest): MessageCreateParamsNonStreaming {
  const params: MessageCreateParamsNonStreaming = {
    model: request.model,
    max_tokens: request.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    messages: toAnthropicMessages(request.messages),
  };
  if (request.system) params.system = request.system;
  if (request.tools.length > 0) {
    params.tools = request.tools.map((tool) => ({
      name: tool.name,
      description: tool.description,
      input_schema: { ...tool.inputSchema, type: 'object' as const },
    }));
  }
  return params;
}

function toAnthropicMessages(messages: ChatMessage[]): MessageParam[] {
  const out: MessageParam[] = [];
  // The user message holding the latest run of tool results, so consecutive results share it.
  let results: ToolResultBlockParam[] | undefined;
  for (const message of messages) {
    if (message.role !== 'tool') {
      results = undefined;
      out.push(
        message.role === 'user'
          ? { role: 'user', content: message.content }
          : { role: 'assistant', content: assistantContent(message) },
      );
      continue;
    }
    const block: ToolResultBlockParam = {
      type: 'tool_result',
      tool_use_id: message.toolCallId,
      content: toolResultContent(message),
    };
    if (message.isError) block.is_error = true;
    // Messages API: the results of one assistant turn's tool_use blocks return together in the next user message.
    if (results) results.push(block);
    else out.push({ role: 'user', content: (results = [block]) });
  }
  return out;
}

/** MCP and Baton image types the Messages API accepts in a tool result; others are described in text. */
const ANTHROPIC_IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

function toolResultContent(message: Extract<ChatMessage, { role: 'tool' }>): ToolResultBlockParam['content'] {
  if (!message.images?.length) return message.content;
  const blocks: Exclude<ToolResultBlockParam['content'], string | undefined> = [];
  if (message.content) blocks.push({ type: 'text', text: message.content });
  for (const image of message.images) {
    if (ANTHROPIC_IMAGE_TYPES.has(image.mimeType)) {
      blocks.push({
        type: 'image',
        source: {
          type: 'base64',
          media_type: image.mimeType as 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp',
          data: image.data,
        },
      });
    } else {
      blocks.push({ type: 'text', text: `[an image of type ${image.mimeType}, which this model cannot be shown]` });
    }
  }
  return blocks;
}

function assistantContent(message: Extract<ChatMessage, { role: 'assistant' }>): string | ContentBlockParam[] {
  if (!message.toolCalls?.length) return message.content;
  const blocks: ContentBlockParam[] = message.content ? [{ type: 'text', text: message.content }] : [];
  for (const call of message.toolCalls) {
    blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: call.arguments });
  }
  return blocks;
}

/** The parts of a Messages API response Baton reads; anything else is ignored. */
export const AnthropicMessageSchema = z.object({
  content: z.array(
    z.object({
      type: z.string(),
      text: z.string().optional(),
      id: z.string().optional(),
      name: z.string().optional(),
      input: z.unknown().optional(),
    }),
  ),
  stop_reason: z.string().nullish(),
  model: z.string().nullish().catch(null),
  /** Read by `fromAnthropicUsage`: a usage block of an odd shape loses its counts, never the answer. */
  usage: z.unknown().optional(),
});

/**
 * Maps a Messages API response to a neutral one; `requestedModel` stands in when the response names no model.
 * Throws `ProviderError` (bad_response) for an unexpected shape.
 */
export function fromAnthropicResponse(message: unknown, requestedModel = ''): ModelResponse {
  const parsed = AnthropicMessageSchema.safeParse(message);
  if (!parsed.success) throw badResponse(`unexpected response shape: ${z.prettifyError(parsed.error)}`);
  const { content, stop_reason, usage, model } = parsed.data;
  const text: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of content) {
    if (block.type === 'text') text.push(block.text ?? '');
    if (block.type !== 'tool_use') continue;
    if (!block.id || !block.name || !isRecord(block.input))
      throw badResponse('a tool_use block lacks its id, name or object input');
    toolCalls.push({ id: block.id, name: block.name, arguments: block.input });
  }
  return {
    text: text.join(''),
    toolCalls,
    stopReason: toolCalls.length > 0 ? 'tool_use' : stopReason(stop_reason),
    usage: fromAnthropicUsage(usage),
    model: model || requestedModel,
  };
}

function stopReason(reason: string | null | undefined): StopReason {
  if (reason === 'end_turn' || reason === 'stop_sequence') return 'end';
  return reason === 'max_tokens' ? 'max_tokens' : 'other';
}

function badResponse(detail: string): ProviderError {
  return new ProviderError(`anthropic: ${detail}`, { retryable: false, code: 'bad_response' });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Options of `AnthropicProvider`. `loadSdk` is injectable so a test can see the SDK load on first use only. */
export interface AnthropicProviderOptions {
  env: ProviderEnv;
  log?: Logger;
  loadSdk?: () => Promise<typeof AnthropicSdk>;
}

/** Anthropic via `@anthropic-ai/sdk`, loaded on the first `complete`. Reads ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL. */
export class AnthropicProvider implements ModelProvider {
  readonly name = 'anthropic' as const;
  private readonly client: () => Promise<{ sdk: typeof AnthropicSdk; client: AnthropicSdk.Anthropic }>;

  /** Throws `ProviderError` (missing_key / invalid_key) at once when ANTHROPIC_API_KEY is not set or not a key. */
  constructor(options: AnthropicProviderOptions) {
    const apiKey = requireApiKey('anthropic', options.env);
    const load = options.loadSdk ?? (() => import('@anthropic-ai/sdk'));
    this.client = lazySdk('anthropic', '@anthropic-ai/sdk', async () => {
      const sdk = await load();
      const client = new sdk.default({
        apiKey,
        // Explicit, so the SDK never falls back to process.env behind the injected env.
        baseURL: options.env.ANTHROPIC_BASE_URL || 'https://api.anthropic.com',
        maxRetries: 0, // withRetry retries, with Baton's policy and cancellation.
        fetch: sdkFetch(options.env),
        logger: sdkLogger('anthropic', options.log ?? silentLogger),
      });
      return { sdk, client };
    });
  }

  async warm(): Promise<void> {
    const { client } = await this.client();
    await warmRequestPath(client, '/v1/messages');
  }

  async complete(request: ModelRequest): Promise<ModelResponse> {
    const { sdk, client } = await this.client();
    try {
      const message = await withoutConsoleWarn(() =>
        client.messages.create(toAnthropicRequest(request), { signal: request.signal }),
      );
      return fromAnthropicResponse(message, request.model);
    } catch (error) {
      throw toBatonError('anthropic', error, sdk, request.signal);
    }
  }
}

/**
 * `messages.create` prints a deprecation notice with `console.warn` on every call for a deprecated model, before it
 * sends anything. Baton's `ModelResolver` already logs one warning per model per process (issue 8), so the SDK's is
 * muted for that synchronous span only: nothing else can run in between.
 */
function withoutConsoleWarn<T>(start: () => T): T {
  /* eslint-disable no-console -- muting, not printing */
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    return start();
  } finally {
    console.warn = warn;
  }
  /* eslint-enable no-console */
}
