import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { SendMessageInputSchema } from '../../tasks/inputs.js';
import type { ToolContext } from '../context.js';
import { toolResult } from '../tool-result.js';

export const name = 'send_message';

const OutputSchema = z.object({ delivered_to: z.string(), seq: z.number().int(), created_at: z.string() });

/** send_message: put a message in another agent's inbox. */
export function register(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    name,
    {
      title: 'Send a message',
      description:
        "Send a message to another agent's inbox. It is kept until read, pushed live to the agent's connected " +
        'sessions, and a running subagent sees it before its next step.',
      inputSchema: SendMessageInputSchema.shape,
      outputSchema: OutputSchema.shape,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    (args) =>
      toolResult(async () => {
        const item = await ctx.tasks.sendMessage(ctx.caller, args);
        return { delivered_to: item.recipient, seq: item.seq, created_at: item.created_at };
      }),
  );
}
