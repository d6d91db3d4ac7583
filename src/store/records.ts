/**
 * The records Baton stores: tasks and inbox items. One schema each; types are inferred from them.
 * These are validated when the store file is loaded (SPEC §9: validate stored JSON on load).
 */
import { z } from 'zod';
import { ChatMessageSchema } from '../model/chat-message.js';

export const TASK_STATUSES = ['pending', 'in_progress', 'completed', 'failed', 'timed_out', 'cancelled'] as const;
export const TaskStatusSchema = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof TaskStatusSchema>;

/** SPEC §5: nothing leaves a terminal state. */
export const TERMINAL_STATUSES: ReadonlySet<TaskStatus> = new Set(['completed', 'failed', 'timed_out', 'cancelled']);
export const isTerminal = (status: TaskStatus): boolean => TERMINAL_STATUSES.has(status);

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const PrioritySchema = z.enum(PRIORITIES);
export type Priority = z.infer<typeof PrioritySchema>;

export const ProgressEntrySchema = z.object({
  at: z.string(),
  message: z.string(),
  data: z.unknown().optional(),
});
export type ProgressEntry = z.infer<typeof ProgressEntrySchema>;

export const TaskSchema = z.object({
  id: z.string(),
  kind: z.enum(['dispatch', 'delegation']),
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
  /** The Baton process running this subagent task (`host:pid`), to recover runs cut off by a restart. */
  runner: z.string().nullable().default(null),
});
export type Task = z.infer<typeof TaskSchema>;

/** SPEC §6: the events that land in an agent's inbox. */
export const INBOX_EVENTS = [
  'task.notification.assigned',
  'task.notification.progress',
  'task.notification.completed',
  'task.notification.failed',
  'task.notification.timeout',
  'task.notification.cancelled',
  'message.received',
] as const;
export const InboxEventSchema = z.enum(INBOX_EVENTS);
export type InboxEvent = z.infer<typeof InboxEventSchema>;

export const InboxItemSchema = z.object({
  /** Store-wide sequence number: the inbox cursor. */
  seq: z.number().int(),
  recipient: z.string(),
  event: InboxEventSchema,
  from: z.string().nullable(),
  task_id: z.string().nullable(),
  /** Message text, progress message, error or status message, depending on the event. */
  content: z.string().nullable(),
  data: z.unknown().optional(),
  created_at: z.string(),
});
export type InboxItem = z.infer<typeof InboxItemSchema>;

/** A subagent conversation: what `session_id` continues, and the agent's notes (`remember` / `recall`). */
export const SessionSchema = z.object({
  id: z.string(),
  agent_id: z.string(),
  /** Who started the conversation; only they may continue it. */
  owner: z.string(),
  messages: z.array(ChatMessageSchema),
  notes: z.record(z.string(), z.string()),
  /** With `memory_scope: shared`, the session whose notes this one uses live. */
  notes_from: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Session = z.infer<typeof SessionSchema>;
