import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ProgressInputSchema } from '../../tasks/inputs.js';
import type { ToolContext } from '../context.js';
import { TaskStateSchema } from '../output-schemas.js';
import { toolResult } from '../tool-result.js';
import { taskState } from './task-state.js';

export const name = 'report_task_progress';

/** report_task_progress: the assignee tells the delegator how far it got. */
export function register(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    name,
    {
      title: 'Report task progress',
      description:
        'Report progress on a task assigned to you; the delegator is notified. Only the assignee can call it.',
      inputSchema: ProgressInputSchema.shape,
      outputSchema: TaskStateSchema.shape,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    (args) => toolResult(async () => taskState(await ctx.tasks.reportProgress(ctx.caller, args))),
  );
}
