import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { FailInputSchema } from '../../tasks/inputs.js';
import type { ToolContext } from '../context.js';
import { TaskStateSchema } from '../output-schemas.js';
import { toolResult } from '../tool-result.js';
import { taskState } from './task-state.js';

export const name = 'fail_task';

/** fail_task: the assignee gives up on its task, saying why. */
export function register(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    name,
    {
      title: 'Fail a task',
      description:
        'Mark a task assigned to you as failed, with the reason; the delegator is notified. Only the assignee can call it.',
      inputSchema: FailInputSchema.shape,
      outputSchema: TaskStateSchema.shape,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    (args) => toolResult(async () => taskState(await ctx.tasks.fail(ctx.caller, args))),
  );
}
