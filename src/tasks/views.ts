/**
 * What the task operations answer, as schemas (the tools' output schemas) with the functions that build each from
 * a task. Types are inferred from the schemas, never written beside them.
 */
import { z } from 'zod';
import { InboxItemSchema } from '../model/inbox.js';
import { TaskSchema, TaskStatusSchema } from '../model/task.js';
import type { Task } from '../model/task.js';
import { SpendSchema } from '../model/usage.js';

/**
 * A task as `list_tasks` shows it: no payload, result or history; the description cut to 200 characters; what its
 * subtree spent (its own usage and per attempt are `get_task`'s, to keep the tool list small).
 */
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
  usage_total: true,
});
export type TaskSummary = z.infer<typeof TaskSummarySchema>;

export function summarize(task: Task): TaskSummary {
  return {
    id: task.id,
    kind: task.kind,
    status: task.status,
    status_message: task.status_message,
    delegated_by: task.delegated_by,
    assignee_id: task.assignee_id,
    description: excerpt(task.description),
    priority: task.priority,
    group: task.group,
    parent_task_id: task.parent_task_id,
    created_at: task.created_at,
    updated_at: task.updated_at,
    deadline: task.deadline,
    finished_at: task.finished_at,
    usage_total: task.usage_total,
  };
}

/** A task's outcome as `wait_for_tasks` reports it. */
export const TaskOutcomeSchema = z.object({
  id: z.string(),
  assignee_id: z.string(),
  status: TaskStatusSchema,
  status_message: z.string().nullable(),
  result: z.unknown().optional(),
  error: z.string().nullable(),
  usage: SpendSchema.describe("The task's own model calls (null: not reported)."),
  usage_total: SpendSchema.describe('Its whole subtree.'),
});
export type TaskOutcome = z.infer<typeof TaskOutcomeSchema>;

export function outcomeOf(task: Task): TaskOutcome {
  return {
    id: task.id,
    assignee_id: task.assignee_id,
    status: task.status,
    status_message: task.status_message,
    ...(task.result !== undefined ? { result: task.result } : {}),
    error: task.error,
    usage: task.usage,
    usage_total: task.usage_total,
  };
}

export const WaitOutcomeSchema = z.object({
  done: z.boolean(),
  timed_out: z.boolean(),
  tasks: z.array(TaskOutcomeSchema),
  pending_task_ids: z.array(z.string()),
});
export type WaitOutcome = z.infer<typeof WaitOutcomeSchema>;

/** What the task-changing tools answer: the task's new state in brief. */
export const TaskStateSchema = z.object({
  task_id: z.string(),
  status: TaskStatusSchema,
  status_message: z.string().nullable(),
  updated_at: z.string(),
});
export type TaskState = z.infer<typeof TaskStateSchema>;

export function taskState(task: Task): TaskState {
  return { task_id: task.id, status: task.status, status_message: task.status_message, updated_at: task.updated_at };
}

/** `get_task`: the whole task and its children in brief. */
export const TaskViewSchema = z.object({ task: TaskSchema, children: z.array(TaskSummarySchema) });
export type TaskView = z.infer<typeof TaskViewSchema>;

export const TaskListSchema = z.object({ tasks: z.array(TaskSummarySchema), next_cursor: z.string().nullable() });
export type TaskList = z.infer<typeof TaskListSchema>;

export const InboxPageSchema = z.object({ items: z.array(InboxItemSchema), next_cursor: z.number().int() });
export type InboxPage = z.infer<typeof InboxPageSchema>;

/** What `merge` answers: the fields of each strategy (SPEC §4). */
export const MergeOutputSchema = z.object({
  strategy: z.string(),
  task_ids: z.array(z.string()),
  missing: z
    .array(z.object({ task_id: z.string(), status: TaskStatusSchema, error: z.string().nullable() }))
    .describe('Tasks that did not complete, not merged.'),
  source_count: z.number().int().optional(),
  result: z.string().optional().describe('concat.'),
  summary: z.string().optional().describe('hierarchical_summary, llm_summary.'),
  summary_task_id: z.string().optional().describe('llm_summary: the task that wrote it.'),
  winner: z.string().nullable().optional().describe('voting (the rest too); null on a tie.'),
  votes: z.number().int().optional(),
  total: z.number().int().optional(),
  distribution: z.record(z.string(), z.number().int()).optional(),
  tie: z.boolean().optional(),
  tied: z.array(z.string()).optional(),
  abstained: z.array(z.string()).optional(),
  results: z.record(z.string(), z.unknown()).optional().describe('Other strategies, by task id.'),
});
export type MergeOutput = z.infer<typeof MergeOutputSchema>;

export function excerpt(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
