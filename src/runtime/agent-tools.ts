/**
 * The tools of one run, in one list (SPEC §8): Baton's own by tool scope (isolated: none; restricted, the default:
 * its own task's progress / complete / fail, send_message, read_inbox and its notes; shared: also subagent_dispatch,
 * delegate_task, wait_for_tasks, merge, list_tasks, get_task, cancel_task), the workspace tools and the MCP servers'
 * tools, as the agent's tool plan (`tool-plan.ts`) says. Baton's tools run with the subagent's own identity and the
 * same access rules as any other caller.
 */
import { z } from 'zod';
import type { AgentDefinition } from '../agents/definition.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { Task } from '../store/records.js';
import {
  CancelInputSchema,
  CompleteInputSchema,
  DelegateInputSchema,
  FailInputSchema,
  GetInputSchema,
  ListInputSchema,
  MergeInputSchema,
  ProgressInputSchema,
  ReadInboxInputSchema,
  SendMessageInputSchema,
  WaitInputSchema,
} from '../tasks/inputs.js';
import type { MergeInput } from '../tasks/inputs.js';
import type { TaskService } from '../tasks/task-service.js';
import { tool } from '../tools/agent-tool.js';
import type { AgentTool } from '../tools/agent-tool.js';
import type { McpConnection } from '../tools/mcp-client/connection.js';
import { mcpAgentTools, type McpServerRef } from '../tools/mcp-client/pool.js';
import type { Workspace, WorkspaceToolOptions } from '../tools/workspace/index.js';
import { DispatchInputSchema } from './dispatch-input.js';
import type { AgentToolCatalog } from './tool-catalog.js';

/** What a subagent's tools act through. */
export interface AgentToolContext {
  agent: AgentDefinition;
  /** The task this run works on. */
  task: Task;
  tasks: TaskService;
  /** Runs a child subagent and waits for its answer (shared scope). */
  dispatch(input: z.infer<typeof DispatchInputSchema>, signal: AbortSignal): Promise<Record<string, unknown>>;
  /** Checks depth, quota and loops before a child task is created under this run's task. */
  checkSpawn(agentId: string, description: string): void;
  /** Makes the session (and notes) of a child about to be created; null when the assignee is not a defined agent. */
  spawnSession(agentId: string): Promise<string | null>;
  /** The notes of this run's session. */
  notes: { read(): Record<string, string>; remember(key: string, value: string): Promise<void> };
  merge(input: MergeInput, signal: AbortSignal): Promise<Record<string, unknown>>;
  /** Fills a delegation's timeout and retries from the assignee's definition. */
  withAgentDefaults<T extends { assignee_id: string; timeout_seconds?: number; max_retries?: number }>(input: T): T;
  /** Runs `fn`, in which this run waits for other runs, without holding a concurrency slot (no deadlock). */
  waiting<T>(fn: () => Promise<T>): Promise<T>;
  /** What the operator lets agents have, and the plan of each. */
  catalog: AgentToolCatalog;
  /** The MCP server connections, shared by every run. */
  mcp: { connection(ref: McpServerRef): McpConnection };
  /** The workspace roots of this run (resolved on first need). */
  workspace(): Promise<Workspace>;
  workspaceOptions?: WorkspaceToolOptions;
  log: Logger;
}

// A run's own task is implied: its tools take no task_id, and its children get it as their parent.
const OWN_PROGRESS = ProgressInputSchema.omit({ task_id: true });
const OWN_COMPLETE = CompleteInputSchema.omit({ task_id: true });
const OWN_FAIL = FailInputSchema.omit({ task_id: true });
const CHILD_DELEGATE = DelegateInputSchema.omit({ parent_task_id: true });
const REMEMBER = z.object({
  key: z
    .string()
    .min(1)
    .max(200)
    .refine((key) => key !== '__proto__', 'reserved: "__proto__" cannot name a note')
    .describe('The note name.'),
  value: z.string().max(100_000).describe('What to remember.'),
});
const RECALL = z.object({ key: z.string().min(1).max(200).optional().describe('The note name; omit for all notes.') });

/**
 * The tools this run may use, as a function read before each turn (an MCP server's tools follow its list_changed).
 * MCP servers the plan names are started here; one that cannot start is logged and left out, the run goes on.
 */
export async function buildAgentTools(ctx: AgentToolContext): Promise<() => AgentTool[]> {
  const plan = ctx.catalog.plan(ctx.agent);
  const own = allTools(ctx);
  const fixed: AgentTool[] = plan.baton.map((name) => own[name] as AgentTool);
  if (plan.workspace.length > 0) {
    const workspace = await ctx.workspace();
    fixed.push(...plan.workspace.map((kind) => kind.create(workspace, ctx.workspaceOptions ?? {})));
  }
  const servers = await Promise.all(
    plan.mcp.map(async (selection) => {
      const connection = ctx.mcp.connection(selection.ref);
      await connection.tools().catch((error: unknown) =>
        ctx.log.warn('an MCP server of this run is not available', {
          agent: ctx.agent.id,
          server: selection.ref.name,
          error: errorMessage(error),
        }),
      );
      const wanted = (name: string) =>
        (selection.only === null || selection.only.has(name)) && !selection.except.has(name);
      return { connection, wanted };
    }),
  );
  if (servers.length === 0) return () => fixed;
  return () => [...fixed, ...servers.flatMap(({ connection, wanted }) => mcpAgentTools(connection, wanted))];
}

