import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { TaskStatusSchema } from '../../store/records.js';
import { CancelInputSchema } from '../../tasks/inputs.js';
import type { ToolContext } from '../context.js';
import { toolResult } from '../tool-result.js';

export const name = 'cancel_task';

const OutputSchema = z.object({
  task_id: z.string(),
  status: TaskStatusSchema,
  changed: z.boolean(),
  cancelled_task_ids: z.array(z.string()),
  message: z.string(),
});

/** cancel_task: the delegator cancels a task and every task under it. */
export function register(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    name,
    {
      title: 'Cancel a task',
      description:
        'Cancel a task you delegated, and every task delegated under it; running subagents are stopped and the ' +
        'assignees notified. Cancelling a task that already ended changes nothing and says so.',
      inputSchema: CancelInputSchema.shape,
      outputSchema: OutputSchema.shape,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    (args) =>
      toolResult(async () => {
        const outcome = await ctx.tasks.cancel(ctx.caller, args);
        return {
          task_id: outcome.task.id,
          status: outcome.task.status,
          changed: outcome.changed,
          cancelled_task_ids: outcome.cancelled_task_ids,
          message: outcome.message,
        };
      }),
  );
}
