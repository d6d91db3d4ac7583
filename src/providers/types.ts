/**
 * The neutral model interface every provider implements. Vendor types never leave `providers/`:
 * each vendor file maps this shape to its wire format and back.
 */
import { z } from 'zod';
import type { Usage } from '../usage/usage.js';

/** A tool call the model asked for. `arguments` is the parsed JSON object. */
export const ToolCallSchema = z.object({
  id: z.string(),
  name: z.string(),
  arguments: z.record(z.string(), z.unknown()),
});
export type ToolCall = z.infer<typeof ToolCallSchema>;

/** An image a tool returned (a workspace `Read` of a picture, an MCP server's image content), base64. */
export const ToolImageSchema = z.object({ mimeType: z.string(), data: z.string() });
export type ToolImage = z.infer<typeof ToolImageSchema>;

/**
 * One message of a conversation. System prompts travel separately in `ModelRequest.system`.
 * A schema, because conversations are stored (session history) and validated when the store loads.
 */
export const ChatMessageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('user'), content: z.string() }),
  z.object({ role: z.literal('assistant'), content: z.string(), toolCalls: z.array(ToolCallSchema).optional() }),
  z.object({
    role: z.literal('tool'),
    toolCallId: z.string(),
    name: z.string(),
    content: z.string(),
    isError: z.boolean().optional(),
    /** Images of the result: a content block of the tool result for Anthropic, a user message after it for OpenAI. */
    images: z.array(ToolImageSchema).optional(),
  }),
]);
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

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
}

export const PROVIDER_NAMES = ['anthropic', 'openai', 'sampling'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** Environment variables a provider reads (API keys, base URLs); injected so tests never touch `process.env`. */
export type ProviderEnv = Readonly<Record<string, string | undefined>>;
