/** Output schemas shared by several tools. */
import { z } from 'zod';
import { InboxItemSchema, PrioritySchema, TaskSchema, TaskStatusSchema } from '../store/records.js';

export const TaskSummarySchema = TaskSchema.pick({
  id: true,
  kind: true,
  status: true,
  status_message: true,
  delegated_by: true,
  assignee_id: true,
  description: true,
  priority: true,
  group: true,
  parent_task_id: true,
  created_at: true,
  updated_at: true,
  deadline: true,
  finished_at: true,
});

/** What the task-changing tools answer: the task's new state in brief. */
export const TaskStateSchema = z.object({
  task_id: z.string(),
  status: TaskStatusSchema,
  status_message: z.string().nullable(),
  updated_at: z.string(),
});

export { InboxItemSchema, PrioritySchema, TaskSchema };
