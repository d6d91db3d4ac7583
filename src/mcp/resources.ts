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
import { completeTaskIds } from './completions.js';
import type { SessionContext } from './context.js';
import { TASK_PREFIX, taskUri } from './task-uri.js';
import { describeAgent } from './tools/list-agents.js';

/** Registers the task resource template and the subscribe / unsubscribe handlers. */
export function registerResources(server: McpServer, ctx: SessionContext): void {
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
      complete: { task_id: (value) => completeTaskIds(ctx, value) },
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

async function readTask(ctx: SessionContext, id: string) {
  try {
    return await ctx.tasks.get(ctx.caller, { task_id: id });
  } catch (error) {
    if (error instanceof InputError) throw new McpError(ErrorCode.InvalidParams, error.message);
    throw error;
  }
}

/** `baton://agents` (every agent and the problems of bad files) and `baton://agents/{id}` (one definition). */
export function registerAgentResources(server: McpServer, ctx: SessionContext): void {
  const json = (uri: string, value: unknown) => ({
    contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }],
  });
  server.registerResource(
    'agents',
    'baton://agents',
    {
      title: 'Agents',
      description: 'Every agent Baton can run, and the problems of bad definition files.',
      mimeType: 'application/json',
    },
    async (uri) =>
      json(uri.href, { agents: ctx.agents.list().map((a) => describeAgent(a, ctx)), problems: ctx.agents.problems() }),
  );
  server.registerResource(
    'agent',
    new ResourceTemplate('baton://agents/{id}', {
      list: async () => ({
        resources: ctx.agents.list().map((a) => ({
          uri: `baton://agents/${a.id}`,
          name: a.id,
          description: a.description,
          mimeType: 'application/json',
        })),
      }),
    }),
    {
      title: 'Agent',
      description: 'One agent definition: fields, system prompt, and problems of its file.',
      mimeType: 'application/json',
    },
    async (uri, variables) => {
      const agent = ctx.agents.get(String(variables.id));
      if (!agent) throw new McpError(ErrorCode.InvalidParams, `agent not found: ${String(variables.id)}`);
      return json(uri.href, {
        ...describeAgent(agent, ctx),
        definition: agent,
        problems: ctx.agents.problems().filter((p) => p.path === agent.path),
      });
    },
  );
}
