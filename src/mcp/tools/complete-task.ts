import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CompleteInputSchema } from '../../tasks/inputs.js';
import type { ToolContext } from '../context.js';
import { TaskStateSchema } from '../output-schemas.js';
import { toolResult } from '../tool-result.js';
import { taskState } from './task-state.js';

export const name = 'complete_task';

/** complete_task: the assignee finishes its task with a result. */
export function register(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    name,
    {
      title: 'Complete a task',
      description:
        'Complete a task assigned to you with its result; the delegator is notified. Only the assignee can call it.',
      inputSchema: CompleteInputSchema.shape,
      outputSchema: TaskStateSchema.shape,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    (args) => toolResult(async () => taskState(await ctx.tasks.complete(ctx.caller, args))),
  );
}
