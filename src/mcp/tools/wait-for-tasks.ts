import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { TaskStatusSchema } from '../../store/records.js';
import { WaitInputSchema } from '../../tasks/inputs.js';
import type { ToolContext } from '../context.js';
import { toolResult } from '../tool-result.js';
import { HEARTBEAT_MS } from './subagent-dispatch.js';

export const name = 'wait_for_tasks';

const OutputSchema = z.object({
  done: z.boolean().describe('Whether all (mode all) or any (mode any) of the tasks have ended.'),
  timed_out: z.boolean(),
  tasks: z.array(
    z.object({
      id: z.string(),
      assignee_id: z.string(),
      status: TaskStatusSchema,
      status_message: z.string().nullable(),
      result: z.unknown().optional(),
      error: z.string().nullable(),
    }),
  ),
  pending_task_ids: z.array(z.string()),
});

/** wait_for_tasks: the fan-in after a fan-out; progress as each task ends. */
export function register(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    name,
    {
      title: 'Wait for tasks',
      description:
        'Wait until all (mode all) or any (mode any) of the given tasks, or of a group you delegated, have ended, ' +
        'or until timeout_seconds; returns each task with its result or error. The fan-in after a fan-out.',
      inputSchema: WaitInputSchema.shape,
      outputSchema: OutputSchema.shape,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    (args, extra) =>
      toolResult(async () => {
        const token = extra._meta?.progressToken;
        let count = 0;
        const progress = (message: string) => {
          if (token === undefined) return;
          void extra
            .sendNotification({
              method: 'notifications/progress',
              params: { progressToken: token, progress: ++count, message },
            })
            .catch(() => undefined);
        };
        const heartbeat = setInterval(() => progress('still waiting'), HEARTBEAT_MS);
        heartbeat.unref();
        try {
          return await ctx.tasks.waitFor(ctx.caller, args, {
            signal: extra.signal,
            onEnded: (task) => progress(`task ${task.id} (${task.assignee_id}) ${task.status}`),
          });
        } finally {
          clearInterval(heartbeat);
        }
      }),
  );
}
