import { z } from 'zod';
import { TaskStatusSchema } from '../../model/task.js';
import { DelegateInputSchema } from '../inputs.js';
import { operation } from './operation.js';

export const DelegateOutputSchema = z.object({
  task_id: z.string(),
  status: TaskStatusSchema,
  assignee_id: z.string(),
  delegated_by: z.string(),
  created_at: z.string(),
  deadline: z.string().nullable(),
});

/** delegate_task: hand a task to another agent and get its id at once (SPEC §4). */
export const delegateTask = operation({
  name: 'delegate_task',
  title: 'Delegate a task',
  description:
    'Delegate a task to another agent; returns its id at once. You are notified as the assignee reports ' +
    'progress and completes or fails it.',
  agentDescription: 'Delegate a task to another agent as part of your task; returns its id at once.',
  input: DelegateInputSchema,
  output: DelegateOutputSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(ctx, input) {
    const task = await ctx.delegate(input);
    return {
      task_id: task.id,
      status: task.status,
      assignee_id: task.assignee_id,
      delegated_by: task.delegated_by,
      created_at: task.created_at,
      deadline: task.deadline,
    };
  },
});
