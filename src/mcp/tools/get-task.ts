import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { GetInputSchema } from '../../tasks/inputs.js';
import type { ToolContext } from '../context.js';
import { TaskSchema, TaskSummarySchema } from '../output-schemas.js';
import { toolResult } from '../tool-result.js';

export const name = 'get_task';

const OutputSchema = z.object({ task: TaskSchema, children: z.array(TaskSummarySchema) });

/** get_task: everything about one task, for its parties. */
export function register(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    name,
    {
      title: 'Get a task',
      description:
        'Everything about a task you delegated or were assigned: description, payload, status, result or error, ' +
        'progress history, timestamps, parties, parent and children.',
      inputSchema: GetInputSchema.shape,
      outputSchema: OutputSchema.shape,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    (args) => toolResult(() => ctx.tasks.get(ctx.caller, args)),
  );
}
