/**
 * Inputs of the task operations, as zod schemas with a description on every field. The MCP tools publish them
 * as their input schemas; the task service takes the inferred types.
 */
import { z } from 'zod';
import { PrioritySchema, TaskStatusSchema } from '../model/task.js';

export const LIMITS = {
  textChars: 100_000,
  listMax: 500,
  idChars: 128,
} as const;

/** Agent ids: hosts, programs and defined agents alike. */
export const AgentIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@:-]*$/, 'letters, digits and . _ @ : - only, starting with a letter or digit')
  .max(LIMITS.idChars);

export const TaskIdSchema = z.string().min(1).max(LIMITS.idChars).describe('The task id.');

/**
 * Any JSON value. Its limits (1 MiB, 64 levels, finite numbers: `json-value.ts`) are checked by the task service,
 * the one place every payload, progress data and result passes, whoever produces it.
 */
const jsonValue = () => z.unknown();

const text = (max: number = LIMITS.textChars) => z.string().min(1).max(max);

/** A page size: 1 to 500 (SPEC §10 list limit), default 50. */
const pageLimit = (what: string) =>
  z.number().int().min(1).max(LIMITS.listMax).optional().describe(`At most this many ${what} (default 50).`);

/** SPEC §5 budgets, on `delegate_task` and `subagent_dispatch` alike. */
export const BudgetInputShape = {
  budget_tokens: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('Tokens the task and its subtasks may spend; past it, it fails.'),
  budget_usd: z.number().positive().optional().describe('The same in USD, at configured prices.'),
};

export const DelegateInputSchema = z.object({
  assignee_id: AgentIdSchema.describe('A defined agent or a connected client.'),
  description: text().describe('What to do, in plain language.'),
  payload: jsonValue().optional().describe('Structured input (≤ 1 MiB).'),
  timeout_seconds: z
    .number()
    .positive()
    .max(7 * 24 * 3600)
    .optional()
    .describe('Seconds until it times out (default 600).'),
  priority: PrioritySchema.optional().describe('Default normal.'),
  group: z.string().min(1).max(LIMITS.idChars).optional().describe('Names tasks to wait for and merge together.'),
  parent_task_id: TaskIdSchema.optional().describe('Your assigned task this one is part of (cancelled with it).'),
  max_retries: z.number().int().min(0).max(10).optional().describe('Retries of a failed run (default 0).'),
  depends_on: z
    .array(TaskIdSchema)
    .max(100)
    .optional()
    .describe('Tasks to complete first (their results go to the assignee); fails if one does not.'),
  ...BudgetInputShape,
});
export type DelegateInput = z.infer<typeof DelegateInputSchema>;

export const ProgressInputSchema = z.object({
  task_id: TaskIdSchema,
  message: text(10_000).describe('What has been done so far.'),
  data: jsonValue().optional().describe('Structured progress data.'),
});
export type ProgressInput = z.infer<typeof ProgressInputSchema>;

export const CompleteInputSchema = z.object({
  task_id: TaskIdSchema,
  result: jsonValue().describe('Text or any JSON (≤ 1 MiB).'),
});
export type CompleteInput = z.infer<typeof CompleteInputSchema>;

export const FailInputSchema = z.object({
  task_id: TaskIdSchema,
  error: text(10_000).describe('Why the task could not be done.'),
});
export type FailInput = z.infer<typeof FailInputSchema>;

export const CancelInputSchema = z.object({
  task_id: TaskIdSchema,
  reason: text(10_000).optional().describe('Why the task is cancelled; shown to the assignee.'),
});
export type CancelInput = z.infer<typeof CancelInputSchema>;

export const GetInputSchema = z.object({ task_id: TaskIdSchema });
export type GetInput = z.infer<typeof GetInputSchema>;

export const ListInputSchema = z.object({
  role: z.enum(['delegated_by_me', 'assigned_to_me']).optional().describe('Default: both.'),
  status: z.array(TaskStatusSchema).min(1).optional().describe('Only these statuses.'),
  group: z.string().min(1).max(LIMITS.idChars).optional().describe('Only tasks of this group.'),
  limit: pageLimit('tasks'),
  cursor: z.string().max(512).optional().describe('The next_cursor of the previous page.'),
});
export type ListInput = z.infer<typeof ListInputSchema>;

export const SendMessageInputSchema = z.object({
  to_agent_id: AgentIdSchema.describe('The recipient.'),
  content: text().describe('The message text.'),
  task_id: TaskIdSchema.optional().describe('A task of yours it is about.'),
});
export type SendMessageInput = z.infer<typeof SendMessageInputSchema>;

export const ReadInboxInputSchema = z.object({
  after: z.number().int().min(0).optional().describe('The next_cursor of the previous read (default: the start).'),
  limit: pageLimit('items'),
});
export type ReadInboxInput = z.infer<typeof ReadInboxInputSchema>;

/** Tasks named by id, or by group (tasks of that group the caller delegated). */
const taskSelection = {
  task_ids: z.array(TaskIdSchema).min(1).max(LIMITS.listMax).optional().describe('Task ids.'),
  group: z.string().min(1).max(LIMITS.idChars).optional().describe('Or: the tasks of this group you delegated.'),
};

export const WaitInputSchema = z.object({
  ...taskSelection,
  mode: z.enum(['all', 'any']).optional().describe('Return when all (default) or any one has ended.'),
  timeout_seconds: z
    .number()
    .positive()
    .max(24 * 3600)
    .optional()
    .describe('Stop waiting after this many seconds (default 600); the tasks go on.'),
});
export type WaitInput = z.infer<typeof WaitInputSchema>;

export const MergeInputSchema = z.object({
  ...taskSelection,
  strategy: z
    .string()
    .min(1)
    .max(LIMITS.idChars)
    .describe('One named above; any other returns the results as they are.'),
  options: z
    .object({
      field: z.string().min(1).optional().describe("voting: dotted path of the JSON results' field to vote on."),
      pattern: z.string().min(1).max(500).optional().describe('voting: a regex; vote on its first capture group.'),
      agent: z.string().min(1).optional().describe('llm_summary: its writer (default summarizer).'),
      instructions: z.string().max(LIMITS.textChars).optional().describe('llm_summary: what to focus on.'),
      separator: z.string().max(100).optional().describe('concat: between results (default a blank line).'),
    })
    .optional()
    .describe('By strategy.'),
});
export type MergeInput = z.infer<typeof MergeInputSchema>;
