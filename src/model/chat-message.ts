/**
 * One message of a subagent conversation, in Baton's neutral form: what providers map to and from each vendor's
 * wire format, and what a session stores (so it is validated when the store loads).
 */
import { z } from 'zod';

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

/** One message of a conversation. System prompts travel separately (`ModelRequest.system`). */
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
