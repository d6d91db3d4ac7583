import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { ListInputSchema } from '../../tasks/inputs.js';
import type { ToolContext } from '../context.js';
import { TaskSummarySchema } from '../output-schemas.js';
import { toolResult } from '../tool-result.js';

export const name = 'list_tasks';

const OutputSchema = z.object({ tasks: z.array(TaskSummarySchema), next_cursor: z.string().nullable() });

/** list_tasks: the caller's tasks, newest first, by page. */
export function register(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    name,
    {
      title: 'List tasks',
      description:
        'List tasks you delegated or that are assigned to you, newest first, filtered by role, status and group. ' +
        'Pass next_cursor back as cursor for the next page.',
      inputSchema: ListInputSchema.shape,
      outputSchema: OutputSchema.shape,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    (args) => toolResult(() => ctx.tasks.list(ctx.caller, args)),
  );
}
