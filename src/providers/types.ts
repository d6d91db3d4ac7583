/**
 * The neutral model interface every provider implements. Vendor types never leave `providers/`:
 * each vendor file maps this shape to its wire format and back.
 */
import type { ChatMessage, ToolCall } from '../model/chat-message.js';
import type { Usage } from '../model/usage.js';

// The conversation records are Baton's own (sessions store them); providers map them to and from each vendor.
export { ChatMessageSchema, ToolCallSchema, ToolImageSchema } from '../model/chat-message.js';
export type { ChatMessage, ToolCall, ToolImage } from '../model/chat-message.js';

/** A tool offered to the model; `inputSchema` is a JSON Schema object. */
export interface ToolSpec {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

/** One model turn. */
export interface ModelRequest {
  model: string;
  system: string;
  messages: ChatMessage[];
  tools: ToolSpec[];
  maxTokens?: number;
  /** Aborts the in-flight HTTP request (timeouts, cancellation). */
  signal?: AbortSignal;
}

/** Why the model stopped. */
export type StopReason = 'end' | 'tool_use' | 'max_tokens' | 'other';

/** The model's answer to one turn. */
export interface ModelResponse {
  text: string;
  toolCalls: ToolCall[];
  stopReason: StopReason;
  /** The tokens this call spent, in the neutral shape of `usage/usage.ts`; null counts where nothing was reported. */
  usage: Usage;
  /**
   * The model that answered, as the response names it (`claude-opus-4-5-20251101` for `claude-opus-4-5`; for
   * sampling, the client's model), else the requested one. With the provider's name it is the key of `costOf`.
   */
  model: string;
}

/** A model backend: Anthropic, OpenAI (or compatible), or MCP sampling through the calling client. */
export interface ModelProvider {
  readonly name: ProviderName;
  /** Runs one turn. Throws `ProviderError` (retryable or not), `CancelledError` when `signal` aborts. */
  complete(request: ModelRequest): Promise<ModelResponse>;
  /** Loads what the first `complete` would (the vendor SDK, its client), so that it does not wait for it. */
  warm?(): Promise<void>;
}

export const PROVIDER_NAMES = ['anthropic', 'openai', 'sampling'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** Environment variables a provider reads (API keys, base URLs); injected so tests never touch `process.env`. */
export type ProviderEnv = Readonly<Record<string, string | undefined>>;
