/**
 * The tools a running subagent may call, by tool scope (SPEC §8):
 * - isolated: none;
 * - restricted (default): its own task's progress / complete / fail, send_message, read_inbox, and its notes
 *   (remember / recall);
 * - shared: also subagent_dispatch, delegate_task, wait_for_tasks, merge, list_tasks, get_task, cancel_task.
 * The definition's `tools:` list narrows further. Every call runs with the subagent's own identity and the same
 * access rules as any other caller.
 */
import { z } from 'zod';
import type { AgentDefinition } from '../agents/definition.js';
import { InputError } from '../errors.js';
import type { ToolSpec } from '../providers/types.js';
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
import type { AgentTool } from './agent-loop.js';
import { DispatchInputSchema } from './dispatch-input.js';

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
}

const RESTRICTED = [
  'report_task_progress',
  'complete_task',
  'fail_task',
  'send_message',
  'read_inbox',
  'remember',
  'recall',
];
const SHARED = [
  ...RESTRICTED,
  'subagent_dispatch',
  'delegate_task',
  'wait_for_tasks',
  'merge',
  'list_tasks',
  'get_task',
  'cancel_task',
];

// A run's own task is implied: its tools take no task_id, and its children get it as their parent.
const OWN_PROGRESS = ProgressInputSchema.omit({ task_id: true });
const OWN_COMPLETE = CompleteInputSchema.omit({ task_id: true });
const OWN_FAIL = FailInputSchema.omit({ task_id: true });
const CHILD_DELEGATE = DelegateInputSchema.omit({ parent_task_id: true });
const REMEMBER = z.object({
  key: z.string().min(1).max(200).describe('The note name.'),
  value: z.string().max(100_000).describe('What to remember.'),
});
const RECALL = z.object({ key: z.string().min(1).max(200).optional().describe('The note name; omit for all notes.') });

/** The tools this run may use. */
export function buildAgentTools(ctx: AgentToolContext): AgentTool[] {
  const scope = ctx.agent.tool_scope === 'isolated' ? [] : ctx.agent.tool_scope === 'shared' ? SHARED : RESTRICTED;
  const allowed = ctx.agent.tools ? new Set(ctx.agent.tools) : null;
  const all = allTools(ctx);
  return scope.filter((name) => allowed === null || allowed.has(name)).map((name) => all[name] as AgentTool);
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
      return json(key === undefined ? notes : { [key]: notes[key] ?? null });
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

/** A tool from a zod schema: the model sees its JSON Schema; arguments are validated before `run`. */
export function tool<S extends z.ZodObject>(
  name: string,
  description: string,
  schema: S,
  run: (args: z.infer<S>, signal: AbortSignal) => Promise<string>,
): AgentTool {
  const spec: ToolSpec = {
    name,
    description,
    inputSchema: jsonSchemaOf(schema),
  };
  return {
    spec,
    async execute(raw, signal) {
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new InputError(
          'invalid_input',
          `invalid arguments for ${name}: ${issue?.path.join('.') || 'input'}: ${issue?.message}`,
        );
      }
      return run(parsed.data, signal);
    },
  };
}

/** JSON Schemas by zod schema: converting costs ~0.1 ms a tool, and every run offers the same tools. */
const jsonSchemas = new WeakMap<z.ZodType, Record<string, unknown>>();

function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  let json = jsonSchemas.get(schema);
  if (!json) jsonSchemas.set(schema, (json = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>));
  return json;
}

function pick(task: Task) {
  return { task_id: task.id, status: task.status, status_message: task.status_message };
}
