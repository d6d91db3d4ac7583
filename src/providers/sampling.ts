/**
 * MCP sampling: the calling client runs the model (`sampling/createMessage`). The types below mirror the MCP shapes
 * structurally, so `src/mcp` can pass `server.createMessage` straight in and this folder never imports the MCP SDK.
 * Basic sampling has no tool calls: tool traffic is flattened into text and `toolCalls` is always empty.
 */
import { BatonError, ProviderError, errorMessage } from '../errors.js';
import { cancelledBy } from './retry.js';
import type { ChatMessage, ModelProvider, ModelRequest, ModelResponse, StopReason } from './types.js';
import { fromSamplingUsage } from './wire-usage.js';

/** One message of a `sampling/createMessage` request. */
export interface SamplingMessage {
  role: 'user' | 'assistant';
  content: { type: 'text'; text: string };
}

/** The `sampling/createMessage` params Baton sends. */
export interface CreateMessageParams {
  messages: SamplingMessage[];
  systemPrompt?: string;
  maxTokens: number;
  /** The model named after `sampling:`, passed on as a hint; the client chooses. */
  modelPreferences?: { hints: { name: string }[] };
}

/**
 * The client's `sampling/createMessage` result; content other than text is refused. MCP defines no usage field:
 * `usage` and `_meta` are where a client may report one (`fromSamplingUsage`); the SDK passes extra fields on.
 */
export interface CreateMessageResult {
  role: 'user' | 'assistant';
  content: { type: string; text?: string };
  model: string;
  stopReason?: string;
  usage?: unknown;
  _meta?: { [key: string]: unknown };
}

/** Sends `sampling/createMessage` to the calling client; `signal` cancels the request. */
export type CreateMessage = (params: CreateMessageParams, signal?: AbortSignal) => Promise<CreateMessageResult>;

/** `maxTokens` is required by MCP sampling; this is sent when the request names none. */
export const SAMPLING_DEFAULT_MAX_TOKENS = 4096;

/** Maps a neutral request to `sampling/createMessage` params, flattening tool calls and results into text. */
export function toSamplingRequest(request: ModelRequest): CreateMessageParams {
  const messages: SamplingMessage[] = [];
  for (const message of request.messages) {
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const text = flatten(message);
    const last = messages.at(-1);
    // Tool results arrive as several user turns in a row; many clients' models want roles to alternate.
    if (last?.role === role) last.content.text += `\n\n${text}`;
    else messages.push({ role, content: { type: 'text', text } });
  }
  const params: CreateMessageParams = { messages, maxTokens: request.maxTokens ?? SAMPLING_DEFAULT_MAX_TOKENS };
  if (request.system) params.systemPrompt = request.system;
  if (request.model) params.modelPreferences = { hints: [{ name: request.model }] };
  return params;
}

function flatten(message: ChatMessage): string {
  if (message.role === 'user') return message.content;
  if (message.role === 'tool') {
    const images = (message.images ?? []).map((image) => `\n[an image of type ${image.mimeType}, not shown]`).join('');
    return `[${message.isError ? 'error from' : 'result of'} tool ${message.name} (${message.toolCallId})]\n${message.content}${images}`;
  }
  const calls = (message.toolCalls ?? []).map(
    (call) => `[called tool ${call.name} (${call.id}) with ${JSON.stringify(call.arguments)}]`,
  );
  return [message.content, ...calls].filter(Boolean).join('\n');
}

/** Maps a `sampling/createMessage` result to a neutral response; non-text content is a `ProviderError`. */
export function fromSamplingResult(result: CreateMessageResult): ModelResponse {
  if (result.content.type !== 'text' || typeof result.content.text !== 'string') {
    throw new ProviderError(`sampling: the client answered with ${result.content.type} content; Baton needs text`, {
      retryable: false,
      code: 'bad_response',
    });
  }
  return {
    text: result.content.text,
    toolCalls: [],
    stopReason: stopReason(result.stopReason),
    usage: fromSamplingUsage(result),
    model: result.model,
  };
}

function stopReason(reason: string | undefined): StopReason {
  if (reason === undefined || reason === 'endTurn' || reason === 'stopSequence') return 'end';
  return reason === 'maxTokens' ? 'max_tokens' : 'other';
}

/** A provider that asks the calling MCP client to run the model. */
export class SamplingProvider implements ModelProvider {
  readonly name = 'sampling' as const;

  constructor(private readonly createMessage: CreateMessage) {}

  async complete(request: ModelRequest): Promise<ModelResponse> {
    const { signal } = request;
    if (signal?.aborted) throw cancelledBy(signal);
    let result: CreateMessageResult;
    try {
      result = await abortable(this.createMessage(toSamplingRequest(request), signal), signal);
    } catch (error) {
      if (signal?.aborted) throw cancelledBy(signal);
      if (error instanceof BatonError) throw error;
      throw new ProviderError(`sampling: ${errorMessage(error)}`, { retryable: false, cause: error });
    }
    return fromSamplingResult(result);
  }
}

/** Settles with `promise`, or rejects as soon as `signal` aborts, should the client never answer. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelledBy(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
