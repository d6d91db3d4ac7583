/** The assignee's writes on a task: report_task_progress, complete_task, fail_task (SPEC §4: assignee only). */
import { CompleteInputSchema, FailInputSchema, ProgressInputSchema } from '../inputs.js';
import { TaskStateSchema, taskState } from '../views.js';
import { operation, writeFor } from './operation.js';

const WRITES = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false };

export const reportTaskProgress = operation({
  name: 'report_task_progress',
  title: 'Report task progress',
  description: 'Report progress on a task assigned to you (assignee only); the delegator is notified.',
  agentDescription: 'Tell whoever gave you this task how far you got. Use it on long work.',
  input: ProgressInputSchema,
  output: TaskStateSchema,
  annotations: WRITES,
  ownTask: true,
  run: async (ctx, input) => taskState(await ctx.tasks.reportProgress(ctx.caller, input, writeFor(ctx, input.task_id))),
});

export const completeTask = operation({
  name: 'complete_task',
  title: 'Complete a task',
  description: 'Complete a task assigned to you with its result (assignee only); the delegator is notified.',
  agentDescription: 'Finish your task with its result. Your run ends here. (A plain final answer also completes it.)',
  input: CompleteInputSchema,
  output: TaskStateSchema,
  annotations: WRITES,
  ownTask: true,
  run: async (ctx, input) => taskState(await ctx.tasks.complete(ctx.caller, input, writeFor(ctx, input.task_id))),
});

export const failTask = operation({
  name: 'fail_task',
  title: 'Fail a task',
  description: 'Fail a task assigned to you, saying why (assignee only); the delegator is notified.',
  agentDescription: 'Give up on your task, saying why. Your run ends here.',
  input: FailInputSchema,
  output: TaskStateSchema,
  annotations: WRITES,
  ownTask: true,
  run: async (ctx, input) => taskState(await ctx.tasks.fail(ctx.caller, input, writeFor(ctx, input.task_id))),
});
