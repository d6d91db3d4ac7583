import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { AgentDefinition } from '../../agents/definition.js';
import { InputError } from '../../errors.js';
import { DispatchInputSchema } from '../../runtime/dispatch-input.js';
import type { DispatchOutcome } from '../../runtime/subagent-runtime.js';
import { TaskStatusSchema } from '../../store/records.js';
import type { Task } from '../../store/records.js';
import type { DispatchContext } from '../context.js';
import { toMcpTask } from '../mcp-task-store.js';

export const name = 'subagent_dispatch';

/** SPEC §4: progress at each step and at least this often, so clients with a 60 s timeout keep waiting. */
export const HEARTBEAT_MS = 10_000;
/** Each agent's description is cut to this many characters in the tool description. */
const DESCRIPTION_CHARS = 240;

const OutputSchema = z.object({
  result: z.string().nullable(),
  session_id: z.string(),
  task_id: z.string(),
  agent_id: z.string(),
  status: TaskStatusSchema,
  error: z.string().optional(),
});

/** The seed's description: the dispatchable agents (never the caller itself) in `<available_agents>`. */
export function describeDispatch(agents: AgentDefinition[]): string {
  const lines = agents.map((a) => ` <agent id="${a.id}">${escape(cut(a.description))}</agent>`);
  return [
    'Dispatch a task to a specialized subagent and wait for its answer. Returns {result, session_id}; pass the',
    'session_id back to continue the same conversation with that agent.',
    '<available_agents>',
    ...lines,
    '</available_agents>',
  ].join('\n');
}

/** The input schema with `agent_id` narrowed to the dispatchable agents. */
export function dispatchShape(agents: AgentDefinition[]) {
  const ids = agents.map((a) => a.id);
  const agentId =
    ids.length > 0
      ? z.enum(ids as [string, ...string[]]).describe('The agent to dispatch: one of <available_agents>.')
      : DispatchInputSchema.shape.agent_id.describe('No agents are available yet.');
  return { ...DispatchInputSchema.shape, agent_id: agentId };
}

/** The finished dispatch as a tool result. */
export function dispatchResult(task: Task, sessionId: string | null): CallToolResult {
  const structured = {
    result: task.status === 'completed' ? textOf(task.result) : null,
    session_id: sessionId ?? task.session_id ?? '',
    task_id: task.id,
    agent_id: task.assignee_id,
    status: task.status,
    ...(task.error !== null ? { error: task.error } : {}),
  };
  if (task.status !== 'completed') {
    return {
      isError: true,
      content: [{ type: 'text', text: `${task.assignee_id} ${task.status.replace('_', ' ')}: ${task.error ?? ''}` }],
      structuredContent: structured,
    };
  }
  return { content: [{ type: 'text', text: structured.result ?? '' }], structuredContent: structured };
}

/** subagent_dispatch: run a defined agent on a task and wait for the answer (SPEC §4). */
export function register(server: McpServer, ctx: DispatchContext): RegisteredTool {
  const agents = () => ctx.agents.list().filter((a) => a.id !== ctx.caller);
  const tool = server.experimental.tasks.registerToolTask(
    name,
    {
      title: 'Dispatch a subagent',
      description: describeDispatch(agents()),
      inputSchema: dispatchShape(agents()),
      outputSchema: OutputSchema.shape,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
      execution: { taskSupport: 'optional' },
    },
    {
      createTask: async (args, extra) => {
        const reserved = await extra.taskStore.createTask({ ttl: null });
        const { augmented } = ctx.taskStore.takeReservation(reserved.taskId);
        const progressToken = extra._meta?.progressToken;
        let count = 0;
        let last = 'started';
        const send = (message: string) => {
          if (progressToken === undefined || augmented) return;
          void extra
            .sendNotification({
              method: 'notifications/progress',
              params: { progressToken, progress: ++count, message },
            })
            .catch(() => undefined);
        };
        const progress = (message: string) => send((last = message));
        // The heartbeat repeats the latest step; it is not a step itself, so its text never grows.
        const heartbeat = setInterval(() => send(`${last} (still working)`), HEARTBEAT_MS);
        heartbeat.unref();
        let created!: (task: Task) => void;
        const createdTask = new Promise<Task>((resolve) => (created = resolve));
        const run: Promise<DispatchOutcome> = ctx.runtime
          .dispatch(ctx.caller, args, {
            taskId: reserved.taskId,
            // A task-augmented call outlives its request: only tasks/cancel stops it.
            ...(augmented ? {} : { signal: extra.signal }),
            onCreated: created,
            onProgress: (e) => progress(e.message),
            ...(ctx.sampler() ? { sampler: ctx.sampler()! } : {}),
            ...(ctx.roots() ? { roots: ctx.roots()! } : {}),
          })
          .finally(() => clearInterval(heartbeat));
        if (augmented) {
          run.catch((error: unknown) => ctx.log.warn('background dispatch failed', { error: String(error) }));
          return { task: toMcpTask(await Promise.race([createdTask, run.then((o) => o.task)])) };
        }
        // A plain call: run to the end here, with progress; the SDK then answers with tasks/result's payload.
        const outcome = await run;
        return { task: toMcpTask(outcome.task) };
      },
      getTask: async (_args, extra) => {
        const task = await ctx.taskStore.getTask(extra.taskId);
        if (!task) throw new InputError('not_found', `task not found: ${extra.taskId}`);
        return task;
      },
      getTaskResult: async (_args, extra) => (await ctx.taskStore.getTaskResult(extra.taskId)) as CallToolResult,
    },
  );
  return tool;
}

/** Regenerates the description and the agent enum after the agents changed (hot reload). */
export function refresh(tool: RegisteredTool, ctx: DispatchContext): void {
  const agents = ctx.agents.list().filter((a) => a.id !== ctx.caller);
  tool.update({ description: describeDispatch(agents), paramsSchema: dispatchShape(agents) });
}

function cut(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= DESCRIPTION_CHARS ? flat : `${flat.slice(0, DESCRIPTION_CHARS - 1)}…`;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}
