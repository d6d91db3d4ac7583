/** Following tasks: list_tasks, get_task, wait_for_tasks, and cancel_task (SPEC §4). */
import { z } from 'zod';
import { TaskStatusSchema } from '../../model/task.js';
import { CancelInputSchema, GetInputSchema, ListInputSchema, WaitInputSchema } from '../inputs.js';
import { TaskListSchema, TaskViewSchema, WaitOutcomeSchema } from '../views.js';
import { operation } from './operation.js';

const READS = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };

export const listTasks = operation({
  name: 'list_tasks',
  title: 'List tasks',
  description: 'List tasks you delegated or are assigned, newest first, a page at a time.',
  agentDescription: 'List your tasks.',
  input: ListInputSchema,
  output: TaskListSchema,
  annotations: READS,
  run: (ctx, input) => ctx.tasks.list(ctx.caller, input),
});

export const getTask = operation({
  name: 'get_task',
  title: 'Get a task',
  description: 'Everything about a task you delegated or were assigned, with its subtasks.',
  agentDescription: 'Everything about one of your tasks.',
  input: GetInputSchema,
  output: TaskViewSchema,
  annotations: READS,
  run: (ctx, input) => ctx.tasks.get(ctx.caller, input),
});

export const waitForTasks = operation({
  name: 'wait_for_tasks',
  title: 'Wait for tasks',
  description:
    'Wait until all or any (mode) of the given tasks have ended, or timeout_seconds pass; returns each with its ' +
    'result or error. The fan-in after a fan-out.',
  agentDescription:
    'Wait until all (or any) of the given tasks have ended; returns their results. The fan-in after a fan-out.',
  input: WaitInputSchema,
  output: WaitOutcomeSchema,
  annotations: READS,
  waits: () => true,
  run: (ctx, input, options) =>
    ctx.tasks.waitFor(ctx.caller, input, {
      ...(options.signal ? { signal: options.signal } : {}),
      onEnded: (task) => options.progress?.(`task ${task.id} (${task.assignee_id}) ${task.status}`),
    }),
});

export const cancelTask = operation({
  name: 'cancel_task',
  title: 'Cancel a task',
  description:
    'Cancel a task you delegated and its subtasks; running subagents stop, assignees are notified. An ended task ' +
    'is left as it is.',
  agentDescription: 'Cancel a task you delegated, and its subtasks.',
  input: CancelInputSchema,
  output: z.object({
    task_id: z.string(),
    status: TaskStatusSchema,
    changed: z.boolean(),
    cancelled_task_ids: z.array(z.string()),
    message: z.string(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run(ctx, input) {
    const outcome = await ctx.tasks.cancel(ctx.caller, input);
    return {
      task_id: outcome.task.id,
      status: outcome.task.status,
      changed: outcome.changed,
      cancelled_task_ids: outcome.cancelled_task_ids,
      message: outcome.message,
    };
  },
});
