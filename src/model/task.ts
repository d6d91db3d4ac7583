/**
 * The task record (SPEC §5), its statuses and priorities, and the claim that says who runs it. One schema each;
 * types are inferred from them. Validated when a store loads (SPEC §9: stored JSON is checked on load).
 */
import { z } from 'zod';
import { AttemptSpendSchema, NO_SPEND, SpendSchema } from './usage.js';

export const TASK_STATUSES = ['pending', 'in_progress', 'completed', 'failed', 'timed_out', 'cancelled'] as const;
export const TaskStatusSchema = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof TaskStatusSchema>;

/** SPEC §5: nothing leaves a terminal state. One row per status, so a new status cannot be forgotten here. */
const TERMINAL: Record<TaskStatus, boolean> = {
  pending: false,
  in_progress: false,
  completed: true,
  failed: true,
  timed_out: true,
  cancelled: true,
};
export const isTerminal = (status: TaskStatus): boolean => TERMINAL[status];
export const LIVE_STATUSES: readonly TaskStatus[] = TASK_STATUSES.filter((s) => !TERMINAL[s]);

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const PrioritySchema = z.enum(PRIORITIES);
export type Priority = z.infer<typeof PrioritySchema>;
/** Scheduling order: lower runs first. */
export const PRIORITY_RANK: Record<Priority, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

export const TASK_KINDS = ['dispatch', 'delegation'] as const;
export const TaskKindSchema = z.enum(TASK_KINDS);

export const ProgressEntrySchema = z.object({
  at: z.string(),
  message: z.string(),
  data: z.unknown().optional(),
});
export type ProgressEntry = z.infer<typeof ProgressEntrySchema>;

/**
 * Who runs a subagent task, until when (SPEC §5): a lease taken by compare-and-set in the store and renewed while
 * the run lives. `epoch` is the task's `lease_epoch` when it was taken: the fencing token of every write the run
 * makes, so that a runner whose lease was taken over cannot write any more.
 */
export const TaskClaimSchema = z.object({
  runner: z.string(),
  epoch: z.number().int(),
  expires_at: z.string(),
});
export type TaskClaim = z.infer<typeof TaskClaimSchema>;

/** A claim as its holder keeps it: the claim and the task it is on. */
export interface Claim extends TaskClaim {
  task_id: string;
}

export const TaskSchema = z.object({
  id: z.string(),
  kind: TaskKindSchema,
  delegated_by: z.string(),
  assignee_id: z.string(),
  description: z.string(),
  payload: z.unknown().optional(),
  status: TaskStatusSchema,
  status_message: z.string().nullable(),
  priority: PrioritySchema,
  group: z.string().nullable(),
  depends_on: z.array(z.string()),
  parent_task_id: z.string().nullable(),
  root_task_id: z.string(),
  depth: z.number().int(),
  timeout_seconds: z.number(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  updated_at: z.string(),
  deadline: z.string().nullable(),
  finished_at: z.string().nullable(),
  progress: z.array(ProgressEntrySchema),
  result: z.unknown().optional(),
  error: z.string().nullable(),
  attempts: z.number().int(),
  max_retries: z.number().int(),
  session_id: z.string().nullable(),
  /** Who runs it now; null when nobody does (not started, handed back, ended). */
  claim: TaskClaimSchema.nullable(),
  /** Raised by every claim and never lowered: the fencing token (`claim.epoch` is its value when taken). */
  lease_epoch: z.number().int(),
  /** The runner this task must stay with: it runs on the model of that process's client (MCP sampling). */
  affinity: z.string().nullable(),
  /** The model of the current or last attempt (`provider:model`, or `sampling`): what `model: inherit` takes. */
  model: z.string().nullable(),
  /** What this task's own model calls spent, all attempts together (SPEC §5). */
  usage: SpendSchema,
  /** What its whole subtree spent: its own calls, its children's, theirs… (a merge's llm_summary is a child). */
  usage_total: SpendSchema,
  /** Its own spend per attempt, with the model that answered. */
  usage_by_attempt: z.array(AttemptSpendSchema),
  /** The token budget of its subtree: its own or its agent's, capped by what its ancestors had left; null = none. */
  budget_tokens: z.number().int().positive().nullable(),
  /** The same in USD at the configured prices; null = none. */
  budget_usd: z.number().positive().nullable(),
  /** The store's change sequence number of the last write of this task (assigned by the store). */
  seq: z.number().int(),
  /** The change sequence number of its creation: its position in creation order (assigned by the store). */
  created_seq: z.number().int(),
});
export type Task = z.infer<typeof TaskSchema>;

/** What a task has spent before any model call: nothing. */
export const NO_USAGE = {
  usage: NO_SPEND,
  usage_total: NO_SPEND,
  usage_by_attempt: [],
} as const satisfies Partial<Task>;

/** What a task holds before anyone ran it: no claim, no epoch, no model, no spend; its seqs are the store's. */
export const NOT_RUN = {
  claim: null,
  lease_epoch: 0,
  affinity: null,
  model: null,
  ...NO_USAGE,
  seq: 0,
  created_seq: 0,
} as const satisfies Partial<Task>;

/** The claim of a task as its holder keeps it, or null. */
export function claimOf(task: Task): Claim | null {
  return task.claim ? { task_id: task.id, ...task.claim } : null;
}
