/** Resources: `baton://tasks/{task_id}`, readable and subscribable by the task's parties (SPEC §7). */
import { ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  McpError,
  ErrorCode,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { InputError } from '../errors.js';
import type { ToolContext } from './context.js';

const TASK_PREFIX = 'baton://tasks/';

export const taskUri = (taskId: string): string => `${TASK_PREFIX}${taskId}`;

/** Registers the task resource template and the subscribe / unsubscribe handlers. */
export function registerResources(server: McpServer, ctx: ToolContext): void {
  server.registerResource(
    'task',
    new ResourceTemplate(`${TASK_PREFIX}{task_id}`, {
      list: async () => {
        const { tasks } = await ctx.tasks.list(ctx.caller, { limit: 100 });
        return {
          resources: tasks.map((t) => ({
            uri: taskUri(t.id),
            name: `task ${t.id}`,
            description: `${t.status}: ${t.description}`,
            mimeType: 'application/json',
          })),
        };
      },
    }),
    {
      title: 'Task',
      description: 'A task you delegated or were assigned, as get_task shows it. Subscribe to hear of every change.',
      mimeType: 'application/json',
    },
    async (uri, variables) => {
      const id = String(variables.task_id);
      const view = await readTask(ctx, id);
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(view) }] };
    },
  );

  server.server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    const id = taskIdOf(request.params.uri);
    await readTask(ctx, id); // same access as get_task
    ctx.session.subscriptions.add(taskUri(id));
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    ctx.session.subscriptions.delete(request.params.uri);
    return {};
  });
}

function taskIdOf(uri: string): string {
  if (!uri.startsWith(TASK_PREFIX) || uri.length === TASK_PREFIX.length) {
    throw new McpError(ErrorCode.InvalidParams, `unknown resource ${uri}; subscribe to baton://tasks/{task_id}`);
  }
  return uri.slice(TASK_PREFIX.length);
}

async function readTask(ctx: ToolContext, id: string) {
  try {
    return await ctx.tasks.get(ctx.caller, { task_id: id });
  } catch (error) {
    if (error instanceof InputError) throw new McpError(ErrorCode.InvalidParams, error.message);
    throw error;
  }
}
