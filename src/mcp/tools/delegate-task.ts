import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { DelegateInputSchema } from '../../tasks/inputs.js';
import type { DispatchContext } from '../context.js';
import { TaskStatusSchema } from '../../store/records.js';
import { toolResult } from '../tool-result.js';

export const name = 'delegate_task';

const OutputSchema = z.object({
  task_id: z.string(),
  status: TaskStatusSchema,
  assignee_id: z.string(),
  delegated_by: z.string(),
  created_at: z.string(),
  deadline: z.string().nullable(),
});

/** delegate_task: hand a task to another agent and get its id at once (SPEC §4). */
export function register(server: McpServer, ctx: DispatchContext): void {
  server.registerTool(
    name,
    {
      title: 'Delegate a task',
      description:
        'Delegate a task to another agent and return at once with its id. The assignee is notified, reports ' +
        'progress and completes or fails the task; you are notified of each step. Follow it with get_task or ' +
        'list_tasks, and cancel it with cancel_task.',
      inputSchema: DelegateInputSchema.shape,
      outputSchema: OutputSchema.shape,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    (args) =>
      toolResult(async () => {
        const task = await ctx.tasks.delegate(ctx.caller, ctx.runtime.withAgentDefaults(args));
        return {
          task_id: task.id,
          status: task.status,
          assignee_id: task.assignee_id,
          delegated_by: task.delegated_by,
          created_at: task.created_at,
          deadline: task.deadline,
        };
      }),
  );
}
