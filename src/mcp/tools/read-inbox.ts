import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { ReadInboxInputSchema } from '../../tasks/inputs.js';
import type { ToolContext } from '../context.js';
import { InboxItemSchema } from '../output-schemas.js';
import { toolResult } from '../tool-result.js';

export const name = 'read_inbox';

const OutputSchema = z.object({ items: z.array(InboxItemSchema), next_cursor: z.number().int() });

/** read_inbox: the caller's messages and task notifications, in order, by cursor. */
export function register(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    name,
    {
      title: 'Read your inbox',
      description:
        'Read your messages and task notifications (assigned, progress, completed, failed, timeout, cancelled) in ' +
        'order. Pass next_cursor back as after to read only what is new. Reading does not remove anything.',
      inputSchema: ReadInboxInputSchema.shape,
      outputSchema: OutputSchema.shape,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    (args) => toolResult(() => ctx.tasks.readInbox(ctx.caller, args)),
  );
}
