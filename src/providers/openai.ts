/** OpenAI Chat Completions (and compatible servers): pure mappers to and from the wire format, and a thin provider. */
import type * as OpenAiSdk from 'openai';
import type {
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import { z } from 'zod';
import { ProviderError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import type {
  ChatMessage,
  ToolImage,
  ModelProvider,
  ModelRequest,
  ModelResponse,
  ProviderEnv,
  StopReason,
  ToolCall,
} from './types.js';
import { sdkFetch } from './sdk-fetch.js';
import { lazySdk, requireApiKey, sdkLogger, toBatonError, warmRequestPath } from './vendor-sdk.js';
import { fromOpenAiUsage } from './wire-usage.js';

/** Maps a neutral request to Chat Completions params; the system prompt goes first as a system message. */
export function toOpenAiRequest(request: ModelRequest): ChatCompletionCreateParamsNonStreaming {
  const messages: ChatCompletionMessageParam[] = request.system ? [{ role: 'system', content: request.system }] : [];
  // Chat Completions takes no images in a tool message: they follow the turn's tool results as one user message.
  let images: ToolImage[] = [];
  const flushImages = () => {
    if (images.length === 0) return;
    messages.push({
      role: 'user',
      content: [
        { type: 'text', text: 'The images returned by the tool calls above:' },
        ...images.map((image) => ({
          type: 'image_url' as const,
          image_url: { url: `data:${image.mimeType};base64,${image.data}` },
        })),
      ],
    });
    images = [];
  };
  for (const message of request.messages) {
    if (message.role !== 'tool') flushImages();
    else if (message.images) images.push(...message.images.filter((i) => i.mimeType.startsWith('image/')));
    messages.push(toOpenAiMessage(message));
  }
  flushImages();
  const params: ChatCompletionCreateParamsNonStreaming = { model: request.model, messages };
  // `max_tokens` is deprecated and refused by reasoning models; compatible servers ignore what they do not know.
  if (request.maxTokens !== undefined) params.max_completion_tokens = request.maxTokens;
  if (request.tools.length > 0) {
    params.tools = request.tools.map((tool) => ({
      type: 'function',
      function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
    }));
  }
  return params;
}

function toOpenAiMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'user':
      return { role: 'user', content: message.content };
    case 'tool':
      // Chat Completions has no error flag on tool results, so the text says it.
      return {
        role: 'tool',
        tool_call_id: message.toolCallId,
        content: message.isError ? `Error: ${message.content}` : message.content,
      };
    case 'assistant':
      if (!message.toolCalls?.length) return { role: 'assistant', content: message.content };
      return {
        role: 'assistant',
        content: message.content || null,
        tool_calls: message.toolCalls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: JSON.stringify(call.arguments) },
        })),
      };
  }
}

/** The parts of a Chat Completions response Baton reads; anything else is ignored. */
export const OpenAiCompletionSchema = z.object({
  choices: z.array(
    z.object({
      message: z.object({
        content: z.string().nullish(),
        refusal: z.string().nullish(),
        tool_calls: z
          .array(
            z.object({
              id: z.string().optional(),
              function: z.object({ name: z.string(), arguments: z.string().nullish() }),
            }),
          )
          .nullish(),
      }),
      finish_reason: z.string().nullish(),
    }),
  ),
  model: z.string().nullish().catch(null),
  /** Read by `fromOpenAiUsage`: a usage block of an odd shape loses its counts, never the answer. */
  usage: z.unknown().optional(),
});

/**
 * Maps a Chat Completions response to a neutral one; `requestedModel` stands in when the response names no model.
 * Throws `ProviderError` (bad_response) for malformed output.
 */
export function fromOpenAiResponse(completion: unknown, requestedModel = ''): ModelResponse {
  const parsed = OpenAiCompletionSchema.safeParse(completion);
  if (!parsed.success) throw badResponse(`unexpected response shape: ${z.prettifyError(parsed.error)}`);
  const [choice] = parsed.data.choices;
  if (!choice) throw badResponse('the response has no choices');
  const { content, refusal, tool_calls } = choice.message;
  const toolCalls: ToolCall[] = (tool_calls ?? []).map((call, index) => ({
    // Some compatible servers omit ids; the loop needs one to pair results with calls.
    id: call.id || `call_${index}`,
    name: call.function.name,
    arguments: parseArguments(call.function.name, call.function.arguments),
  }));
  return {
    text: content ?? refusal ?? '',
    toolCalls,
    // Some compatible servers answer tool calls with finish_reason "stop".
    stopReason: toolCalls.length > 0 ? 'tool_use' : stopReason(choice.finish_reason),
    usage: fromOpenAiUsage(parsed.data.usage),
    model: parsed.data.model || requestedModel,
  };
}

function parseArguments(tool: string, raw: string | null | undefined): Record<string, unknown> {
  if (!raw?.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw badResponse(`the model sent malformed JSON arguments for tool '${tool}': ${clip(raw)}`, error);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badResponse(`the model sent arguments for tool '${tool}' that are not a JSON object: ${clip(raw)}`);
  }
  return value as Record<string, unknown>;
}

function stopReason(reason: string | null | undefined): StopReason {
  if (reason === 'stop') return 'end';
  return reason === 'length' ? 'max_tokens' : 'other';
}

function badResponse(detail: string, cause?: unknown): ProviderError {
  return new ProviderError(`openai: ${detail}`, { retryable: false, code: 'bad_response', cause });
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Options of `OpenAiProvider`. `loadSdk` is injectable so a test can see the SDK load on first use only. */
export interface OpenAiProviderOptions {
  env: ProviderEnv;
  log?: Logger;
  loadSdk?: () => Promise<typeof OpenAiSdk>;
}

/** OpenAI or any compatible server via `openai`, loaded on the first `complete`. Reads OPENAI_API_KEY, OPENAI_BASE_URL. */
export class OpenAiProvider implements ModelProvider {
  readonly name = 'openai' as const;
  private readonly client: () => Promise<{ sdk: typeof OpenAiSdk; client: OpenAiSdk.OpenAI }>;

  /** Throws `ProviderError` (missing_key / invalid_key) at once when OPENAI_API_KEY is not set or not a key. */
  constructor(options: OpenAiProviderOptions) {
    const apiKey = requireApiKey('openai', options.env);
    const load = options.loadSdk ?? (() => import('openai'));
    this.client = lazySdk('openai', 'openai', async () => {
      const sdk = await load();
      const client = new sdk.default({
        apiKey,
        // Explicit, so the SDK never falls back to process.env behind the injected env.
        baseURL: options.env.OPENAI_BASE_URL || 'https://api.openai.com/v1',
        maxRetries: 0, // withRetry retries, with Baton's policy and cancellation.
        fetch: sdkFetch(options.env),
        logger: sdkLogger('openai', options.log ?? silentLogger),
      });
      return { sdk, client };
    });
  }

  async warm(): Promise<void> {
    const { client } = await this.client();
    await warmRequestPath(client, '/chat/completions');
  }

  async complete(request: ModelRequest): Promise<ModelResponse> {
    const { sdk, client } = await this.client();
    try {
      const completion = await client.chat.completions.create(toOpenAiRequest(request), { signal: request.signal });
      return fromOpenAiResponse(completion, request.model);
    } catch (error) {
      throw toBatonError('openai', error, sdk, request.signal);
    }
  }
}