function allTools(ctx: AgentToolContext): Record<string, AgentTool> {
  const me = ctx.agent.id;
  const own = { task_id: ctx.task.id };
  const json = (value: unknown) => JSON.stringify(value);
  return {
    report_task_progress: {
      ...tool(
        'report_task_progress',
        'Tell whoever gave you this task how far you got. Use it on long work.',
        OWN_PROGRESS,
        async (args) => json(pick(await ctx.tasks.reportProgress(me, { ...args, ...own }))),
      ),
      // The agent's own words are the progress people watch (baton dispatch, notifications/progress).
      progress: (args) => (typeof args.message === 'string' && args.message.trim() ? args.message.trim() : undefined),
    },
    complete_task: tool(
      'complete_task',
      'Finish your task with its result. Your run ends here. (A plain final answer also completes it.)',
      OWN_COMPLETE,
      async (args) => json(pick(await ctx.tasks.complete(me, { ...args, ...own }))),
    ),
    fail_task: tool('fail_task', 'Give up on your task, saying why. Your run ends here.', OWN_FAIL, async (args) =>
      json(pick(await ctx.tasks.fail(me, { ...args, ...own }))),
    ),
    send_message: tool(
      'send_message',
      "Send a message to another agent's inbox.",
      SendMessageInputSchema,
      async (args) => {
        const item = await ctx.tasks.sendMessage(me, args);
        return json({ delivered_to: item.recipient, seq: item.seq });
      },
    ),
    read_inbox: tool('read_inbox', 'Read your messages and task notifications.', ReadInboxInputSchema, async (args) =>
      json(await ctx.tasks.readInbox(me, args)),
    ),
    subagent_dispatch: tool(
      'subagent_dispatch',
      'Dispatch a task to another agent and wait for its answer.',
      DispatchInputSchema,
      async (args, signal) => {
        ctx.checkSpawn(args.agent_id, args.task);
        return json(await ctx.waiting(() => ctx.dispatch(args, signal)));
      },
    ),
    delegate_task: tool(
      'delegate_task',
      'Delegate a task to another agent as part of your task; returns its id at once.',
      CHILD_DELEGATE,
      async (args) => {
        ctx.checkSpawn(args.assignee_id, args.description);
        const sessionId = await ctx.spawnSession(args.assignee_id);
        const task = await ctx.tasks.delegate(
          me,
          ctx.withAgentDefaults({ ...args, parent_task_id: ctx.task.id }),
          sessionId ? { session_id: sessionId } : {},
        );
        return json({ task_id: task.id, status: task.status, assignee_id: task.assignee_id, deadline: task.deadline });
      },
    ),
    wait_for_tasks: tool(
      'wait_for_tasks',
      'Wait until all (or any) of the given tasks have ended; returns their results. The fan-in after a fan-out.',
      WaitInputSchema,
      async (args, signal) => json(await ctx.waiting(() => ctx.tasks.waitFor(me, args, { signal }))),
    ),
    merge: tool(
      'merge',
      'Merge the results of tasks you delegated: concat, hierarchical_summary, voting or llm_summary.',
      MergeInputSchema,
      async (args, signal) => {
        const merge = () => ctx.merge(args, signal);
        // llm_summary runs a summarizer and waits for it; the other strategies are immediate.
        return json(await (args.strategy === 'llm_summary' ? ctx.waiting(merge) : merge()));
      },
    ),
    remember: tool(
      'remember',
      'Keep a note (key → value) for later in this task, or for agents that share your memory.',
      REMEMBER,
      async ({ key, value }) => {
        await ctx.notes.remember(key, value);
        return json({ remembered: key });
      },
    ),
    recall: tool('recall', 'Read your notes: one by key, or all of them.', RECALL, async ({ key }) => {
      const notes = ctx.notes.read();
      return json(key === undefined ? notes : { [key]: Object.hasOwn(notes, key) ? notes[key] : null });
    }),
    list_tasks: tool('list_tasks', 'List your tasks.', ListInputSchema, async (args) =>
      json(await ctx.tasks.list(me, args)),
    ),
    get_task: tool('get_task', 'Everything about one of your tasks.', GetInputSchema, async (args) =>
      json(await ctx.tasks.get(me, args)),
    ),
    cancel_task: tool(
      'cancel_task',
      'Cancel a task you delegated, and its subtasks.',
      CancelInputSchema,
      async (args) => json(await ctx.tasks.cancel(me, args)),
    ),
  };
}

function pick(task: Task) {
  return { task_id: task.id, status: task.status, status_message: task.status_message };
}
